import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on each page for HOT updates: a MeterValues fold rewrites a session's row (state, version,
 * last_updated_at) without touching an indexed column, so with free space on the page Postgres
 * updates it in place instead of inserting into all five indexes. Same for connectors and chargers
 * (status / last seen change on every notification). Applies to pages written from now on.
 */
export class HotUpdates1732400000002 implements MigrationInterface {
  name = 'HotUpdates1732400000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table sessions set (fillfactor = 70)');
    await q.query('alter table connectors set (fillfactor = 70)');
    await q.query('alter table chargers set (fillfactor = 70)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table sessions reset (fillfactor)');
    await q.query('alter table connectors reset (fillfactor)');
    await q.query('alter table chargers reset (fillfactor)');
  }
}
