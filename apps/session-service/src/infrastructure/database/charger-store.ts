import type { TariffPublished } from '@app/contracts';
import type { Queryable } from '@app/event-store';
import type { AnomalyRow, ChargerRepository, ChargerRow, ConnectorRow } from '../../application/ports';

export type { AnomalyRow, ChargerRow, ConnectorRow };

/** Chargers, connectors, tariffs and anomalies: projections written next to the session appends. */
export class ChargerStore implements ChargerRepository {
  async loadConnectors(client: Queryable, chargePointIds: string[]): Promise<ConnectorRow[]> {
    if (chargePointIds.length === 0) return [];
    const { rows } = await client.query(
      `select charge_point_id, connector_id, fleet_id, evse, status, status_at, error_code, last_session_id from connectors where charge_point_id = any($1::text[])`,
      [chargePointIds],
    );
    return rows.map((r) => ({
      chargePointId: r.charge_point_id,
      connectorId: r.connector_id,
      fleetId: r.fleet_id,
      evse: r.evse,
      status: r.status,
      statusAt: r.status_at ? (r.status_at as Date).toISOString() : null,
      errorCode: r.error_code,
      lastSessionId: r.last_session_id,
    }));
  }

  /**
   * Writes the connectors whole: ingest passes rows it loaded (or new ones), so `last_session_id`
   * is what ingest decided, null included (the connector's last session no longer awaits it free).
   */
  async saveConnectors(client: Queryable, rows: ConnectorRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `insert into connectors (charge_point_id, connector_id, fleet_id, evse, status, status_at, error_code, last_session_id, updated_at)
       select charge_point_id, connector_id, fleet_id, evse, status, status_at, error_code, last_session_id, now()
       from jsonb_to_recordset($1::jsonb) as x(charge_point_id text, connector_id int, fleet_id text, evse text, status text, status_at timestamptz, error_code text, last_session_id uuid)
       on conflict (charge_point_id, connector_id) do update set fleet_id = excluded.fleet_id, evse = excluded.evse,
         status = excluded.status, status_at = excluded.status_at, error_code = excluded.error_code,
         last_session_id = excluded.last_session_id, updated_at = now()`,
      [
        JSON.stringify(
          rows.map((r) => ({
            charge_point_id: r.chargePointId,
            connector_id: r.connectorId,
            fleet_id: r.fleetId,
            evse: r.evse,
            status: r.status,
            status_at: r.statusAt,
            error_code: r.errorCode,
            last_session_id: r.lastSessionId,
          })),
        ),
      ],
    );
  }

  async saveChargers(client: Queryable, rows: ChargerRow[]): Promise<void> {
    // A disconnect without a connect in this batch must not wipe the registered EVSE ids.
    const connects = rows.filter((r) => r.connected || Object.keys(r.evseIds).length > 0);
    const disconnects = rows.filter((r) => !connects.includes(r));
    await this.upsertChargers(client, connects);
    for (const d of disconnects) {
      await client.query(
        `insert into chargers (charge_point_id, fleet_id, connected, gateway_id, last_seen_at) values ($1, $2, false, $3, $4)
         on conflict (charge_point_id) do update set connected = false, last_seen_at = greatest(chargers.last_seen_at, excluded.last_seen_at)`,
        [d.chargePointId, d.fleetId, d.gatewayId, d.lastSeenAt],
      );
    }
  }

  private async upsertChargers(client: Queryable, rows: ChargerRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `insert into chargers (charge_point_id, fleet_id, evse_ids, connected, gateway_id, last_seen_at)
       select charge_point_id, fleet_id, evse_ids, connected, gateway_id, last_seen_at
       from jsonb_to_recordset($1::jsonb) as x(charge_point_id text, fleet_id text, evse_ids jsonb, connected boolean, gateway_id text, last_seen_at timestamptz)
       on conflict (charge_point_id) do update set fleet_id = excluded.fleet_id, evse_ids = excluded.evse_ids,
         connected = excluded.connected, gateway_id = excluded.gateway_id,
         last_seen_at = greatest(chargers.last_seen_at, excluded.last_seen_at)`,
      [
        JSON.stringify(
          rows.map((r) => ({
            charge_point_id: r.chargePointId,
            fleet_id: r.fleetId,
            evse_ids: r.evseIds,
            connected: r.connected,
            gateway_id: r.gatewayId,
            last_seen_at: r.lastSeenAt,
          })),
        ),
      ],
    );
  }

  async saveAnomalies(client: Queryable, rows: AnomalyRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `insert into anomalies (source_event_id, fleet_id, charge_point_id, kind, detail)
       select source_event_id, fleet_id, charge_point_id, kind, detail
       from jsonb_to_recordset($1::jsonb) as x(source_event_id uuid, fleet_id text, charge_point_id text, kind text, detail jsonb)
       on conflict (source_event_id) do nothing`,
      [
        JSON.stringify(
          rows.map((r) => ({
            source_event_id: r.sourceEventId,
            fleet_id: r.fleetId,
            charge_point_id: r.chargePointId,
            kind: r.kind,
            detail: r.detail,
          })),
        ),
      ],
    );
  }

  /** Tariffs assigned to any of these fleets, chargers or EVSEs. */
  async loadCandidateTariffs(
    client: Queryable,
    fleets: string[],
    chargePointIds: string[],
    evses: string[],
  ): Promise<TariffPublished[]> {
    const { rows } = await client.query<{ published: TariffPublished }>(
      `select t.published from tariffs t where t.tariff_id in (
         select tariff_id from tariff_assignments
         where (scope = 'FLEET' and ref = any($1::text[])) or (scope = 'CHARGE_POINT' and ref = any($2::text[])) or (scope = 'EVSE' and ref = any($3::text[])))`,
      [fleets, chargePointIds, evses],
    );
    return rows.map((r) => r.published);
  }

  /** Stores the latest published state of a tariff (the topic is compacted: last write wins). */
  async saveTariff(client: Queryable, tariff: TariffPublished): Promise<void> {
    await client.query(
      `insert into tariffs (tariff_id, published, published_at) values ($1, $2, $3)
       on conflict (tariff_id) do update set published = excluded.published, published_at = excluded.published_at, updated_at = now()
       where tariffs.published_at is null or excluded.published_at is null or excluded.published_at >= tariffs.published_at`,
      [tariff.tariffId, JSON.stringify(tariff), tariff.publishedAt ?? null],
    );
    await client.query('delete from tariff_assignments where tariff_id = $1', [tariff.tariffId]);
    const current = await client.query<{ published: TariffPublished }>(
      'select published from tariffs where tariff_id = $1',
      [tariff.tariffId],
    );
    const assignments = current.rows[0].published.assignments ?? [];
    if (assignments.length > 0) {
      await client.query(
        `insert into tariff_assignments (tariff_id, scope, ref) select $1, scope, ref from unnest($2::text[], $3::text[]) as a(scope, ref) on conflict do nothing`,
        [tariff.tariffId, assignments.map((a) => a.scope), assignments.map((a) => a.ref)],
      );
    }
  }

  async deleteTariff(client: Queryable, tariffId: string): Promise<void> {
    await client.query('delete from tariffs where tariff_id = $1', [tariffId]);
  }

  async findRegisteredEvse(
    client: Queryable,
    fleetId: string,
    evse: string,
  ): Promise<{ chargePointId: string; connectorId: number } | null> {
    const { rows } = await client.query<{ charge_point_id: string; connector_id: number }>(
      'select charge_point_id, connector_id from connectors where fleet_id = $1 and evse = $2 limit 1',
      [fleetId, evse],
    );
    return rows[0] ? { chargePointId: rows[0].charge_point_id, connectorId: rows[0].connector_id } : null;
  }

  async findFleetConnector(
    client: Queryable,
    fleetId: string,
    chargePointId: string,
    connectorId: number,
  ): Promise<{ evse: string | null } | null> {
    const charger = await client.query(
      'select 1 from chargers where charge_point_id = $1 and fleet_id = $2',
      [chargePointId, fleetId],
    );
    if (charger.rows.length === 0) return null;
    const reg = await client.query<{ evse: string | null }>(
      'select evse from connectors where charge_point_id = $1 and connector_id = $2',
      [chargePointId, connectorId],
    );
    return { evse: reg.rows[0]?.evse ?? null };
  }
}
