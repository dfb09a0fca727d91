import fc from 'fast-check';
import { MAX_INSTANT_MS, MAX_UNIX_SECONDS, QueryError, parseInstant, parseQuery, query } from './query';

const errorOf = (f: () => unknown): QueryError => {
  try {
    f();
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw new Error(`expected a QueryError, got ${String(e)}`);
  }
  throw new Error('expected a QueryError, got a value');
};

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
/** The same instant written with an offset of `offsetMin` minutes. */
function isoWithOffset(ms: number, offsetMin: number): string {
  const local = new Date(ms + offsetMin * 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const off = `${sign}${pad(Math.trunc(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}${off}`;
}

describe('instants', () => {
  it('reads unix seconds within range as that instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_UNIX_SECONDS }), (s) => {
        expect(parseInstant(String(s), 'from').getTime()).toBe(s * 1000);
      }),
    );
  });

  it('refuses unix seconds beyond year 9999, naming the parameter (today ?from=999999999999 is a 500)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: BigInt(MAX_UNIX_SECONDS) + 1n, max: 10n ** 30n }), (s) => {
        const e = errorOf(() => parseInstant(String(s), 'from'));
        expect(e.parameter).toBe('from');
        expect(e.code).toBe('INVALID_QUERY');
        expect(e.message).toMatch(/^from is out of range/);
      }),
    );
    expect(errorOf(() => parseInstant('999999999999', 'from')).message).toContain('from');
  });

  it('reads an ISO-8601 instant with any offset as the same instant as its unix seconds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 18 * 3600_000, max: MAX_INSTANT_MS - 18 * 3600_000 }),
        fc.integer({ min: -18 * 60, max: 18 * 60 }),
        (ms, offsetMin) => {
          expect(parseInstant(isoWithOffset(ms, offsetMin), 'to').getTime()).toBe(ms);
        },
      ),
    );
  });

  it('reads the basic offset form (+0200) as the extended one (+02:00)', () => {
    expect(parseInstant('2024-05-01T12:00:00+0200', 'at').toISOString()).toBe('2024-05-01T10:00:00.000Z');
  });

  it('reads toISOString() back unchanged', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(0), max: new Date(MAX_INSTANT_MS), noInvalidDate: true }), (d) => {
        expect(parseInstant(d.toISOString(), 'at').getTime()).toBe(d.getTime());
      }),
    );
  });

  it('reads a date as midnight UTC unless the endpoint says which midnight', () => {
    expect(parseInstant('2024-05-01', 'from').toISOString()).toBe('2024-05-01T00:00:00.000Z');
    const berlin = parseInstant('2024-05-01', 'from', {
      midnightOf: (d) => new Date(`${d}T00:00:00+02:00`),
    });
    expect(berlin.toISOString()).toBe('2024-04-30T22:00:00.000Z');
  });

  it.each([
    ['2024-02-30', /not a calendar date/],
    ['2023-02-29T00:00:00Z', /not a calendar date/],
    ['2024-05-01T24:00:00Z', /not a time of day/],
    ['2024-05-01T10:00:00', /must be unix seconds, an ISO-8601 instant with offset/],
    ['1969-12-31T23:59:59Z', /out of range/],
    ['2024-05-01T10:00:00+19:00', /offset outside/],
    ['2024-05-01T10:00:00+02:60', /offset outside/],
    ['-1', /must be unix seconds/],
    ['1e12', /must be unix seconds/],
    ['May 1 2024', /must be unix seconds/],
  ])('refuses %s', (raw, message) => {
    const e = errorOf(() => parseInstant(raw, 'from'));
    expect(e.parameter).toBe('from');
    expect(e.message).toMatch(message);
  });

  it('throws nothing but a QueryError naming the parameter, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (raw) => {
        let result: Date | undefined;
        try {
          result = parseInstant(raw, 'from');
        } catch (e) {
          expect(e).toBeInstanceOf(QueryError);
          expect((e as QueryError).parameter).toBe('from');
          return;
        }
        // Whatever it accepted, Postgres and toISOString() take.
        expect(result.getTime()).toBeGreaterThanOrEqual(0);
        expect(result.getTime()).toBeLessThanOrEqual(MAX_INSTANT_MS);
        expect(() => result!.toISOString()).not.toThrow();
      }),
    );
  });
});

describe('integers', () => {
  const limit = query.int(1, 200).default(50);

  it('accepts every integer in range and nothing outside it', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
        if (n >= 1 && n <= 200) expect(limit.parse(String(n), 'limit')).toBe(n);
        else
          expect(errorOf(() => limit.parse(String(n), 'limit')).message).toBe(
            `limit must be an integer 1..200, got "${n}"`,
          );
      }),
    );
  });

  it('refuses fractions, exponents, spaces and huge numbers', () => {
    for (const raw of ['1.5', '1e2', ' 5', '5 ', '0x10', '99999999999999999999', '+5']) {
      expect(errorOf(() => limit.parse(raw, 'limit')).parameter).toBe('limit');
    }
  });

  it('uses the default only when the parameter is absent', () => {
    expect(limit.parse(undefined, 'limit')).toBe(50);
    expect(limit.parse('', 'limit')).toBe(50);
  });
});

describe('enums, strings, uuids and cursors', () => {
  const formats = ['csv', 'jsonl'] as const;

  it('accepts exactly the listed values', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 10 }), (raw) => {
        const p = query.enumOf(formats);
        if ((formats as readonly string[]).includes(raw)) expect(p.parse(raw, 'format')).toBe(raw);
        else
          expect(errorOf(() => p.parse(raw, 'format')).message).toMatch(/^format must be one of csv, jsonl/);
      }),
    );
  });

  it('reads a comma-separated list of enum values, refusing any other member', () => {
    const p = query.enumList(['ACTIVE', 'CLOSED', 'FAILED'] as const);
    expect(p.parse('ACTIVE,CLOSED', 'status')).toEqual(['ACTIVE', 'CLOSED']);
    expect(errorOf(() => p.parse('ACTIVE,closed', 'status')).message).toContain('"closed"');
    expect(errorOf(() => p.parse('ACTIVE,', 'status')).parameter).toBe('status');
  });

  it('bounds strings', () => {
    expect(query.string(5).parse('abcde', 'evse')).toBe('abcde');
    expect(errorOf(() => query.string(5).parse('abcdef', 'evse')).message).toBe(
      'evse must be at most 5 characters',
    );
    expect(errorOf(() => query.string(10_000).parse('x'.repeat(3000), 'evse')).message).toMatch(
      /longer than/,
    );
  });

  it('accepts UUIDs only', () => {
    expect(query.uuid().parse('3F2504E0-4F89-11D3-9A0C-0305E82C3301', 'cursor')).toBe(
      '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    );
    expect(errorOf(() => query.uuid().parse('3f2504e0', 'cursor')).message).toMatch(/must be a UUID/);
  });

  it('turns a cursor its decoder does not know, or that makes it throw, into INVALID_CURSOR', () => {
    const p = query.cursor((t) => (t === 'good' ? 42 : undefined));
    expect(p.parse('good', 'cursor')).toBe(42);
    expect(errorOf(() => p.parse('bad', 'cursor')).code).toBe('INVALID_CURSOR');
    const throwing = query.cursor(() => JSON.parse('{'));
    expect(errorOf(() => throwing.parse('x', 'cursor')).code).toBe('INVALID_CURSOR');
  });

  it('says a required parameter is required', () => {
    expect(errorOf(() => query.instant().required().parse(undefined, 'from')).message).toBe(
      'from is required',
    );
  });
});

describe('parseQuery', () => {
  const spec = {
    from: query.instant(),
    limit: query.int(1, 10).default(5),
    format: query.enumOf(['csv'] as const),
  };

  it('gives typed values and defaults', () => {
    expect(parseQuery(spec, { from: '0' })).toEqual({ from: new Date(0), limit: 5, format: undefined });
  });

  it('refuses any parameter the spec does not declare, naming it', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 12 })
          .filter((k) => !['from', 'limit', 'format'].includes(k) && k !== '__proto__'),
        (key) => {
          const e = errorOf(() => parseQuery(spec, { [key]: 'x' }));
          expect(e.parameter).toBe(key);
          expect(e.message).toContain('unknown query parameter');
        },
      ),
    );
  });

  it('refuses a repeated parameter', () => {
    expect(errorOf(() => parseQuery(spec, { limit: ['1', '2'] })).message).toBe(
      'query parameter "limit" must be given once, as text',
    );
  });
});
