import type { RegistryCharger, RegistryIdTag } from './charger-registry-ports';
import type { ChargerView } from './charger-view';

/** The JSON views of the registry routes (snake_case like the sessions API). */
export interface IdTagJson {
  id_tag: string;
  fleet: string;
  status: string;
  expiry_date: string | null;
  parent_id_tag: string | null;
  version: number;
  updated_at: string;
}

/**
 * A charger's view from its registry row alone, as GET /v1/chargers/:id shows one that never
 * connected: what the registry routes answer when the read side (ReadChargers.view) has no view.
 */
export function registryChargerJson(c: RegistryCharger): ChargerView {
  return {
    id: c.chargePointId,
    fleet: c.fleetId,
    active: c.active,
    online: false,
    online_since: null,
    last_message_at: null,
    gateway_id: null,
    protocol: 'ocpp1.6',
    boot: null,
    connectors: Object.entries(c.evseIds)
      .map(([id, evse]) => ({
        connector_id: Number(id),
        evse_id: evse,
        status: null,
        error_code: null,
        info: null,
        vendor_id: null,
        vendor_error_code: null,
        since: null,
        session_id: null,
      }))
      .sort((a, b) => a.connector_id - b.connector_id),
    firmware: null,
    diagnostics: null,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function idTagJson(t: RegistryIdTag): IdTagJson {
  return {
    id_tag: t.idTag,
    fleet: t.fleetId,
    status: t.status,
    expiry_date: t.expiryDate,
    parent_id_tag: t.parentIdTag,
    version: t.version,
    updated_at: t.updatedAt,
  };
}

/** The page cursor of the id tag list: the (fleet, tag) of the last one returned, opaque to clients. */
export function encodeIdTagCursor(after: { fleetId: string; idTag: string }): string {
  return Buffer.from(JSON.stringify([after.fleetId, after.idTag])).toString('base64url');
}

export function decodeIdTagCursor(text: string): { fleetId: string; idTag: string } | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((x) => typeof x === 'string'))
    return undefined;
  const after = { fleetId: parsed[0] as string, idTag: parsed[1] as string };
  // Only the canonical spelling is one this API returned.
  return encodeIdTagCursor(after) === text ? after : undefined;
}
