import { createHash } from 'node:crypto';

/**
 * A name-based uuid (RFC 4122 version 5 layout over sha1): the same inputs always give the same id.
 * Event ids derived from the Kafka record's envelope id make reprocessing a record idempotent in
 * the event store (the unique `event_id`), on top of the offsets stored in Postgres.
 */
export function nameUuid(...parts: (string | number)[]): string {
  return uuidFromDigest('sha1', parts);
}

/**
 * The same layout over SHA-256 (not an RFC 4122 name-based uuid, only shaped like one). Billing's
 * stored charge ids were made this way: a redelivered SessionCompleted must find the same id, so
 * they keep it. New ids use `nameUuid`.
 */
export function nameUuidSha256(...parts: (string | number)[]): string {
  return uuidFromDigest('sha256', parts);
}

function uuidFromDigest(algorithm: 'sha1' | 'sha256', parts: (string | number)[]): string {
  const h = createHash(algorithm).update(parts.join('\u0000')).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Any uuid in its canonical 8-4-4-4-12 hex form, either case (no version check: Postgres accepts them all). */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/** 2^31: OCPP 1.6 transaction ids (allocated by the gateway) are 32-bit integers below it. */
const FIRST_OCPP201_TRANSACTION_NUMBER = 2 ** 31;

/**
 * The numeric `transactionId` a 2.0.1 transaction has in the session contracts, billing and the
 * exports (all integers since 1.6). An OCPP 2.0.1 station names its transactions with strings of
 * up to 36 characters; this maps (station, string) to an integer in [2^31, 2^53): never a 1.6 id,
 * exact as a JSON number and in Postgres `bigint`, the same on every replay (no table to look up),
 * and unique in practice (a collision within one station needs ~2^26 of its transactions). The
 * station's own string travels beside it as `chargerTransactionId`.
 */
export function ocpp201TransactionNumber(chargePointId: string, transactionId: string): number {
  const h = createHash('sha256').update(`ocpp2.0.1\u0000${chargePointId}\u0000${transactionId}`).digest();
  // 52 bits of the digest, below 2^53 - 2^31 once offset.
  const high = h.readUInt32BE(0) & 0xfffff; // 20 bits
  const low = h.readUInt32BE(4); // 32 bits
  const span = 2 ** 53 - FIRST_OCPP201_TRANSACTION_NUMBER;
  return FIRST_OCPP201_TRANSACTION_NUMBER + ((high * 2 ** 32 + low) % span);
}

/**
 * The `remoteStartId` of a remote 2.0.1 session's RequestStartTransaction: an integer in
 * [1, 2^31) derived from the session id, so the TransactionEvent that carries it back finds the
 * session without a stored mapping (it is matched among the station's open sessions only).
 */
export function remoteStartIdOf(sessionId: string): number {
  const h = createHash('sha256').update(`remote-start\u0000${sessionId}`).digest();
  return (h.readUInt32BE(0) % (2 ** 31 - 1)) + 1;
}
