/**
 * What GET /v1/chargers and /v1/chargers/:id show of a charger (snake_case, like the sessions API):
 * the registry entry joined with the chargers/connectors projection. A charger that connected
 * without a registry entry (dev auto-registration) shows too, active. The picture is the one
 * published on chargers.status.v1 (chargerStatusOf), plus when the charger was registered.
 */
import type { ChargerStatus } from '@app/contracts';
import { query, type ParsedQuery } from '@app/http';
import { chargerStatusOf } from './charger-status';
import type { ChargerRecord, ChargerStatusQueries } from './charger-status-ports';
import { RegistryError } from './charger-registry-ports';
import type { Tx } from './ports';

export interface ChargerBootView {
  vendor: string;
  model: string;
  charge_point_serial_number: string | null;
  charge_box_serial_number: string | null;
  firmware_version: string | null;
  iccid: string | null;
  imsi: string | null;
  meter_type: string | null;
  meter_serial_number: string | null;
  booted_at: string;
}

export interface ConnectorView {
  connector_id: number;
  evse_id: string | null;
  status: string | null;
  error_code: string | null;
  info: string | null;
  vendor_id: string | null;
  vendor_error_code: string | null;
  since: string | null;
  session_id: string | null;
}

export interface ChargerView {
  id: string;
  fleet: string;
  active: boolean;
  online: boolean;
  online_since: string | null;
  last_message_at: string | null;
  gateway_id: string | null;
  protocol: string;
  boot: ChargerBootView | null;
  connectors: ConnectorView[];
  firmware: { status: string; at: string } | null;
  diagnostics: { status: string; at: string } | null;
  created_at: string;
  updated_at: string;
}

/** The picture of a charger as published on chargers.status.v1 (updatedAt: the picture's last change). */
export function chargerStatusOfRecord(r: ChargerRecord): ChargerStatus {
  return chargerStatusOf(r.chargePointId, r.charger, r.connectors, r.registry, r.updatedAt);
}

export function toChargerView(r: ChargerRecord): ChargerView {
  const s = chargerStatusOfRecord(r);
  return {
    id: s.chargePointId,
    fleet: s.fleetId,
    active: s.active,
    online: s.online,
    online_since: s.onlineSince,
    last_message_at: s.lastMessageAt,
    gateway_id: s.gatewayId,
    protocol: s.protocol,
    boot: s.boot && {
      vendor: s.boot.vendor,
      model: s.boot.model,
      charge_point_serial_number: s.boot.chargePointSerialNumber,
      charge_box_serial_number: s.boot.chargeBoxSerialNumber,
      firmware_version: s.boot.firmwareVersion,
      iccid: s.boot.iccid,
      imsi: s.boot.imsi,
      meter_type: s.boot.meterType,
      meter_serial_number: s.boot.meterSerialNumber,
      booted_at: s.boot.bootedAt,
    },
    connectors: s.connectors.map((c) => ({
      connector_id: c.connectorId,
      evse_id: c.evseId,
      status: c.status,
      error_code: c.errorCode,
      info: c.info,
      vendor_id: c.vendorId,
      vendor_error_code: c.vendorErrorCode,
      since: c.since,
      session_id: c.sessionId,
    })),
    firmware: s.firmware,
    diagnostics: s.diagnostics,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

/** The query of GET /v1/chargers: every parameter, its type and its range. */
export const LIST_CHARGERS_QUERY = {
  fleet: query.string(255),
  online: query.enumOf(['true', 'false'] as const),
  cursor: query.cursor(decodeChargerCursor),
  limit: query.int(1, 500).default(50),
};
export type ListChargersQuery = ParsedQuery<typeof LIST_CHARGERS_QUERY>;

/** Who reads: an operator sees every fleet (fleet= narrows it), a fleet credential only its own. */
export type ChargerReadScope = { kind: 'all' } | { kind: 'fleet'; fleetId: string };

/** The chargers' read side; `view` is also the loader the registry routes answer with. */
export class ReadChargers {
  constructor(private readonly queries: ChargerStatusQueries) {}

  /** The view of one charger, registered or only seen; null when neither (no scoping: callers scope). */
  async view(chargePointId: string, tx?: Tx): Promise<ChargerView | null> {
    const record = await this.queries.find(chargePointId, tx);
    return record ? toChargerView(record) : null;
  }

  /** 404 CHARGER_NOT_FOUND for an unknown charger and for another fleet's. */
  async get(scope: ChargerReadScope, chargePointId: string): Promise<ChargerView> {
    const view = await this.view(chargePointId);
    if (!view || (scope.kind === 'fleet' && view.fleet !== scope.fleetId))
      throw new RegistryError(404, 'CHARGER_NOT_FOUND', `no charger ${chargePointId}`);
    return view;
  }

  /** By id, ascending; the cursor is the last id of the previous page. */
  async list(
    scope: ChargerReadScope,
    q: ListChargersQuery,
  ): Promise<{ chargers: ChargerView[]; nextCursor: string | null }> {
    // A fleet credential asking for another fleet's chargers sees none (as with sessions).
    if (scope.kind === 'fleet' && q.fleet !== undefined && q.fleet !== scope.fleetId)
      return { chargers: [], nextCursor: null };
    const records = await this.queries.list({
      fleetId: scope.kind === 'fleet' ? scope.fleetId : q.fleet,
      online: q.online === undefined ? undefined : q.online === 'true',
      after: q.cursor,
      limit: q.limit + 1,
    });
    const page = records.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      chargers: page.map(toChargerView),
      nextCursor: records.length > q.limit && last ? encodeChargerCursor(last.chargePointId) : null,
    };
  }
}

export function encodeChargerCursor(chargePointId: string): string {
  return Buffer.from(JSON.stringify(['c', chargePointId]), 'utf8').toString('base64url');
}

/** undefined for anything this API did not return (the parser answers INVALID_CURSOR). */
function decodeChargerCursor(cursor: string): string | undefined {
  const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  if (Array.isArray(parsed) && parsed.length === 2 && parsed[0] === 'c' && typeof parsed[1] === 'string')
    return parsed[1] || undefined;
  return undefined;
}
