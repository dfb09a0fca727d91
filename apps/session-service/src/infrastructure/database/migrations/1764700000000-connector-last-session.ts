import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The newest session started on each connector. A session's connector status stays live until the
 * connector is free (domain/session/connector.ts): the Finishing and Available a charger sends after
 * the StopTransaction belong to that session, which is no longer open, so ingest finds it here.
 * Not indexed: the column changes with every start, and connectors keep their HOT updates.
 */
export class ConnectorLastSession1764700000000 implements MigrationInterface {
  name = 'ConnectorLastSession1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table connectors add column if not exists last_session_id uuid');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table connectors drop column if exists last_session_id');
  }
}
