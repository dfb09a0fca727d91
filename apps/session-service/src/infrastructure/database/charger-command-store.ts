import type { Queryable } from '@app/event-store';
import type { ChargerProtocol } from '@app/contracts';
import type {
  ChargerCommandTargets,
  ChargerConnection,
  CommandTarget,
  FleetIdTag,
} from '../../application/charger-command-ports';

/** Reads charger_registry / registry_id_tags (the registry's tables) and the chargers projection. */
export class ChargerCommandStore implements ChargerCommandTargets {
  async find(tx: Queryable, chargePointId: string): Promise<CommandTarget | null> {
    const { rows } = await tx.query<{ fleet_id: string; active: boolean; protocol: ChargerProtocol | null }>(
      `select coalesce(r.fleet_id, c.fleet_id) as fleet_id, coalesce(r.active, true) as active, c.protocol
         from (select $1::text as id) q
         left join charger_registry r on r.charge_point_id = q.id
         left join chargers c on c.charge_point_id = q.id
        where r.charge_point_id is not null or c.charge_point_id is not null`,
      [chargePointId],
    );
    const row = rows[0];
    return row ? { chargePointId, fleetId: row.fleet_id, active: row.active, protocol: row.protocol } : null;
  }

  async connections(tx: Queryable, chargePointIds: string[]): Promise<Map<string, ChargerConnection>> {
    if (chargePointIds.length === 0) return new Map();
    const { rows } = await tx.query<{
      charge_point_id: string;
      connected: boolean;
      protocol: ChargerProtocol;
    }>(`select charge_point_id, connected, protocol from chargers where charge_point_id = any($1::text[])`, [
      chargePointIds,
    ]);
    return new Map(rows.map((r) => [r.charge_point_id, { connected: r.connected, protocol: r.protocol }]));
  }

  async fleetIdTags(tx: Queryable, fleetId: string): Promise<FleetIdTag[]> {
    const { rows } = await tx.query<{
      id_tag: string;
      status: FleetIdTag['status'];
      expiry_date: Date | null;
      parent_id_tag: string | null;
      version: string;
    }>(
      `select id_tag, status, expiry_date, parent_id_tag, version::text as version
         from registry_id_tags where fleet_id = $1 order by id_tag`,
      [fleetId],
    );
    return rows.map((r) => ({
      idTag: r.id_tag,
      status: r.status,
      expiryDate: r.expiry_date ? r.expiry_date.toISOString() : null,
      parentIdTag: r.parent_id_tag,
      version: r.version,
    }));
  }
}
