import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pump-style webhooks: one endpoint per fleet (the secret signs bodies, so it is stored as is),
 * and a per-session delivery queue written in the same transaction as the session's events.
 */
export class Webhooks1732400000001 implements MigrationInterface {
  name = 'Webhooks1732400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table webhook_endpoints (
        fleet_id text primary key,
        url text not null,
        secret text not null,
        created_at timestamptz not null default now()
      )`);
    await q.query(`
      create table webhook_deliveries (
        id bigint generated always as identity primary key,
        fleet_id text not null,
        session_id uuid not null,
        type text not null,
        body text not null,
        attempts integer not null default 0,
        next_attempt_at timestamptz not null default now(),
        delivered_at timestamptz,
        gave_up_at timestamptz,
        last_error text,
        created_at timestamptz not null default now()
      )`);
    await q.query(
      'create index webhook_deliveries_pending_idx on webhook_deliveries (session_id, id) where delivered_at is null and gave_up_at is null',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table if exists webhook_deliveries');
    await q.query('drop table if exists webhook_endpoints');
  }
}
