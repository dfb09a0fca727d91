import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Placeholder baseline: the event store and projections arrive in the next migrations. */
export class Initial1700000000000 implements MigrationInterface {
  name = 'Initial1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table if not exists service_info (key text primary key, value text not null)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists service_info`);
  }
}
