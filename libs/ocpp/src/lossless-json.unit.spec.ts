import fc from 'fast-check';
import {
  isJsonNumberText,
  LosslessNumber,
  MAX_JSON_DEPTH,
  parseJsonLossless,
  stringifyWithLosslessNumbers,
} from './lossless-json';

/** `value` with every number replaced by the LosslessNumber of the text JSON.stringify writes for it. */
function withLosslessNumbers(value: unknown): unknown {
  if (typeof value === 'number') return new LosslessNumber(JSON.stringify(value));
  if (Array.isArray(value)) return value.map(withLosslessNumbers);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, {
        value: withLosslessNumbers(v),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** `value` with every LosslessNumber read as a JS number: what JSON.parse would have given. */
function asFloats(value: unknown): unknown {
  if (value instanceof LosslessNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map(asFloats);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asFloats(v)]));
  }
  return value;
}

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));

/** Any text RFC 8259's number grammar allows, including ones a double cannot hold. */
const numberText = fc
  .tuple(
    fc.boolean(),
    fc.oneof(
      fc.constant('0'),
      fc.tuple(fc.constantFrom(...'123456789'), digits(0, 30)).map(([a, b]) => a + b),
    ),
    fc.option(digits(1, 30), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 4)), {
      nil: undefined,
    }),
  )
  .map(
    ([neg, int, frac, exp]) =>
      `${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}${exp === undefined ? '' : exp.join('')}`,
  );

describe('parseJsonLossless', () => {
  it('keeps number texts verbatim', () => {
    for (const text of [
      '12.3456789012345678901',
      '1E+3',
      '-0',
      '0.1',
      '1e-7',
      '123456789012345678901234567890',
      '0E0',
    ]) {
      expect(parseJsonLossless(`[${text}]`)).toEqual([new LosslessNumber(text)]);
      expect((parseJsonLossless(` ${text} `) as LosslessNumber).text).toBe(text);
    }
  });

  it('property: parse(JSON.stringify(v)) is v with its numbers as their text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(parseJsonLossless(JSON.stringify(v))).toEqual(withLosslessNumbers(v));
      }),
      { numRuns: 500 },
    );
  });

  it('property: any JSON number text survives verbatim, inside arrays and objects', () => {
    fc.assert(
      fc.property(numberText, fc.string(), (text, key) => {
        expect(isJsonNumberText(text)).toBe(true);
        const parsed = parseJsonLossless(`{${JSON.stringify(key)}:[${text}, ${text}]}`) as Record<
          string,
          unknown
        >;
        expect(parsed[key]).toEqual([new LosslessNumber(text), new LosslessNumber(text)]);
      }),
      { numRuns: 500 },
    );
  });

  it('property: strings never become numbers', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), numberText, fc.string({ unit: 'binary' })), (s) => {
        expect(parseJsonLossless(JSON.stringify(s))).toBe(s);
        expect(parseJsonLossless(JSON.stringify({ v: s }))).toEqual({ v: s });
      }),
      { numRuns: 500 },
    );
  });

  it('property: accepts exactly what JSON.parse accepts, and means the same', () => {
    const nearJson = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      // JSON with one character dropped, doubled or replaced: the usual ways a frame breaks.
      fc
        .tuple(
          fc.jsonValue().map((v) => JSON.stringify(v, null, 1)),
          fc.nat(),
          fc.constantFrom('', ',', '"', '\\', '-', '.', 'e', '0', '+', ' ', '}', ']', '\u0001', '\ufeff'),
        )
        .map(([text, at, insert]) => {
          const i = text.length === 0 ? 0 : at % text.length;
          return text.slice(0, i) + insert + text.slice(i + 1);
        }),
    );
    fc.assert(
      fc.property(nearJson, (text) => {
        let expected: unknown;
        let expectedError = false;
        try {
          expected = JSON.parse(text);
        } catch {
          expectedError = true;
        }
        if (expectedError) {
          expect(() => parseJsonLossless(text)).toThrow(SyntaxError);
        } else {
          expect(asFloats(parseJsonLossless(text))).toEqual(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['empty text', ''],
    ['whitespace only', ' \n'],
    ['a trailing comma', '[1,]'],
    ['a leading zero', '[01]'],
    ['a leading plus', '+1'],
    ['a bare fraction', '.5'],
    ['a dangling point', '1.'],
    ['an exponent without digits', '1e'],
    ['single quotes', "{'a':1}"],
    ['an unquoted key', '{a:1}'],
    ['a raw control character in a string', '"a\u0001b"'],
    ['a bad escape', '"\\x"'],
    ['a short \\u escape', '"\\u12"'],
    ['NaN', 'NaN'],
    ['a BOM', '\ufeff1'],
    ['two values', '1 2'],
    ['a comment', '[1/*x*/]'],
    ['an unterminated string', '"abc'],
    ['an unclosed array', '[1'],
  ])('refuses %s with a SyntaxError', (_name, text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(() => parseJsonLossless(text)).toThrow(SyntaxError);
  });

  it('reads escapes and surrogate pairs as JSON.parse does', () => {
    const text = '"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\ud800"';
    expect(parseJsonLossless(text)).toBe(JSON.parse(text));
  });

  it('keeps "__proto__" as an own key, never as the prototype', () => {
    const parsed = parseJsonLossless('{"__proto__":{"polluted":1},"a":2}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lets the last duplicate key win, as JSON.parse does', () => {
    expect(parseJsonLossless('{"a":1,"a":"x"}')).toEqual(JSON.parse('{"a":1,"a":"x"}'));
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} with a SyntaxError, not a stack overflow`, () => {
    const ok = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(() => parseJsonLossless(ok)).not.toThrow();
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(() => parseJsonLossless(deep)).toThrow(SyntaxError);
  });
});

describe('LosslessNumber', () => {
  it.each(['', '1.', '+1', '01', 'NaN', '1e', ' 1', '1,2', '1}'])('refuses the text %j', (text) => {
    expect(() => new LosslessNumber(text)).toThrow(SyntaxError);
  });
});

describe('stringifyWithLosslessNumbers', () => {
  it('writes a LosslessNumber as its exact text, a JSON number', () => {
    const payload = { totalCost: new LosslessNumber('12.3400000000000000001'), transactionId: 'tx-1' };
    const text = stringifyWithLosslessNumbers([2, 'm1', 'CostUpdated', payload]);
    expect(text).toBe('[2,"m1","CostUpdated",{"totalCost":12.3400000000000000001,"transactionId":"tx-1"}]');
    expect(typeof (JSON.parse(text) as [number, string, string, { totalCost: unknown }])[3].totalCost).toBe(
      'number',
    );
  });

  it('property: equals JSON.stringify on plain JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(stringifyWithLosslessNumbers(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 500 },
    );
  });

  it('property: stringify then parse gives back every number text', () => {
    fc.assert(
      fc.property(fc.array(numberText), fc.jsonValue(), (texts, other) => {
        const value = { n: texts.map((t) => new LosslessNumber(t)), other };
        expect(parseJsonLossless(stringifyWithLosslessNumbers(value))).toEqual({
          n: texts.map((t) => new LosslessNumber(t)),
          other: withLosslessNumbers(other),
        });
      }),
      { numRuns: 300 },
    );
  });

  it('writes the rest as JSON.stringify does', () => {
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const value = {
      d: new Date('2026-01-15T12:45:00.000Z'),
      u: undefined,
      f: () => 1,
      a: [undefined, () => 1, NaN, Infinity],
      sparse,
      boxed: [Object(1), Object('s'), Object(true)],
    };
    expect(stringifyWithLosslessNumbers(value)).toBe(JSON.stringify(value));
  });

  it('throws TypeError on a cycle, a bigint and a value with no JSON text', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => stringifyWithLosslessNumbers(cyclic)).toThrow(TypeError);
    expect(() => stringifyWithLosslessNumbers({ n: 1n })).toThrow(TypeError);
    expect(() => stringifyWithLosslessNumbers(undefined)).toThrow(TypeError);
  });

  it('writes a shared (non-cyclic) object twice', () => {
    const shared = { a: 1 };
    expect(stringifyWithLosslessNumbers([shared, shared])).toBe('[{"a":1},{"a":1}]');
  });
});
