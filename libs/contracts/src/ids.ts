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
