import type { DataSource } from 'typeorm';
import type { ChargerRegistration, IdTagRegistration } from '@app/contracts';
import type { RegistryCopyStore } from '../../../application/apply-registry-records';

/**
 * The registry consumer's writes to `chargers` and `id_tags`: one set-based statement per batch,
 * each row written only from a newer registry version (`where registry_version < excluded...`),
 * so concurrent replicas, redeliveries and replays are harmless.
 */
export class PgRegistryCopyStore implements RegistryCopyStore {
  constructor(private readonly db: DataSource) {}

  async applyChargers(records: ChargerRegistration[]): Promise<Set<string>> {
    const rows = records.map((r) => ({
      id: r.chargePointId,
      fleet_id: r.fleetId,
      password_hash: r.passwordHash,
      evse_ids: r.evseIds,
      active: r.active,
      registry_version: r.version,
    }));
    const changed: Array<{ id: string }> = await this.db.query(
      `insert into chargers (id, fleet_id, password_hash, evse_ids, active, registry_version, auto_registered)
       select id, fleet_id, password_hash, coalesce(evse_ids, '{}'::jsonb), active, registry_version, false
         from jsonb_to_recordset($1::jsonb) as r(id text, fleet_id text, password_hash text, evse_ids jsonb,
                                                 active boolean, registry_version bigint)
       on conflict (id) do update set fleet_id = excluded.fleet_id, password_hash = excluded.password_hash,
         evse_ids = excluded.evse_ids, active = excluded.active, registry_version = excluded.registry_version,
         auto_registered = false, updated_at = now()
       where chargers.registry_version < excluded.registry_version
       returning id`,
      [JSON.stringify(rows)],
    );
    return new Set(changed.map((r) => r.id));
  }

  async applyIdTags(records: IdTagRegistration[]): Promise<void> {
    const rows = records.map((r) => ({
      fleet_id: r.fleetId,
      id_tag: r.idTag,
      status: r.status,
      expiry_date: r.expiryDate,
      parent_id_tag: r.parentIdTag,
      registry_version: r.version,
      deleted: r.deleted,
    }));
    await this.db.query(
      `insert into id_tags (fleet_id, id_tag, status, expiry_date, parent_id_tag, registry_version, deleted)
       select fleet_id, id_tag, status, expiry_date, parent_id_tag, registry_version, deleted
         from jsonb_to_recordset($1::jsonb) as r(fleet_id text, id_tag text, status text, expiry_date timestamptz,
                                                 parent_id_tag text, registry_version bigint, deleted boolean)
       on conflict (fleet_id, id_tag) do update set status = excluded.status, expiry_date = excluded.expiry_date,
         parent_id_tag = excluded.parent_id_tag, registry_version = excluded.registry_version,
         deleted = excluded.deleted
       where id_tags.registry_version < excluded.registry_version`,
      [JSON.stringify(rows)],
    );
  }
}
