import { randomBytes } from 'node:crypto';
import type { IdTagStatus } from '@app/contracts';
import { parseInstant } from '@app/http';
import { RegistryError } from './charger-registry-ports';

/**
 * The registry's request bodies, checked at the edge (HTTP and CLI alike): every rule names the
 * field at fault (400 INVALID_BODY), and an unknown field is refused rather than ignored, so a typo
 * (`evse` for `evse_id`) never silently registers less than was meant.
 */

/** OCPP 1.6 chargeBoxIdentity: the last path segment of the WebSocket URL, at most 48 characters; printable ASCII without '/' or space. */
const CHARGE_POINT_ID = /^[\x21-\x2e\x30-\x7e]{1,48}$/;
/** Fleet ids end up in record keys (`id-tag/<fleet>/<tag>`), logs and URLs. */
const FLEET_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** OCPP 1.6 security whitepaper (Basic auth, profiles 1/2): the AuthorizationKey is 16 to 40 characters; printable ASCII. */
const PASSWORD = /^[\x20-\x7e]{16,40}$/;
/** An EVSE id as sessions show it (e.g. DE*2GO*EMCD1311*1A*2): printable ASCII without spaces. */
const EVSE_ID = /^[\x21-\x7e]{1,48}$/;
/** OCPP 1.6 IdToken: CiString20Type. */
const ID_TAG = /^[\x21-\x7e]{1,20}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export const ID_TAG_STATUSES: readonly IdTagStatus[] = ['Accepted', 'Blocked', 'Expired'];
export const GENERATED_PASSWORD_LENGTH = 32;
const MAX_CONNECTORS = 100;
const MAX_CONNECTOR_ID = 2_147_483_647;

export interface ConnectorEvse {
  connectorId: number;
  /** null: the connector has no EVSE id (sessions show `{charger}*{connector}`). */
  evseId: string | null;
}

/** A password to set: given by the caller, or to be generated (and returned once). */
export type PasswordChoice = { kind: 'given'; password: string } | { kind: 'generate' };

export interface RegisterChargerCommand {
  id: string;
  fleetId: string;
  password: PasswordChoice;
  connectors: ConnectorEvse[];
}

export interface UpdateChargerCommand {
  fleetId?: string;
  connectors?: ConnectorEvse[];
}

export interface SetIdTagCommand {
  fleetId: string;
  idTag: string;
  status: IdTagStatus;
  expiryDate: string | null;
  parentIdTag: string | null;
}

const invalid = (message: string) => new RegistryError(400, 'INVALID_BODY', message);
const shown = (v: unknown) => {
  const text = typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}...` : v) : String(v);
  return text;
};

function objectBody(body: unknown, known: readonly string[], example: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid(`body must be a JSON object ${example}`);
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw invalid(`unknown field "${unknown[0]}" (known: ${known.join(', ')})`);
  return fields;
}

export function checkChargePointId(id: unknown, field = 'id'): string {
  if (typeof id !== 'string' || !CHARGE_POINT_ID.test(id))
    throw invalid(
      `${field} must be 1 to 48 printable ASCII characters without "/" or spaces (OCPP chargeBoxIdentity), got ${shown(id)}`,
    );
  return id;
}

export function checkFleetId(fleet: unknown, field = 'fleet'): string {
  if (typeof fleet !== 'string' || !FLEET_ID.test(fleet))
    throw invalid(`${field} must be 1 to 64 characters of A-Z a-z 0-9 . _ -, got ${shown(fleet)}`);
  return fleet;
}

/** The password rule alone (never quotes the value: it is a secret). */
export function checkPassword(password: unknown, field = 'password'): string {
  if (typeof password !== 'string') throw invalid(`${field} must be a string`);
  if (password.length < 16 || password.length > 40)
    throw invalid(`${field} must be 16 to 40 characters (OCPP 1.6 security), got ${password.length}`);
  if (!PASSWORD.test(password)) throw invalid(`${field} must be printable ASCII characters only`);
  return password;
}

export function checkIdTag(tag: unknown, field = 'id_tag'): string {
  if (typeof tag !== 'string' || !ID_TAG.test(tag))
    throw invalid(`${field} must be 1 to 20 printable ASCII characters without spaces (OCPP IdToken)`);
  return tag;
}

function passwordChoice(fields: Record<string, unknown>, required: boolean): PasswordChoice | null {
  const { password, generate } = fields;
  if (generate !== undefined && generate !== true && generate !== false)
    throw invalid(`generate must be true or false, got ${shown(generate)}`);
  if (password !== undefined && generate === true)
    throw invalid('give either password or "generate": true, not both');
  if (generate === true) return { kind: 'generate' };
  if (password === undefined) {
    if (required) throw invalid('password (16 to 40 characters) or "generate": true is required');
    return null;
  }
  return { kind: 'given', password: checkPassword(password) };
}

/** `connectors: [{connector_id, evse_id}]`; `allowNull`: evse_id null removes a connector's EVSE id. */
export function checkConnectors(value: unknown, allowNull: boolean): ConnectorEvse[] {
  if (!Array.isArray(value))
    throw invalid('connectors must be an array of {"connector_id": <integer ≥ 1>, "evse_id": <string>}');
  if (value.length > MAX_CONNECTORS) throw invalid(`connectors: at most ${MAX_CONNECTORS} entries`);
  const seenConnectors = new Set<number>();
  const seenEvses = new Set<string>();
  return value.map((entry, i) => {
    const at = `connectors[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw invalid(`${at} must be an object {"connector_id", "evse_id"}`);
    const { connector_id: connectorId, evse_id: evseId, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw invalid(`${at}: unknown field "${extra[0]}" (known: connector_id, evse_id)`);
    if (
      typeof connectorId !== 'number' ||
      !Number.isInteger(connectorId) ||
      connectorId < 1 ||
      connectorId > MAX_CONNECTOR_ID
    )
      throw invalid(`${at}.connector_id must be a positive integer, got ${shown(connectorId)}`);
    if (seenConnectors.has(connectorId)) throw invalid(`${at}.connector_id ${connectorId} is listed twice`);
    seenConnectors.add(connectorId);
    if (evseId === null) {
      if (!allowNull) throw invalid(`${at}.evse_id must be a string (null only when changing a charger)`);
      return { connectorId, evseId: null };
    }
    if (typeof evseId !== 'string' || !EVSE_ID.test(evseId))
      throw invalid(
        `${at}.evse_id must be 1 to 48 printable ASCII characters without spaces${allowNull ? ', or null' : ''}, got ${shown(evseId)}`,
      );
    if (seenEvses.has(evseId)) throw invalid(`${at}.evse_id ${shown(evseId)} is given to two connectors`);
    seenEvses.add(evseId);
    return { connectorId, evseId };
  });
}

/** POST /v1/chargers `{id, fleet, password | generate: true, connectors?}`. */
export function parseRegisterCharger(body: unknown): RegisterChargerCommand {
  const fields = objectBody(
    body,
    ['id', 'fleet', 'password', 'generate', 'connectors'],
    '{"id", "fleet", "password" | "generate": true, "connectors"?}',
  );
  const id = checkChargePointId(fields.id);
  const fleetId = checkFleetId(fields.fleet);
  const password = passwordChoice(fields, true)!;
  const connectors = fields.connectors === undefined ? [] : checkConnectors(fields.connectors, false);
  return { id, fleetId, password, connectors };
}

/** PATCH /v1/chargers/:id `{fleet?, connectors?}` (at least one). */
export function parseUpdateCharger(body: unknown): UpdateChargerCommand {
  const fields = objectBody(body, ['fleet', 'connectors'], '{"fleet"?, "connectors"?}');
  if (fields.fleet === undefined && fields.connectors === undefined)
    throw invalid('nothing to change: give fleet and/or connectors');
  return {
    ...(fields.fleet !== undefined ? { fleetId: checkFleetId(fields.fleet) } : {}),
    ...(fields.connectors !== undefined ? { connectors: checkConnectors(fields.connectors, true) } : {}),
  };
}

/** POST /v1/chargers/:id/password `{password}` or `{generate: true}`. */
export function parseRotatePassword(body: unknown): PasswordChoice {
  const fields = objectBody(body ?? {}, ['password', 'generate'], '{"password"} or {"generate": true}');
  return passwordChoice(fields, true)!;
}

/** An ISO-8601 instant with offset, read by the shared parser (calendar dates, times, offsets checked). */
function checkInstant(value: unknown, field: string): string {
  const refused = () =>
    invalid(
      `${field} must be an ISO-8601 instant with offset (e.g. 2027-01-31T23:59:59Z) or null, got ${shown(value)}`,
    );
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) throw refused();
  try {
    return parseInstant(value, field).toISOString();
  } catch {
    throw refused();
  }
}

/** PUT /v1/id-tags/:idTag `{fleet, status, expiry_date?, parent_id_tag?}`. */
export function parseSetIdTag(idTag: unknown, body: unknown): SetIdTagCommand {
  const tag = checkIdTag(idTag, 'idTag');
  const fields = objectBody(
    body,
    ['fleet', 'status', 'expiry_date', 'parent_id_tag'],
    '{"fleet", "status", "expiry_date"?, "parent_id_tag"?}',
  );
  const fleetId = checkFleetId(fields.fleet);
  if (!ID_TAG_STATUSES.includes(fields.status as IdTagStatus))
    throw invalid(`status must be one of ${ID_TAG_STATUSES.join(', ')}, got ${shown(fields.status)}`);
  const expiryDate =
    fields.expiry_date === undefined || fields.expiry_date === null
      ? null
      : checkInstant(fields.expiry_date, 'expiry_date');
  const parentIdTag =
    fields.parent_id_tag === undefined || fields.parent_id_tag === null
      ? null
      : checkIdTag(fields.parent_id_tag, 'parent_id_tag');
  return { fleetId, idTag: tag, status: fields.status as IdTagStatus, expiryDate, parentIdTag };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 characters of A-Z a-z 0-9 from the system's CSPRNG (≈190 bits), each equally likely. */
export function generateChargerPassword(random: (n: number) => Buffer = randomBytes): string {
  let out = '';
  // 248 = 4 × 62: bytes at or above it would favour the first characters; they are skipped.
  while (out.length < GENERATED_PASSWORD_LENGTH) {
    for (const b of random(GENERATED_PASSWORD_LENGTH * 2)) {
      if (b < 248 && out.length < GENERATED_PASSWORD_LENGTH) out += ALPHABET[b % ALPHABET.length];
    }
  }
  return out;
}

/**
 * The EVSE map after applying connector changes (null removes one). An EVSE id names one connector:
 * a change that would give it to two connectors of the charger is refused.
 */
export function mergeEvseIds(
  current: Record<string, string>,
  changes: ConnectorEvse[],
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const c of changes) {
    if (c.evseId === null) delete next[String(c.connectorId)];
    else next[String(c.connectorId)] = c.evseId;
  }
  const owner = new Map<string, string>();
  for (const [connector, evse] of Object.entries(next)) {
    const other = owner.get(evse);
    if (other !== undefined)
      throw invalid(`connectors: EVSE id ${shown(evse)} would name connectors ${other} and ${connector}`);
    owner.set(evse, connector);
  }
  return next;
}
