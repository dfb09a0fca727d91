import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway's `chargers` and `id_tags` become its copy of the charger registry that
 * session-service owns and publishes on `chargers.registry.v1`. Each row keeps the registry
 * version it was written from: the registry consumer writes a record only if its version is newer,
 * so a redelivered or replayed record (a new replica reads the topic from its beginning) never
 * undoes a later change. 0: written by this gateway itself (dev-stack auto-registration, the old
 * CLI), so any registry record replaces it.
 * A deactivated charger keeps its row (`active` false: handshakes refused, history kept). A removed
 * id tag keeps its row too (`deleted`), as the version a replayed older record is compared with:
 * without it, a replica replaying the topic would bring the tag back until it reached the removal.
 */
export class RegistryCopy1764800000000 implements MigrationInterface {
  name = 'RegistryCopy1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table chargers
        add column active boolean not null default true,
        add column registry_version bigint not null default 0`);
    await q.query(`
      alter table id_tags
        add column registry_version bigint not null default 0,
        add column deleted boolean not null default false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table id_tags drop column deleted, drop column registry_version`);
    await q.query(`alter table chargers drop column registry_version, drop column active`);
  }
}
