import type { DataSource } from 'typeorm';
import type { ChargerRepository, RegisteredCharger } from '../../../application/ports';
import type { IdTagRecord } from '../../../domain/id-tag-info';

interface ChargerRow {
  id: string;
  fleet_id: string;
  password_hash: string | null;
  evse_ids: Record<string, string>;
  active: boolean;
  /** bigint: pg returns it as text. */
  registry_version: string;
}

const CHARGER_COLUMNS = 'id, fleet_id, password_hash, evse_ids, active, registry_version';

function toCharger(row: ChargerRow): RegisteredCharger {
  return {
    id: row.id,
    fleetId: row.fleet_id,
    passwordHash: row.password_hash,
    evseIds: row.evse_ids ?? {},
    active: row.active,
    // Registry versions come from one Postgres sequence: far below 2^53.
    registryVersion: Number(row.registry_version),
  };
}

export class PgChargerRepository implements ChargerRepository {
  constructor(private readonly db: DataSource) {}

  async find(id: string): Promise<RegisteredCharger | null> {
    const rows: ChargerRow[] = await this.db.query(`select ${CHARGER_COLUMNS} from chargers where id = $1`, [
      id,
    ]);
    return rows[0] ? toCharger(rows[0]) : null;
  }

  async registerIfAbsent(id: string, fleetId: string): Promise<RegisteredCharger> {
    // One round trip: the inserted row, or the one a concurrent registration stored first.
    const rows: ChargerRow[] = await this.db.query(
      `with inserted as (
         insert into chargers (id, fleet_id, auto_registered) values ($1, $2, true) on conflict (id) do nothing
         returning ${CHARGER_COLUMNS})
       select * from inserted
       union all
       select ${CHARGER_COLUMNS} from chargers where id = $1 and not exists (select 1 from inserted)`,
      [id, fleetId],
    );
    if (rows[0]) return toCharger(rows[0]);
    // A concurrent registration committed after this statement's snapshot: read it now.
    const charger = await this.find(id);
    if (!charger) throw new Error(`charger ${id} vanished right after registration`);
    return charger;
  }

  /**
   * Registers or updates a charger directly (the old gateway CLI and tests; the registry consumer
   * is the production writer). A new password replaces the old one at once. Keeps the row's
   * registry version, so the next registry record still applies.
   */
  async upsert(
    charger: Pick<RegisteredCharger, 'id' | 'fleetId' | 'evseIds'> & { passwordHash: string },
  ): Promise<void> {
    await this.db.query(
      `insert into chargers (id, fleet_id, password_hash, evse_ids, auto_registered)
       values ($1, $2, $3, $4::jsonb, false)
       on conflict (id) do update set fleet_id = excluded.fleet_id, password_hash = excluded.password_hash,
         evse_ids = excluded.evse_ids, auto_registered = false, active = true, updated_at = now()`,
      [charger.id, charger.fleetId, charger.passwordHash, JSON.stringify(charger.evseIds)],
    );
  }

  async grantRemoteStartIdTag(chargePointId: string, idTag: string, expiresAt: Date): Promise<void> {
    await this.db.query(
      `with expired as (delete from remote_start_id_tags where charge_point_id = $1 and id_tag <> $2 and expires_at <= now())
       insert into remote_start_id_tags (charge_point_id, id_tag, expires_at) values ($1, $2, $3)
       on conflict (charge_point_id, id_tag) do update
         set expires_at = greatest(remote_start_id_tags.expires_at, excluded.expires_at), granted_at = now()`,
      [chargePointId, idTag, expiresAt],
    );
  }

  async upsertIdTag(fleetId: string, idTag: string, record: IdTagRecord): Promise<void> {
    await this.db.query(
      `insert into id_tags (fleet_id, id_tag, status, expiry_date, parent_id_tag) values ($1, $2, $3, $4, $5)
       on conflict (fleet_id, id_tag) do update set status = excluded.status, expiry_date = excluded.expiry_date,
         parent_id_tag = excluded.parent_id_tag, deleted = false`,
      [fleetId, idTag, record.status, record.expiryDate, record.parentIdTag],
    );
  }

  async findIdTag(fleetId: string, idTag: string, chargePointId: string): Promise<IdTagRecord | null> {
    // The fleet's own record wins (a Blocked tag stays blocked); else a live remote-start grant.
    const rows: Array<{
      status: IdTagRecord['status'];
      expiry_date: Date | null;
      parent_id_tag: string | null;
    }> = await this.db.query(
      `select status, expiry_date, parent_id_tag from (
         select 1 as rank, status, expiry_date, parent_id_tag from id_tags
          where fleet_id = $1 and id_tag = $2 and not deleted
         union all
         select 2, 'Accepted', null, null from remote_start_id_tags
          where charge_point_id = $3 and id_tag = $2 and expires_at > now()
       ) t order by rank limit 1`,
      [fleetId, idTag, chargePointId],
    );
    const row = rows[0];
    return row ? { status: row.status, expiryDate: row.expiry_date, parentIdTag: row.parent_id_tag } : null;
  }
}
