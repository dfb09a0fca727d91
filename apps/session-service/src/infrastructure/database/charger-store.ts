import { CHARGER_STATUS_SCHEMA, topicName, type ChargerStatus, type TariffPublished } from '@app/contracts';
import { appendToStreams, type OutboxRoute, type Queryable, type RecordedEvent } from '@app/event-store';
import type { ChargerProjection, RegistryEntry } from '../../application/charger-status';
import type { ChargerStatusEvent, ChargerStatusRepository } from '../../application/charger-status-ports';
import type { AnomalyRow, ChargerRepository, ConnectorRow } from '../../application/ports';

export type { AnomalyRow, ConnectorRow };

/** Stream type of the `ChargerStatusChanged` outbox (one stream per charger). */
export const CHARGER_STATUS_STREAM_TYPE = 'charger-status';
const STATUS_STREAM_PREFIX = 'charger-status-';
export const chargerStatusStreamId = (chargePointId: string) => STATUS_STREAM_PREFIX + chargePointId;
export const chargePointIdOfStatusStream = (streamId: string) => streamId.slice(STATUS_STREAM_PREFIX.length);
export const CHARGER_STATUS_EVENT = 'ChargerStatusChanged';
/** Checkpoint name of the status relay. */
export const CHARGER_STATUS_RELAY_NAME = 'chargers.status.v1';

/** Where the status relay publishes a status event: `chargers.status.v1`, key chargePointId. */
export function chargerStatusRoute(topicPrefix: string): (event: RecordedEvent) => OutboxRoute | null {
  const topic = topicName('chargerStatus', topicPrefix);
  return (event) =>
    event.type === CHARGER_STATUS_EVENT
      ? { topic, key: chargePointIdOfStatusStream(event.streamId), schema: CHARGER_STATUS_SCHEMA }
      : null;
}

/** A timestamptz as loaded (Date) or as Postgres' to_jsonb writes it (text), as ISO-8601 UTC. */
const iso = (v: unknown): string | null =>
  v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : null;

/** The columns of `chargers` that make a ChargerProjection (select list and row mapping). */
export const CHARGER_COLUMNS = `charge_point_id, fleet_id, evse_ids, connected, gateway_id, last_seen_at, protocol, boot,
  online_since, last_message_at, firmware_status, firmware_at, diagnostics_status, diagnostics_at, status_changed_at`;

export function chargerProjectionOf(r: Record<string, unknown>): ChargerProjection {
  return {
    chargePointId: r.charge_point_id as string,
    fleetId: r.fleet_id as string,
    evseIds: (r.evse_ids as Record<string, string>) ?? {},
    protocol: r.protocol as ChargerProjection['protocol'],
    online: r.connected as boolean,
    onlineSince: iso(r.online_since),
    gatewayId: (r.gateway_id as string | null) ?? null,
    lastSeenAt: iso(r.last_seen_at)!,
    lastMessageAt: iso(r.last_message_at),
    boot: (r.boot as ChargerProjection['boot']) ?? null,
    firmware: r.firmware_status ? { status: r.firmware_status as string, at: iso(r.firmware_at)! } : null,
    diagnostics: r.diagnostics_status
      ? { status: r.diagnostics_status as string, at: iso(r.diagnostics_at)! }
      : null,
    statusChangedAt: iso(r.status_changed_at),
  };
}

export const CONNECTOR_COLUMNS = `charge_point_id, connector_id, fleet_id, evse, status, status_at, error_code, info, vendor_id,
  vendor_error_code, last_session_id`;

export function connectorRowOf(r: Record<string, unknown>): ConnectorRow {
  return {
    chargePointId: r.charge_point_id as string,
    connectorId: r.connector_id as number,
    fleetId: r.fleet_id as string,
    evse: (r.evse as string | null) ?? null,
    status: (r.status as string | null) ?? null,
    // Loaded from the database (Date) or built by Postgres' to_jsonb (ISO text).
    statusAt: r.status_at ? new Date(r.status_at as string | Date).toISOString() : null,
    errorCode: (r.error_code as string | null) ?? null,
    info: (r.info as string | null) ?? null,
    vendorId: (r.vendor_id as string | null) ?? null,
    vendorErrorCode: (r.vendor_error_code as string | null) ?? null,
    lastSessionId: (r.last_session_id as string | null) ?? null,
  };
}

/** Chargers, connectors, tariffs and anomalies: projections written next to the session appends. */
export class ChargerStore implements ChargerRepository, ChargerStatusRepository {
  async loadConnectors(client: Queryable, chargePointIds: string[]): Promise<ConnectorRow[]> {
    if (chargePointIds.length === 0) return [];
    const { rows } = await client.query(
      `select ${CONNECTOR_COLUMNS} from connectors where charge_point_id = any($1::text[])`,
      [chargePointIds],
    );
    return rows.map(connectorRowOf);
  }

  /**
   * Writes the connectors whole: ingest passes rows it loaded (or new ones), so `last_session_id`
   * is what ingest decided, null included (the connector's last session no longer awaits it free).
   * `evse` only when the batch reported it (ChargerConnected): the operator API sets it too.
   */
  async saveConnectors(client: Queryable, rows: ConnectorRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `with x as (
         select * from jsonb_to_recordset($1::jsonb) as x(charge_point_id text, connector_id int, fleet_id text, evse text,
           evse_reported boolean, status text, status_at timestamptz, error_code text, info text, vendor_id text,
           vendor_error_code text, last_session_id uuid)
       ), updated as (
         update connectors c set fleet_id = x.fleet_id,
           evse = case when x.evse_reported then x.evse else c.evse end,
           status = x.status, status_at = x.status_at, error_code = x.error_code, info = x.info,
           vendor_id = x.vendor_id, vendor_error_code = x.vendor_error_code,
           last_session_id = x.last_session_id, updated_at = now()
         from x where c.charge_point_id = x.charge_point_id and c.connector_id = x.connector_id
         returning c.charge_point_id, c.connector_id
       )
       insert into connectors (charge_point_id, connector_id, fleet_id, evse, status, status_at, error_code, info, vendor_id, vendor_error_code, last_session_id, updated_at)
       select charge_point_id, connector_id, fleet_id, evse, status, status_at, error_code, info, vendor_id, vendor_error_code, last_session_id, now()
       from x where not exists (select 1 from updated u where u.charge_point_id = x.charge_point_id and u.connector_id = x.connector_id)
       on conflict (charge_point_id, connector_id) do nothing`,
      [
        JSON.stringify(
          rows.map((r) => ({
            charge_point_id: r.chargePointId,
            connector_id: r.connectorId,
            fleet_id: r.fleetId,
            evse: r.evse,
            evse_reported: r.evseReported === true,
            status: r.status,
            status_at: r.statusAt,
            error_code: r.errorCode,
            info: r.info,
            vendor_id: r.vendorId,
            vendor_error_code: r.vendorErrorCode,
            last_session_id: r.lastSessionId,
          })),
        ),
      ],
    );
  }

  async loadChargers(client: Queryable, chargePointIds: string[]): Promise<ChargerProjection[]> {
    if (chargePointIds.length === 0) return [];
    const { rows } = await client.query(
      `select ${CHARGER_COLUMNS} from chargers where charge_point_id = any($1::text[])`,
      [chargePointIds],
    );
    return rows.map(chargerProjectionOf);
  }

  async loadRegistryEntries(client: Queryable, chargePointIds: string[]): Promise<RegistryEntry[]> {
    if (chargePointIds.length === 0) return [];
    const { rows } = await client.query<{
      charge_point_id: string;
      fleet_id: string;
      active: boolean;
      evse_ids: Record<string, string>;
    }>(
      'select charge_point_id, fleet_id, active, evse_ids from charger_registry where charge_point_id = any($1::text[])',
      [chargePointIds],
    );
    return rows.map((r) => ({
      chargePointId: r.charge_point_id,
      fleetId: r.fleet_id,
      active: r.active,
      evseIds: r.evse_ids ?? {},
    }));
  }

  async loadStatusVersions(client: Queryable, chargePointIds: string[]): Promise<Map<string, number>> {
    if (chargePointIds.length === 0) return new Map();
    const { rows } = await client.query<{ stream_id: string; version: string }>(
      'select stream_id, version from streams where stream_id = any($1::text[])',
      [chargePointIds.map(chargerStatusStreamId)],
    );
    return new Map(rows.map((r) => [chargePointIdOfStatusStream(r.stream_id), Number(r.version)]));
  }

  /**
   * One statement for the batch's chargers. The fleet and EVSE ids change only when the batch's
   * ChargerConnected reported them (the operator API writes them too, in its own transactions).
   */
  async saveChargers(client: Queryable, rows: ChargerProjection[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `with x as (
         select * from jsonb_to_recordset($1::jsonb) as x(charge_point_id text, fleet_id text, evse_ids jsonb, reported boolean,
           connected boolean, gateway_id text, last_seen_at timestamptz, protocol text, boot jsonb, online_since timestamptz,
           last_message_at timestamptz, firmware_status text, firmware_at timestamptz, diagnostics_status text,
           diagnostics_at timestamptz, status_changed_at timestamptz)
       ), updated as (
         update chargers c set
           fleet_id = case when x.reported then x.fleet_id else c.fleet_id end,
           evse_ids = case when x.reported then coalesce(x.evse_ids, '{}'::jsonb) else c.evse_ids end,
           connected = x.connected, gateway_id = x.gateway_id,
           last_seen_at = greatest(c.last_seen_at, x.last_seen_at),
           protocol = x.protocol, boot = x.boot, online_since = x.online_since,
           last_message_at = greatest(c.last_message_at, x.last_message_at),
           firmware_status = x.firmware_status, firmware_at = x.firmware_at,
           diagnostics_status = x.diagnostics_status, diagnostics_at = x.diagnostics_at,
           status_changed_at = coalesce(x.status_changed_at, c.status_changed_at)
         from x where c.charge_point_id = x.charge_point_id
         returning c.charge_point_id
       )
       insert into chargers (charge_point_id, fleet_id, evse_ids, connected, gateway_id, last_seen_at, protocol, boot,
         online_since, last_message_at, firmware_status, firmware_at, diagnostics_status, diagnostics_at, status_changed_at)
       select charge_point_id, fleet_id, coalesce(evse_ids, '{}'::jsonb), connected, gateway_id, last_seen_at, protocol, boot,
         online_since, last_message_at, firmware_status, firmware_at, diagnostics_status, diagnostics_at,
         coalesce(status_changed_at, now())
       from x where charge_point_id not in (select charge_point_id from updated)
       on conflict (charge_point_id) do nothing`,
      [
        JSON.stringify(
          rows.map((r) => ({
            charge_point_id: r.chargePointId,
            fleet_id: r.fleetId,
            evse_ids: r.evseIds,
            reported: r.registrationReported === true,
            connected: r.online,
            gateway_id: r.gatewayId,
            last_seen_at: r.lastSeenAt,
            protocol: r.protocol,
            boot: r.boot,
            online_since: r.onlineSince,
            last_message_at: r.lastMessageAt,
            firmware_status: r.firmware?.status ?? null,
            firmware_at: r.firmware?.at ?? null,
            diagnostics_status: r.diagnostics?.status ?? null,
            diagnostics_at: r.diagnostics?.at ?? null,
            status_changed_at: r.statusChangedAt,
          })),
        ),
      ],
    );
  }

  /** Only rows that exist: a Heartbeat does not make a charger (its connect does). HOT: nothing indexes it. */
  async touchLastMessages(
    client: Queryable,
    rows: { chargePointId: string; fleetId: string; at: string }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `update chargers c set last_message_at = greatest(c.last_message_at, x.at)
       from unnest($1::text[], $2::timestamptz[]) as x(charge_point_id, at)
       where c.charge_point_id = x.charge_point_id
         and (c.last_message_at is null or c.last_message_at < x.at)`,
      [rows.map((r) => r.chargePointId), rows.map((r) => r.at)],
    );
  }

  async appendStatuses(client: Queryable, events: ChargerStatusEvent[]): Promise<void> {
    if (events.length === 0) return;
    await appendToStreams(
      client,
      events.map((e) => ({
        streamId: chargerStatusStreamId(e.status.chargePointId),
        streamType: CHARGER_STATUS_STREAM_TYPE,
        tenantId: e.status.fleetId,
        expectedVersion: e.expectedVersion,
        events: [{ eventId: e.eventId, type: CHARGER_STATUS_EVENT, data: e.status satisfies ChargerStatus }],
      })),
    );
  }

  async recordRegistryApplied(
    client: Queryable,
    applied: { chargePointId: string; version: number }[],
  ): Promise<void> {
    if (applied.length === 0) return;
    await client.query(
      `update charger_registry r set applied_version = greatest(r.applied_version, x.version)
       from unnest($1::text[], $2::bigint[]) as x(charge_point_id, version)
       where r.charge_point_id = x.charge_point_id and r.applied_version < x.version`,
      [applied.map((a) => a.chargePointId), applied.map((a) => a.version)],
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
