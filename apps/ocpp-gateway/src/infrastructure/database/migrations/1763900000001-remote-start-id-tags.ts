import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * idTags the CSMS itself handed a charger in a RemoteStartTransaction. The session service makes
 * one per remote session; it is in no fleet's id_tags, so without this the charger's Authorize and
 * StartTransaction for it were answered Invalid outside the dev stack. Granted per charger, for a
 * limited time, when the gateway sends the command.
 */
export class RemoteStartIdTags1763900000001 implements MigrationInterface {
  name = 'RemoteStartIdTags1763900000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table remote_start_id_tags (
        charge_point_id text not null,
        id_tag text not null,
        expires_at timestamptz not null,
        granted_at timestamptz not null default now(),
        primary key (charge_point_id, id_tag)
      )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists remote_start_id_tags`);
  }
}
