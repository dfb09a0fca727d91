import { parseInstant, PricingInputError, type Instant } from '@app/pricing';
import { badRequest } from './errors';

// A timestamp with an explicit offset: without one, the instant depends on the reader's zone.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The contracts' uuid check (the form Postgres accepts), for billing's ids in paths and bodies. */
export { isUuid } from '@app/contracts';

/** An ISO 8601 timestamp with offset, as a Date (checked by the calculator's parser: no 30 February). */
export function readTimestamp(value: unknown, field: string): Date {
  if (typeof value !== 'string' || !ISO_WITH_OFFSET.test(value)) {
    throw badRequest(`${field} must be an ISO 8601 timestamp with offset, e.g. "2024-05-01T10:00:00Z"`);
  }
  try {
    return instantToDate(parseInstant(value, field));
  } catch (e) {
    if (e instanceof PricingInputError) throw badRequest(e.message);
    throw e;
  }
}

/** To millisecond precision (what a Date holds); the exact text stays in the charge's inputs. */
export function instantToDate(i: Instant): Date {
  return new Date(i.epochSeconds * 1000 + Number((i.fraction + '000').slice(0, 3)));
}

/**
 * A timestamp the calculator accepted, in the one form Postgres always parses (UTC, up to
 * microseconds): charger clocks send offsets, commas and nanoseconds that `timestamptz` would not all take.
 * The charge's `inputs` keep every digit (see `canonicalInputs`).
 */
export function canonicalTimestamp(value: string): string {
  const i = parseInstant(value, 'timestamp');
  const base = new Date(i.epochSeconds * 1000).toISOString().slice(0, 19);
  return i.fraction ? `${base}.${i.fraction.slice(0, 6)}Z` : `${base}Z`;
}

export function readText(value: unknown, field: string, max = 200): string {
  if (typeof value !== 'string' || value.trim().length === 0)
    throw badRequest(`${field} must be a non-empty string`);
  if (value.length > max) throw badRequest(`${field} must be at most ${max} characters`);
  return value;
}

export function readBodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('the request body must be a JSON object');
  return body as Record<string, unknown>;
}
