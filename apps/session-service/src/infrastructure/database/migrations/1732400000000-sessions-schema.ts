import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventStoreSchemaSql } from '@app/event-store';

/**
 * The event store (libs/event-store) and the projections the API reads, all updated in the same
 * transaction as the appends:
 * - sessions: one row per session aggregate; `state` is the folded aggregate (also the snapshot the
 *   consumer loads instead of replaying), the other columns are what the API filters on.
 * - session_start_requests: Idempotency-Key of POST /v1/sessions/start (unique per fleet).
 * - connectors / chargers: from ChargerConnected and StatusNotification.
 * - tariffs / tariff_assignments: the compacted billing.tariffs.v1 topic.
 * - commands: RemoteStart/RemoteStop we sent and the gateway's results.
 * - anomalies: e.g. a StopTransaction for an unknown transaction.
 * - api_keys: sha256 of each key (keys are 32 random bytes; a fast hash is enough for that entropy).
 */
export class SessionsSchema1732400000000 implements MigrationInterface {
  name = 'SessionsSchema1732400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of eventStoreSchemaSql()) await q.query(sql);
    await q.query(`
      create table sessions (
        session_id uuid primary key,
        fleet_id text not null,
        status text not null,
        auth_type text,
        charge_point_id text not null,
        connector_id integer not null,
        evse text not null,
        transaction_id integer,
        user_reference text,
        created_at timestamptz not null,
        last_updated_at timestamptz not null,
        timer_at timestamptz,
        version bigint not null,
        state jsonb not null
      )`);
    await q.query(
      'create index sessions_fleet_created_idx on sessions (fleet_id, created_at desc, session_id desc)',
    );
    await q.query('create index sessions_charger_tx_idx on sessions (charge_point_id, transaction_id)');
    await q.query(
      `create index sessions_open_connector_idx on sessions (charge_point_id, connector_id)
       where status in ('STARTING', 'PREPARING', 'ACTIVE', 'REMOTE_STOPPED')`,
    );
    await q.query('create index sessions_timer_idx on sessions (timer_at) where timer_at is not null');
    await q.query(`
      create table session_start_requests (
        fleet_id text not null,
        idempotency_key text not null,
        session_id uuid not null,
        created_at timestamptz not null default now(),
        primary key (fleet_id, idempotency_key)
      )`);
    await q.query(`
      create table chargers (
        charge_point_id text primary key,
        fleet_id text not null,
        evse_ids jsonb not null default '{}'::jsonb,
        connected boolean not null default false,
        gateway_id text,
        last_seen_at timestamptz not null
      )`);
    await q.query(`
      create table connectors (
        charge_point_id text not null,
        connector_id integer not null,
        fleet_id text not null,
        evse text,
        status text,
        status_at timestamptz,
        error_code text,
        updated_at timestamptz not null default now(),
        primary key (charge_point_id, connector_id)
      )`);
    await q.query('create index connectors_fleet_evse_idx on connectors (fleet_id, evse)');
    await q.query(`
      create table tariffs (
        tariff_id text primary key,
        published jsonb not null,
        published_at timestamptz,
        updated_at timestamptz not null default now()
      )`);
    await q.query(`
      create table tariff_assignments (
        tariff_id text not null references tariffs (tariff_id) on delete cascade,
        scope text not null check (scope in ('FLEET', 'CHARGE_POINT', 'EVSE')),
        ref text not null,
        primary key (tariff_id, scope, ref)
      )`);
    await q.query('create index tariff_assignments_ref_idx on tariff_assignments (scope, ref)');
    await q.query(`
      create table commands (
        command_id uuid primary key,
        session_id uuid,
        charge_point_id text not null,
        action text not null,
        requested_at timestamptz not null default now(),
        deadline timestamptz not null,
        outcome text,
        result jsonb,
        completed_at timestamptz
      )`);
    await q.query(`
      create table anomalies (
        id bigint generated always as identity primary key,
        source_event_id uuid not null unique,
        fleet_id text not null,
        charge_point_id text not null,
        kind text not null,
        detail jsonb not null,
        recorded_at timestamptz not null default now()
      )`);
    await q.query(`
      create table api_keys (
        key_hash text primary key,
        fleet_id text not null,
        name text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'api_keys',
      'anomalies',
      'commands',
      'tariff_assignments',
      'tariffs',
      'connectors',
      'chargers',
      'session_start_requests',
      'sessions',
      'outbox_checkpoints',
      'consumer_offsets',
      'events',
      'streams',
    ]) {
      await q.query(`drop table if exists ${t}`);
    }
  }
}
