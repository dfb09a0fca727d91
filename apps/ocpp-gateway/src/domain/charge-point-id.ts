/**
 * A chargePointId is the last path segment of the connection URL (OCPP 1.6 chargeBoxIdentity,
 * at most 48 characters). We accept printable ASCII without '/', so ids like "DE*2GO*1311" work,
 * and refuse anything else at the handshake.
 */
const CHARGE_POINT_ID = /^[\x21-\x2e\x30-\x7e]{1,48}$/;

export function isValidChargePointId(id: string): boolean {
  return CHARGE_POINT_ID.test(id);
}

/** The chargePointId of an upgrade request path `/ocpp/{id}`; null when the path is anything else. */
export function chargePointIdFromPath(path: string): string | null {
  const pathname = path.split('?')[0];
  const match = /^\/ocpp\/([^/]+)\/?$/.exec(pathname);
  if (!match) return null;
  let id: string;
  try {
    id = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return isValidChargePointId(id) ? id : null;
}
