import type { Pool } from 'pg';
import type {
  ChargerListFilter,
  ChargerRecord,
  ChargerStatusQueries,
} from '../../application/charger-status-ports';
import type { Tx } from '../../application/ports';
import { chargerProjectionOf, connectorRowOf } from './charger-store';

/**
 * The page's rows with everything the view needs, in one statement: the registry entry, the
 * `chargers` row (to_jsonb) and the connectors (one jsonb array). `ids` is a CTE of charge point ids.
 */
const RECORDS = `
  select ids.charge_point_id,
    r.fleet_id as registry_fleet_id, r.active as registry_active, r.evse_ids as registry_evse_ids,
    r.created_at as registry_created_at, r.updated_at as registry_updated_at,
    to_jsonb(c) as charger,
    (select coalesce(jsonb_agg(to_jsonb(k) order by k.connector_id), '[]'::jsonb)
       from (select charge_point_id, connector_id, fleet_id, evse, status, status_at, error_code, info, vendor_id,
               vendor_error_code, last_session_id
             from connectors where charge_point_id = ids.charge_point_id) k) as connectors
  from ids
  left join charger_registry r on r.charge_point_id = ids.charge_point_id
  left join chargers c on c.charge_point_id = ids.charge_point_id
  order by ids.charge_point_id`;

function recordOf(row: Record<string, unknown>): ChargerRecord {
  const charger = row.charger ? chargerProjectionOf(row.charger as Record<string, unknown>) : null;
  const registered = row.registry_fleet_id !== null && row.registry_fleet_id !== undefined;
  const chargerJson = row.charger as Record<string, unknown> | null;
  const createdAt = registered
    ? (row.registry_created_at as Date).toISOString()
    : new Date(chargerJson!.created_at as string).toISOString();
  const changes = [
    registered ? (row.registry_updated_at as Date).toISOString() : null,
    charger?.statusChangedAt ?? null,
  ].filter((t): t is string => t !== null);
  return {
    chargePointId: row.charge_point_id as string,
    charger,
    connectors: (row.connectors as Record<string, unknown>[]).map(connectorRowOf),
    registry: registered
      ? {
          chargePointId: row.charge_point_id as string,
          fleetId: row.registry_fleet_id as string,
          active: row.registry_active as boolean,
          evseIds: (row.registry_evse_ids as Record<string, string>) ?? {},
        }
      : null,
    createdAt,
    updatedAt: changes.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a), createdAt),
  };
}

/**
 * Registry entries (charger_registry, the operator API's) full-joined with the chargers/connectors
 * projection. A page is one statement: the ids of the page come from two keyset scans (registered
 * chargers by id, and chargers only seen, by id), each on an index and stopped at the page size,
 * merged and cut; then the rows of those ids. No query per charger.
 */
export class PostgresChargerStatusQueries implements ChargerStatusQueries {
  constructor(private readonly pool: Pool) {}

  async find(chargePointId: string, tx?: Tx): Promise<ChargerRecord | null> {
    const { rows } = await (tx ?? this.pool).query(
      `with ids as (
         select $1::text as charge_point_id
         where exists (select 1 from charger_registry where charge_point_id = $1)
            or exists (select 1 from chargers where charge_point_id = $1)
       )${RECORDS}`,
      [chargePointId],
    );
    return rows[0] ? recordOf(rows[0]) : null;
  }

  async list(filter: ChargerListFilter): Promise<ChargerRecord[]> {
    const params: unknown[] = [filter.after ?? '', filter.limit];
    const registered: string[] = ['r.charge_point_id > $1'];
    const seen: string[] = [
      'c.charge_point_id > $1',
      'not exists (select 1 from charger_registry x where x.charge_point_id = c.charge_point_id)',
    ];
    if (filter.fleetId !== undefined) {
      params.push(filter.fleetId);
      registered.push(`r.fleet_id = $${params.length}`);
      seen.push(`c.fleet_id = $${params.length}`);
    }
    let join = 'left join chargers c on c.charge_point_id = r.charge_point_id';
    if (filter.online === true) {
      join = 'join chargers c on c.charge_point_id = r.charge_point_id and c.connected';
      seen.push('c.connected');
    } else if (filter.online === false) {
      registered.push('coalesce(c.connected, false) = false');
      seen.push('not c.connected');
    }
    const { rows } = await this.pool.query(
      `with registered as (
         select r.charge_point_id from charger_registry r ${join}
         where ${registered.join(' and ')} order by r.charge_point_id limit $2
       ), seen as (
         -- A full page of registered ids ends the scan at its last one (nothing after it is on the
         -- page): the anti-join then reads a page's worth of rows, not every charger.
         select c.charge_point_id from chargers c
         where ${seen.join(' and ')}
           and c.charge_point_id <= coalesce(
             (select max(charge_point_id) from registered having count(*) = $2),
             (select max(charge_point_id) from chargers))
         order by c.charge_point_id limit $2
       ), ids as (
         select charge_point_id from registered union all select charge_point_id from seen
         order by 1 limit $2
       )${RECORDS}`,
      params,
    );
    return rows.map(recordOf);
  }
}
