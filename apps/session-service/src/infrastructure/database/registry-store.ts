import type { Pool } from 'pg';
import { CHARGER_REGISTRY_SCHEMAS, chargerRegistryKey, idTagRegistryKey, topicName } from '@app/contracts';
import { appendToStream, type OutboxRoute, type Queryable, type RecordedEvent } from '@app/event-store';
import type {
  ChargerRegistryRepository,
  RegistryCharger,
  RegistryIdTag,
  RegistryRecord,
} from '../../application/charger-registry-ports';

/** The event store streams of registry records: one per record key, the relay's filter. */
export const REGISTRY_STREAM_TYPE = 'charger-registry';
const STREAM_PREFIX = `${REGISTRY_STREAM_TYPE}:`;
export const registryStreamId = (recordKey: string): string => STREAM_PREFIX + recordKey;

/** Checkpoint name of the registry relay (`outbox_checkpoints`). */
export const REGISTRY_RELAY_NAME = 'chargers.registry.v1';

/** Where the registry relay sends a stored record: `chargers.registry.v1`, keyed by the record key. */
export function registryRoute(topicPrefix: string): (event: RecordedEvent) => OutboxRoute | null {
  const topic = topicName('chargerRegistry', topicPrefix);
  return (event) => {
    if (!event.streamId.startsWith(STREAM_PREFIX)) return null;
    const schema = CHARGER_REGISTRY_SCHEMAS[event.type as keyof typeof CHARGER_REGISTRY_SCHEMAS];
    if (!schema) return null;
    return { topic, key: event.streamId.slice(STREAM_PREFIX.length), schema };
  };
}

interface ChargerRow {
  charge_point_id: string;
  fleet_id: string;
  password_hash: string | null;
  evse_ids: Record<string, string>;
  active: boolean;
  version: string;
  applied_version: string;
  created_at: Date;
  updated_at: Date;
  updated_by: string;
  deactivated_at: Date | null;
}

interface IdTagRow {
  fleet_id: string;
  id_tag: string;
  status: RegistryIdTag['status'];
  expiry_date: Date | null;
  parent_id_tag: string | null;
  version: string;
  updated_at: Date;
  updated_by: string;
}

const CHARGER_COLUMNS =
  'charge_point_id, fleet_id, password_hash, evse_ids, active, version, applied_version, created_at, updated_at, updated_by, deactivated_at';
const ID_TAG_COLUMNS =
  'fleet_id, id_tag, status, expiry_date, parent_id_tag, version, updated_at, updated_by';

function charger(r: ChargerRow): RegistryCharger {
  return {
    chargePointId: r.charge_point_id,
    fleetId: r.fleet_id,
    passwordHash: r.password_hash,
    evseIds: r.evse_ids ?? {},
    active: r.active,
    version: Number(r.version),
    appliedVersion: Number(r.applied_version),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    updatedBy: r.updated_by,
    deactivatedAt: r.deactivated_at ? r.deactivated_at.toISOString() : null,
  };
}

function idTag(r: IdTagRow): RegistryIdTag {
  return {
    fleetId: r.fleet_id,
    idTag: r.id_tag,
    status: r.status,
    expiryDate: r.expiry_date ? r.expiry_date.toISOString() : null,
    parentIdTag: r.parent_id_tag,
    version: Number(r.version),
    updatedAt: r.updated_at.toISOString(),
    updatedBy: r.updated_by,
  };
}

/** `charger_registry`, `registry_id_tags` and the registry's outbox streams (session-service database). */
export class PostgresRegistryStore implements ChargerRegistryRepository {
  constructor(private readonly pool: Pool) {}

  async lockKey(tx: Queryable, key: string): Promise<void> {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', ['registry:' + key]);
  }

  async nextVersion(tx: Queryable): Promise<number> {
    const { rows } = await tx.query<{ v: string }>("select nextval('registry_versions') as v");
    return Number(rows[0].v);
  }

  async insertCharger(tx: Queryable, c: RegistryCharger): Promise<boolean> {
    const { rowCount } = await tx.query(
      `insert into charger_registry (${CHARGER_COLUMNS})
       values ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11)
       on conflict (charge_point_id) do nothing`,
      [
        c.chargePointId,
        c.fleetId,
        c.passwordHash,
        JSON.stringify(c.evseIds),
        c.active,
        c.version,
        c.appliedVersion,
        c.createdAt,
        c.updatedAt,
        c.updatedBy,
        c.deactivatedAt,
      ],
    );
    return rowCount === 1;
  }

  async lockCharger(tx: Queryable, chargePointId: string): Promise<RegistryCharger | null> {
    const { rows } = await tx.query<ChargerRow>(
      `select ${CHARGER_COLUMNS} from charger_registry where charge_point_id = $1 for update`,
      [chargePointId],
    );
    return rows[0] ? charger(rows[0]) : null;
  }

  async updateCharger(tx: Queryable, c: RegistryCharger): Promise<void> {
    await tx.query(
      `update charger_registry set fleet_id = $2, password_hash = $3, evse_ids = $4::jsonb, active = $5,
         version = $6, updated_at = $7, updated_by = $8, deactivated_at = $9
       where charge_point_id = $1`,
      [
        c.chargePointId,
        c.fleetId,
        c.passwordHash,
        JSON.stringify(c.evseIds),
        c.active,
        c.version,
        c.updatedAt,
        c.updatedBy,
        c.deactivatedAt,
      ],
    );
  }

  async syncProjection(
    tx: Queryable,
    chargePointId: string,
    fleetId: string,
    evseIds: Record<string, string>,
  ): Promise<void> {
    const map = JSON.stringify(evseIds);
    // The charger's row exists once it connected (ingest); until then ingest writes it whole.
    await tx.query('update chargers set fleet_id = $2, evse_ids = $3::jsonb where charge_point_id = $1', [
      chargePointId,
      fleetId,
      map,
    ]);
    // Every connector the charger has: its EVSE id from the registry (none: null).
    await tx.query(
      `update connectors set fleet_id = $2, evse = $3::jsonb ->> connector_id::text, updated_at = now()
       where charge_point_id = $1`,
      [chargePointId, fleetId, map],
    );
    // Registered connectors it has not reported yet, so a start by their EVSE id finds them.
    await tx.query(
      `insert into connectors (charge_point_id, connector_id, fleet_id, evse)
       select $1, e.key::int, $2, e.value from jsonb_each_text($3::jsonb) as e(key, value)
       where exists (select 1 from chargers where charge_point_id = $1)
       on conflict (charge_point_id, connector_id) do nothing`,
      [chargePointId, fleetId, map],
    );
  }

  async findEvseOwner(
    tx: Queryable,
    fleetId: string,
    evseIds: string[],
    exceptChargePointId: string,
  ): Promise<{ evseId: string; chargePointId: string } | null> {
    if (evseIds.length === 0) return null;
    const { rows } = await tx.query<{ evse: string; charge_point_id: string }>(
      `select e.value as evse, r.charge_point_id from charger_registry r, jsonb_each_text(r.evse_ids) as e(key, value)
       where r.fleet_id = $1 and r.active and r.charge_point_id <> $3 and e.value = any($2::text[])
       order by r.charge_point_id limit 1`,
      [fleetId, evseIds, exceptChargePointId],
    );
    return rows[0] ? { evseId: rows[0].evse, chargePointId: rows[0].charge_point_id } : null;
  }

  async findCharger(chargePointId: string): Promise<RegistryCharger | null> {
    const { rows } = await this.pool.query<ChargerRow>(
      `select ${CHARGER_COLUMNS} from charger_registry where charge_point_id = $1`,
      [chargePointId],
    );
    return rows[0] ? charger(rows[0]) : null;
  }

  async appliedVersion(chargePointId: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ applied_version: string }>(
      'select applied_version from charger_registry where charge_point_id = $1',
      [chargePointId],
    );
    return rows[0] ? Number(rows[0].applied_version) : null;
  }

  async lockIdTag(tx: Queryable, fleetId: string, tag: string): Promise<RegistryIdTag | null> {
    const { rows } = await tx.query<IdTagRow>(
      `select ${ID_TAG_COLUMNS} from registry_id_tags where fleet_id = $1 and id_tag = $2 for update`,
      [fleetId, tag],
    );
    return rows[0] ? idTag(rows[0]) : null;
  }

  async upsertIdTag(tx: Queryable, t: RegistryIdTag): Promise<boolean> {
    const { rows } = await tx.query<{ created: boolean }>(
      `insert into registry_id_tags (${ID_TAG_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (fleet_id, id_tag) do update set status = excluded.status, expiry_date = excluded.expiry_date,
         parent_id_tag = excluded.parent_id_tag, version = excluded.version, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by
       returning (xmax = 0) as created`,
      [t.fleetId, t.idTag, t.status, t.expiryDate, t.parentIdTag, t.version, t.updatedAt, t.updatedBy],
    );
    return rows[0].created;
  }

  async deleteIdTag(tx: Queryable, fleetId: string, tag: string): Promise<void> {
    await tx.query('delete from registry_id_tags where fleet_id = $1 and id_tag = $2', [fleetId, tag]);
  }

  async findIdTag(fleetId: string, tag: string): Promise<RegistryIdTag | null> {
    const { rows } = await this.pool.query<IdTagRow>(
      `select ${ID_TAG_COLUMNS} from registry_id_tags where fleet_id = $1 and id_tag = $2`,
      [fleetId, tag],
    );
    return rows[0] ? idTag(rows[0]) : null;
  }

  async listIdTags(
    fleetId: string | null,
    page: { after?: { fleetId: string; idTag: string }; limit: number },
  ): Promise<RegistryIdTag[]> {
    const { rows } = await this.pool.query<IdTagRow>(
      `select ${ID_TAG_COLUMNS} from registry_id_tags
       where ($1::text is null or fleet_id = $1)
         and ($2::text is null or (fleet_id, id_tag) > ($2::text, $3::text))
       order by fleet_id, id_tag limit $4`,
      [fleetId, page.after?.fleetId ?? null, page.after?.idTag ?? null, page.limit],
    );
    return rows.map(idTag);
  }

  async outbox(tx: Queryable, record: RegistryRecord, tenantId: string): Promise<void> {
    const key =
      record.type === 'ChargerRegistered'
        ? chargerRegistryKey(record.data.chargePointId)
        : idTagRegistryKey(record.data.fleetId, record.data.idTag);
    await appendToStream(tx, registryStreamId(key), REGISTRY_STREAM_TYPE, tenantId, 'any', [
      { eventId: record.eventId, type: record.type, data: record.data },
    ]);
  }
}
