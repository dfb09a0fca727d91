import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The charger registry moves to session-service (issue 12): session-service owns these tables and
 * publishes every change on the compacted `chargers.registry.v1`; the gateway's `chargers` and
 * `id_tags` are its copy. One sequence numbers every change (chargers and id tags), so a record's
 * `version` increases strictly per key and a gateway applies only a newer one.
 * `applied_version` is the newest version a gateway replica said it applied
 * (ChargerRegistryApplied); password rotation and deactivation answer once it reaches `version`.
 * Only the hash of a charger's password is stored (libs/ocpp charger-password).
 */
export class ChargerRegistry1764800000000 implements MigrationInterface {
  name = 'ChargerRegistry1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('create sequence registry_versions as bigint');
    await q.query(`
      create table charger_registry (
        charge_point_id text primary key,
        fleet_id text not null,
        password_hash text,
        evse_ids jsonb not null default '{}',
        active boolean not null default true,
        version bigint not null,
        applied_version bigint not null default 0,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        updated_by text not null,
        deactivated_at timestamptz
      )`);
    await q.query('create index charger_registry_fleet_idx on charger_registry (fleet_id, charge_point_id)');
    await q.query(`
      create table registry_id_tags (
        fleet_id text not null,
        id_tag text not null,
        status text not null check (status in ('Accepted', 'Blocked', 'Expired')),
        expiry_date timestamptz,
        parent_id_tag text,
        version bigint not null,
        updated_at timestamptz not null default now(),
        updated_by text not null,
        primary key (fleet_id, id_tag)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table registry_id_tags');
    await q.query('drop table charger_registry');
    await q.query('drop sequence registry_versions');
  }
}
