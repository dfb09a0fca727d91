import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a charger looks like (issue 12): the `chargers` and `connectors` projections gain the
 * BootNotification data, the online period, the last message time, the firmware and diagnostics
 * status, and each connector's info and vendor error. Folded from `ocpp.v16.events` by ingest and
 * read by GET /v1/chargers.
 *
 * Indexes for the list (keyset on charge_point_id, optionally by fleet and online). None touches
 * `last_message_at`, which changes with every batch a charger is in: those updates stay HOT
 * (fillfactor 70, migration 1732400000002). The partial indexes on `connected` change only when a
 * charger connects or disconnects.
 */
export class ChargerStatus1764800000001 implements MigrationInterface {
  name = 'ChargerStatus1764800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table chargers
        add column if not exists protocol text not null default 'ocpp1.6',
        add column if not exists boot jsonb,
        add column if not exists online_since timestamptz,
        add column if not exists last_message_at timestamptz,
        add column if not exists firmware_status text,
        add column if not exists firmware_at timestamptz,
        add column if not exists diagnostics_status text,
        add column if not exists diagnostics_at timestamptz,
        add column if not exists created_at timestamptz not null default now(),
        add column if not exists status_changed_at timestamptz not null default now()`);
    await q.query(`
      alter table connectors
        add column if not exists info text,
        add column if not exists vendor_id text,
        add column if not exists vendor_error_code text`);
    await q.query('create index if not exists chargers_fleet_idx on chargers (fleet_id, charge_point_id)');
    await q.query(
      'create index if not exists chargers_online_idx on chargers (charge_point_id) where connected',
    );
    await q.query(
      'create index if not exists chargers_fleet_online_idx on chargers (fleet_id, charge_point_id) where connected',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop index if exists chargers_fleet_online_idx');
    await q.query('drop index if exists chargers_online_idx');
    await q.query('drop index if exists chargers_fleet_idx');
    await q.query(`
      alter table connectors
        drop column if exists info,
        drop column if exists vendor_id,
        drop column if exists vendor_error_code`);
    await q.query(`
      alter table chargers
        drop column if exists protocol,
        drop column if exists boot,
        drop column if exists online_since,
        drop column if exists last_message_at,
        drop column if exists firmware_status,
        drop column if exists firmware_at,
        drop column if exists diagnostics_status,
        drop column if exists diagnostics_at,
        drop column if exists created_at,
        drop column if exists status_changed_at`);
  }
}
