import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Self-service webhooks: several per fleet, each with its own id, event filter and a signing
 * secret sealed with WEBHOOK_SECRET_KEY (AES-256-GCM). The endpoints set by the old CLI move over
 * with their plaintext secret in `legacy_secret`; the service seals those at its next start (the
 * key lives in the environment, not in the migration) and clears the column. A log of every
 * delivery attempt backs `GET /v1/webhooks/:id/deliveries`.
 */
export class SelfServiceWebhooks1764590000000 implements MigrationInterface {
  name = 'SelfServiceWebhooks1764590000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table webhooks (
        id uuid primary key default gen_random_uuid(),
        fleet_id text not null,
        url text not null,
        events text[],
        sealed_secret text,
        legacy_secret text,
        created_at timestamptz not null default now(),
        constraint webhooks_secret check (sealed_secret is not null or legacy_secret is not null)
      )`);
    await q.query('create index webhooks_fleet_idx on webhooks (fleet_id)');
    await q.query(`
      insert into webhooks (fleet_id, url, legacy_secret, created_at)
      select fleet_id, url, secret, created_at from webhook_endpoints`);
    await q.query('alter table webhook_deliveries add column webhook_id uuid');
    await q.query(`
      update webhook_deliveries d set webhook_id = w.id from webhooks w where w.fleet_id = d.fleet_id`);
    // Deliveries of a fleet that had no endpoint any more can never be sent.
    await q.query('delete from webhook_deliveries where webhook_id is null');
    await q.query('alter table webhook_deliveries alter column webhook_id set not null');
    // A test event belongs to no session.
    await q.query('alter table webhook_deliveries alter column session_id drop not null');
    await q.query('alter table webhook_deliveries add column last_status_code integer');
    await q.query('drop index webhook_deliveries_pending_idx');
    await q.query(`
      create index webhook_deliveries_pending_idx on webhook_deliveries (webhook_id, session_id, id)
      where delivered_at is null and gave_up_at is null`);
    await q.query('create index webhook_deliveries_webhook_idx on webhook_deliveries (webhook_id, id)');
    await q.query(`
      create table webhook_attempts (
        delivery_id bigint not null references webhook_deliveries (id) on delete cascade,
        attempt integer not null,
        attempted_at timestamptz not null default now(),
        status_code integer,
        error text,
        duration_ms integer not null,
        primary key (delivery_id, attempt)
      )`);
    await q.query('drop table webhook_endpoints');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      create table webhook_endpoints (
        fleet_id text primary key,
        url text not null,
        secret text not null,
        created_at timestamptz not null default now()
      )`);
    // Only unsealed secrets can go back: the old table has no notion of a sealed one.
    await q.query(`
      insert into webhook_endpoints (fleet_id, url, secret, created_at)
      select distinct on (fleet_id) fleet_id, url, legacy_secret, created_at from webhooks
      where legacy_secret is not null order by fleet_id, created_at`);
    await q.query('drop table webhook_attempts');
    await q.query('delete from webhook_deliveries where session_id is null');
    await q.query('drop index webhook_deliveries_webhook_idx');
    await q.query('drop index webhook_deliveries_pending_idx');
    await q.query('alter table webhook_deliveries drop column last_status_code');
    await q.query('alter table webhook_deliveries alter column session_id set not null');
    await q.query('alter table webhook_deliveries drop column webhook_id');
    await q.query(
      'create index webhook_deliveries_pending_idx on webhook_deliveries (session_id, id) where delivered_at is null and gave_up_at is null',
    );
    await q.query('drop table webhooks');
  }
}
