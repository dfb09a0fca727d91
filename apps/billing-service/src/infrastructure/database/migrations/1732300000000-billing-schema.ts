import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tariffs (immutable versions), their assignments, charges (append-only, GoBD) and anomalies.
 * Idempotency lives in unique indexes, not in code: a redelivered SessionCompleted hits
 * `charges_one_bill_per_session` and bills nothing twice.
 */
export class BillingSchema1732300000000 implements MigrationInterface {
  name = 'BillingSchema1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table tariffs (
        tariff_id uuid primary key,
        name text not null check (length(name) between 1 and 200),
        created_at timestamptz not null default now()
      )`);

    // A version is never edited: a price change is a new version with a later effective_from.
    await q.query(`
      create table tariff_versions (
        tariff_id uuid not null references tariffs (tariff_id),
        version integer not null check (version >= 1),
        effective_from timestamptz not null,
        kwh_price numeric not null check (kwh_price >= 0),
        session_price numeric not null check (session_price >= 0),
        time_tariffs jsonb not null check (jsonb_typeof(time_tariffs) = 'array'),
        vat numeric not null check (vat >= 0 and vat <= 1),
        currency text not null check (currency ~ '^[A-Z]{3}$'),
        max_charging_time integer not null check (max_charging_time > 0),
        created_at timestamptz not null default now(),
        primary key (tariff_id, version),
        unique (tariff_id, effective_from)
      )`);

    await q.query(`
      create table tariff_assignments (
        scope text not null check (scope in ('FLEET', 'CHARGE_POINT', 'EVSE')),
        ref text not null check (length(ref) between 1 and 255),
        tariff_id uuid not null references tariffs (tariff_id),
        assigned_at timestamptz not null default now(),
        primary key (scope, ref)
      )`);
    await q.query(`create index tariff_assignments_by_tariff on tariff_assignments (tariff_id)`);

    await q.query(`
      create table charges (
        charge_id uuid primary key,
        -- Export order that never changes, also for charges booked in the same microsecond.
        seq bigint generated always as identity unique,
        kind text not null check (kind in ('CHARGE', 'REVERSAL')),
        session_id uuid not null,
        reverses_charge_id uuid references charges (charge_id),
        replaces_charge_id uuid references charges (charge_id),
        reason text,
        source_event_id uuid,
        fleet_id text not null,
        charge_point_id text not null,
        connector_id integer,
        evse text not null,
        transaction_id bigint,
        auth_type text,
        id_tag text,
        user_reference text,
        stop_reason text,
        tariff jsonb not null,
        tariff_id text,
        tariff_version integer,
        meter_start bigint not null,
        meter_stop bigint not null,
        started_at timestamptz not null,
        completed_at timestamptz not null,
        -- The pricing inputs exactly as priced (timestamps verbatim, beyond microseconds).
        inputs jsonb not null,
        energy_wh bigint not null,
        duration_s bigint not null,
        energy_amount numeric not null,
        session_amount numeric not null,
        time_amount numeric not null,
        net numeric not null,
        vat numeric not null,
        gross numeric not null,
        vat_rate numeric not null,
        currency text not null check (currency ~ '^[A-Z]{3}$'),
        flags text[] not null default '{}',
        signed_meter_values jsonb not null default '[]' check (jsonb_typeof(signed_meter_values) = 'array'),
        -- Booking time: the period an export puts the row in.
        calculated_at timestamptz not null default now(),
        check ((kind = 'REVERSAL') = (reverses_charge_id is not null)),
        check (kind = 'CHARGE' or (reason is not null and replaces_charge_id is null)),
        check (replaces_charge_id is null or reason is not null),
        check (gross = net + vat)
      )`);
    await q.query(`
      create unique index charges_one_bill_per_session on charges (session_id)
        where kind = 'CHARGE' and replaces_charge_id is null`);
    await q.query(
      `create unique index charges_reversed_once on charges (reverses_charge_id) where reverses_charge_id is not null`,
    );
    await q.query(
      `create unique index charges_replaced_once on charges (replaces_charge_id) where replaces_charge_id is not null`,
    );
    await q.query(`create index charges_by_booking_time on charges (calculated_at, seq)`);

    // GoBD: a booked record is never changed or removed; corrections are new rows.
    await q.query(`
      create function reject_row_change() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % rejected (GoBD; book a reversal instead)', tg_table_name, tg_op
          using errcode = 'P0001';
      end $$`);
    for (const table of ['charges', 'tariff_versions']) {
      await q.query(`
        create trigger ${table}_append_only before update or delete on ${table}
          for each row execute function reject_row_change()`);
      await q.query(`
        create trigger ${table}_no_truncate before truncate on ${table}
          for each statement execute function reject_row_change()`);
    }

    await q.query(`
      create table anomalies (
        anomaly_id uuid primary key default gen_random_uuid(),
        -- One anomaly per source event: redelivery records nothing twice.
        source_event_id text not null unique,
        session_id text,
        kind text not null check (kind in ('SESSION_INVALIDATED', 'PRICING_INVALID', 'MISSING_TARIFF', 'INVALID_TARIFF', 'MALFORMED_EVENT')),
        reason text not null,
        fleet_id text,
        charge_point_id text,
        evse text,
        event jsonb not null,
        detected_at timestamptz not null default now()
      )`);
    await q.query(`create index anomalies_by_time on anomalies (detected_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists anomalies`);
    await q.query(`drop table if exists charges`);
    await q.query(`drop table if exists tariff_assignments`);
    await q.query(`drop table if exists tariff_versions`);
    await q.query(`drop table if exists tariffs`);
    await q.query(`drop function if exists reject_row_change()`);
  }
}
