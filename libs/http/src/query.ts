/**
 * The one query-string parser every HTTP endpoint uses: each parameter is declared with its type and
 * range, unknown parameters are refused, and anything out of range is a QueryError naming the
 * parameter (the apps' error filters turn it into 400 `{"error":{"code","message"}}`).
 * Framework-free: no Nest, no Express.
 */
import { isUuid } from '@app/contracts';

export type QueryErrorCode = 'INVALID_QUERY' | 'INVALID_CURSOR';

export class QueryError extends Error {
  readonly status = 400;
  constructor(
    readonly code: QueryErrorCode,
    /** The query parameter at fault. */
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export interface QueryParam<T> {
  /** `raw` is undefined when the parameter is absent (an empty value counts as absent). */
  parse(raw: string | undefined, name: string): T;
}

/** A parameter that is optional until `.required()` or `.default(v)` says otherwise. */
export interface OptionalParam<T> extends QueryParam<T | undefined> {
  required(): QueryParam<T>;
  default(value: T): QueryParam<T>;
}

/** Longer values are refused before any parsing: nothing here needs more. */
export const MAX_VALUE_LENGTH = 2048;

function optionalParam<T>(parseValue: (raw: string, name: string) => T): OptionalParam<T> {
  const present = (raw: string | undefined): raw is string => raw !== undefined && raw !== '';
  const checked = (raw: string, name: string): T => {
    if (raw.length > MAX_VALUE_LENGTH)
      throw invalid(name, `${name} is longer than ${MAX_VALUE_LENGTH} characters`);
    return parseValue(raw, name);
  };
  return {
    parse: (raw, name) => (present(raw) ? checked(raw, name) : undefined),
    required: () => ({
      parse: (raw, name) => {
        if (!present(raw)) throw invalid(name, `${name} is required`);
        return checked(raw, name);
      },
    }),
    default: (value) => ({ parse: (raw, name) => (present(raw) ? checked(raw, name) : value) }),
  };
}

const invalid = (name: string, message: string) => new QueryError('INVALID_QUERY', name, message);
const quoted = (raw: string) => JSON.stringify(raw.length > 64 ? `${raw.slice(0, 64)}...` : raw);

/** The instants every endpoint can store and print: 1970-01-01T00:00:00Z up to the end of year 9999. */
export const MIN_INSTANT_MS = 0;
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const MAX_UNIX_SECONDS = Math.floor(MAX_INSTANT_MS / 1000);

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(2000, m, 0)).getUTCDate() && (m !== 2 || d <= 28 || isLeap(y));
}
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export interface InstantOptions {
  /**
   * What a date alone (2024-05-01) means: by default midnight UTC; billing passes midnight in the
   * books' time zone. Dates are accepted on every endpoint so that `from`/`to` read the same everywhere.
   */
  midnightOf?: (date: string) => Date;
}

/**
 * Unix seconds (1714557600), an ISO-8601 instant with an offset (2024-05-01T10:00:00Z,
 * 2024-05-01T12:00:00.5+02:00) or a date (2024-05-01); always within MIN_INSTANT_MS..MAX_INSTANT_MS.
 */
export function parseInstant(raw: string, name: string, options: InstantOptions = {}): Date {
  const expected = `${name} must be unix seconds, an ISO-8601 instant with offset (2024-05-01T10:00:00Z) or a date (2024-05-01)`;
  let ms: number;
  if (/^\d+$/.test(raw)) {
    // Compare the digits before converting: a huge number would lose precision as a double.
    const digits = raw.replace(/^0+(?=\d)/, '');
    if (digits.length > String(MAX_UNIX_SECONDS).length || Number(digits) > MAX_UNIX_SECONDS) {
      throw invalid(
        name,
        `${name} is out of range: unix seconds must be 0..${MAX_UNIX_SECONDS}, got ${quoted(raw)}`,
      );
    }
    ms = Number(digits) * 1000;
  } else {
    const dateOnly = DATE_ONLY.exec(raw);
    const instant = dateOnly ? null : ISO_INSTANT.exec(raw);
    const parts = dateOnly ?? instant;
    if (!parts) throw invalid(name, `${expected}, got ${quoted(raw)}`);
    const [y, mo, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
    if (!validDate(y, mo, d)) throw invalid(name, `${name} is not a calendar date: ${quoted(raw)}`);
    if (dateOnly) {
      ms = options.midnightOf ? options.midnightOf(raw).getTime() : Date.UTC(y, mo - 1, d);
    } else {
      const [h, mi, s] = [Number(instant![4]), Number(instant![5]), Number(instant![6] ?? '0')];
      if (h > 23 || mi > 59 || s > 59) throw invalid(name, `${name} is not a time of day: ${quoted(raw)}`);
      const fractionMs = Number(((instant![7] ?? '') + '000').slice(0, 3));
      const zone = instant![8].toUpperCase().replace(':', '');
      const offsetMin =
        zone === 'Z'
          ? 0
          : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
      if (Math.abs(offsetMin) > 18 * 60 || Number(zone.slice(3, 5) || '0') > 59) {
        throw invalid(name, `${name} has an offset outside -18:00..+18:00: ${quoted(raw)}`);
      }
      // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear keeps the year as written.
      const base = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, fractionMs));
      base.setUTCFullYear(y);
      ms = base.getTime() - offsetMin * 60_000;
    }
  }
  if (!Number.isFinite(ms) || ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS) {
    throw invalid(
      name,
      `${name} is out of range: it must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z, got ${quoted(raw)}`,
    );
  }
  return new Date(ms);
}

export const query = {
  instant: (options: InstantOptions = {}) => optionalParam((raw, name) => parseInstant(raw, name, options)),

  /** A decimal integer within min..max (no sign unless min < 0, no exponent, no fraction). */
  int: (min: number, max: number) =>
    optionalParam((raw, name) => {
      if (!/^-?\d{1,16}$/.test(raw))
        throw invalid(name, `${name} must be an integer ${min}..${max}, got ${quoted(raw)}`);
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw invalid(name, `${name} must be an integer ${min}..${max}, got ${quoted(raw)}`);
      }
      return n;
    }),

  enumOf: <T extends string>(values: readonly T[]) =>
    optionalParam((raw, name): T => {
      if (!values.includes(raw as T))
        throw invalid(name, `${name} must be one of ${values.join(', ')}, got ${quoted(raw)}`);
      return raw as T;
    }),

  /** A comma-separated list of enum values (`status=ACTIVE,CLOSED`). */
  enumList: <T extends string>(values: readonly T[]) =>
    optionalParam((raw, name): T[] => {
      const list = raw.split(',');
      for (const v of list) {
        if (!values.includes(v as T))
          throw invalid(name, `${name} must list values of ${values.join(', ')}, got ${quoted(v)}`);
      }
      return [...new Set(list)] as T[];
    }),

  string: (maxLength = 255) =>
    optionalParam((raw, name) => {
      if (raw.length > maxLength) throw invalid(name, `${name} must be at most ${maxLength} characters`);
      return raw;
    }),

  uuid: () =>
    optionalParam((raw, name) => {
      if (!isUuid(raw)) {
        throw invalid(name, `${name} must be a UUID, got ${quoted(raw)}`);
      }
      return raw.toLowerCase();
    }),

  /** An opaque cursor this API returned; `decode` gives undefined for anything it did not make. */
  cursor: <T>(decode: (text: string) => T | undefined) =>
    optionalParam((raw, name): T => {
      let value: T | undefined;
      try {
        value = decode(raw);
      } catch {
        value = undefined;
      }
      if (value === undefined)
        throw new QueryError('INVALID_CURSOR', name, `${name} is not one this API returned`);
      return value;
    }),
};

export type QuerySpec = Record<string, QueryParam<unknown>>;
export type ParsedQuery<S extends QuerySpec> = {
  [K in keyof S]: S[K] extends QueryParam<infer T> ? T : never;
};

/**
 * Parses a query object (Express' `req.query`) against its spec. Unknown parameters and repeated
 * ones (`?limit=1&limit=2`) are refused, so a typo never silently widens a result.
 */
export function parseQuery<S extends QuerySpec>(spec: S, raw: unknown): ParsedQuery<S> {
  const input = (raw ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue; // a caller's absent field, not a query parameter
    if (!Object.prototype.hasOwnProperty.call(spec, key)) {
      const known = Object.keys(spec);
      throw invalid(
        key,
        `unknown query parameter ${quoted(key)}${known.length ? ` (known: ${known.join(', ')})` : ''}`,
      );
    }
    if (typeof value !== 'string') throw invalid(key, `query parameter "${key}" must be given once, as text`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, param] of Object.entries(spec))
    out[key] = param.parse(input[key] as string | undefined, key);
  return out as ParsedQuery<S>;
}
