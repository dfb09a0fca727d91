import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chargers and their id tags, transactionId allocation, and which replica holds which charger.
 */
export class GatewayRegistry1763900000000 implements MigrationInterface {
  name = 'GatewayRegistry1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table chargers (
        id text primary key,
        fleet_id text not null,
        -- scrypt$N$r$p$salt$hash (base64); null: registered without a password (dev stack only)
        password_hash text,
        -- connectorId (as text) -> EVSE id, e.g. {"1": "DE*2GO*EMCD1311*1A*2"}
        evse_ids jsonb not null default '{}'::jsonb,
        auto_registered boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    await q.query(`create index chargers_fleet on chargers (fleet_id)`);
    await q.query(`
      create table id_tags (
        fleet_id text not null,
        id_tag text not null,
        status text not null default 'Accepted' check (status in ('Accepted', 'Blocked', 'Expired', 'Invalid')),
        expiry_date timestamptz,
        parent_id_tag text,
        primary key (fleet_id, id_tag)
      )`);
    // transactionIds are handed out in blocks of 100 (one nextval per block, kept in memory):
    // unique across replicas and restarts; a crash wastes at most the rest of a block.
    await q.query(
      `create sequence transaction_id_blocks as integer increment by 100 minvalue 1 start with 1`,
    );
    // A StartTransaction retried because its confirmation was lost gets the same transactionId:
    // the unique key is what the charger sends again, the insert is "on conflict do nothing".
    await q.query(`
      create table started_transactions (
        transaction_id integer primary key,
        charge_point_id text not null,
        connector_id integer not null,
        id_tag text not null,
        start_timestamp text not null,
        meter_start bigint not null,
        created_at timestamptz not null default now(),
        unique (charge_point_id, connector_id, id_tag, start_timestamp, meter_start)
      )`);
    await q.query(`
      create table charger_connections (
        charge_point_id text primary key,
        gateway_id text not null,
        connected_at timestamptz not null
      )`);
    await q.query(`create index charger_connections_gateway on charger_connections (gateway_id)`);
    await q.query(`
      create table gateway_replicas (
        gateway_id text primary key,
        last_seen_at timestamptz not null
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists gateway_replicas`);
    await q.query(`drop table if exists charger_connections`);
    await q.query(`drop table if exists started_transactions`);
    await q.query(`drop sequence if exists transaction_id_blocks`);
    await q.query(`drop table if exists id_tags`);
    await q.query(`drop table if exists chargers`);
  }
}
