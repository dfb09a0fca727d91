import { PricingInputError } from './errors';
import { describe, requirePresent } from './input';

/**
 * A point in time read from an ISO 8601 / RFC 3339 timestamp, exact to any number of fractional
 * digits: `Date` keeps only milliseconds, which would make `duration_s` depend on how many
 * digits a charger or a test happened to send.
 */
export interface Instant {
  /** Whole seconds since 1970-01-01T00:00:00Z, flooring the fraction away. */
  readonly epochSeconds: number;
  /** Digits of the fractional second without trailing zeros, "" when there are none. */
  readonly fraction: string;
}

// date T time [fraction] [offset]; seconds may be omitted (ISO 8601 allows hh:mm).
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const EXAMPLE = 'e.g. "2024-05-01T10:00:00Z"';

/**
 * Parses a timestamp such as `2024-05-01T10:00:00Z`, `2024-05-01T12:00:00.250+02:00`.
 * A timestamp without an offset is read as UTC: it is the only reading that does not depend on
 * the zone of the machine that runs the quote.
 */
export function parseInstant(value: unknown, path: string): Instant {
  requirePresent(value, path);
  if (typeof value !== 'string') {
    throw new PricingInputError(
      path,
      `must be an ISO 8601 timestamp string (${EXAMPLE}), got ${describe(value)}`,
    );
  }
  const m = TIMESTAMP.exec(value);
  if (!m) throw new PricingInputError(path, `is not an ISO 8601 timestamp (${EXAMPLE}): "${value}"`);
  const [, y, mo, d, h, mi, s = '00', frac = '', zulu, sign, oh, om = '00'] = m;
  const year = toInt(y);
  const month = toInt(mo);
  const day = toInt(d);
  const hour = toInt(h);
  const minute = toInt(mi);
  const second = toInt(s);
  if (month < 1 || month > 12)
    throw new PricingInputError(path, `has month ${mo}, expected 01..12: "${value}"`);
  if (day < 1 || day > daysInMonth(year, month)) {
    throw new PricingInputError(path, `has day ${d}, which ${y}-${mo} does not have: "${value}"`);
  }
  // 24:00 and leap second 60 are rare enough in charger clocks that rejecting them beats guessing.
  if (hour > 23 || minute > 59 || second > 59) {
    throw new PricingInputError(path, `has time ${h}:${mi}:${s}, expected 00:00:00..23:59:59: "${value}"`);
  }
  let offsetSeconds = 0;
  if (zulu === undefined && sign !== undefined) {
    const offsetHours = toInt(oh);
    const offsetMinutes = toInt(om);
    if (offsetHours > 23 || offsetMinutes > 59) {
      throw new PricingInputError(
        path,
        `has UTC offset ${sign}${oh}:${om}, expected at most ±23:59: "${value}"`,
      );
    }
    offsetSeconds = (sign === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  }
  const epochSeconds =
    daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  return { epochSeconds, fraction: frac.replace(/0+$/, '') };
}

/**
 * Whole seconds from `start` to `end`, the exact difference floored (a session of 59.9 s bills
 * 59 s). Negative exactly when `end` is before `start`.
 */
export function wholeSecondsBetween(start: Instant, end: Instant): number {
  const seconds = end.epochSeconds - start.epochSeconds;
  return compareFractions(end.fraction, start.fraction) < 0 ? seconds - 1 : seconds;
}

function compareFractions(a: string, b: string): number {
  if (a === b) return 0;
  const width = Math.max(a.length, b.length);
  const left = a.padEnd(width, '0');
  const right = b.padEnd(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

function toInt(digits: string): number {
  return Number.parseInt(digits, 10);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). Used
 * instead of `Date.UTC`, which maps years 0..99 to 1900..1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}
