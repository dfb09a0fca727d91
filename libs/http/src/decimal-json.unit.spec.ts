import fc from 'fast-check';
import Decimal from 'decimal.js';
import { decimalModeOf, DecimalText, JSON_NUMBER, stringifyDecimalJson } from './decimal-json';

/** Decimal strings as decimal.js and Postgres `numeric` write them, of any length and scale. */
const decimalString = fc.oneof(
  fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(/^(0|[1-9][0-9]{0,40})$/),
      fc.option(fc.stringMatching(/^[0-9]{1,30}$/), { nil: undefined }),
    )
    .map(([negative, int, fraction]) => `${negative ? '-' : ''}${int}${fraction ? `.${fraction}` : ''}`),
  // decimal.js switches to exponent notation for very small and very large values
  fc
    .tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: -400, max: 400 }))
    .map(([digit, exp]) => new Decimal(`${digit}e${exp}`).toString()),
);

describe('stringifyDecimalJson', () => {
  it('writes a decimal as the number token of its exact text; JSON.parse reads it', () => {
    fc.assert(
      fc.property(decimalString, fc.string(), (text, other) => {
        const json = stringifyDecimalJson({
          price: new DecimalText(text),
          list: [new DecimalText(text)],
          other,
        });
        expect(json).toBe(`{"price":${text},"list":[${text}],"other":${JSON.stringify(other)}}`);
        const parsed = JSON.parse(json) as { price: unknown; list: unknown[]; other: string };
        expect(typeof parsed.price).toBe('number');
        expect(parsed.price).toBe(Number(text));
        expect(parsed.list).toEqual([Number(text)]);
        expect(parsed.other).toBe(other);
      }),
    );
  });

  it('writes the decimal string in string mode, and plain JSON.stringify does the same', () => {
    fc.assert(
      fc.property(decimalString, (text) => {
        const value = { final_amount: { energy: new DecimalText(text) } };
        const json = stringifyDecimalJson(value, 'string');
        expect(json).toBe(`{"final_amount":{"energy":${JSON.stringify(text)}}}`);
        expect(JSON.stringify(value)).toBe(json);
        expect((JSON.parse(json) as typeof value).final_amount.energy).toBe(text);
      }),
    );
  });

  it('keeps digits a double would lose', () => {
    const text = '12345678901234567890.123456789012345678901';
    expect(stringifyDecimalJson({ a: new DecimalText(text) })).toBe(`{"a":${text}}`);
    expect(stringifyDecimalJson([new DecimalText('0.8800')])).toBe('[0.8800]');
  });

  it('is JSON.stringify for values without decimals', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyDecimalJson(value)).toBe(JSON.stringify(value));
      }),
    );
    const odd = {
      skip: undefined,
      fn: () => 1,
      date: new Date(Date.UTC(2026, 10, 30)),
      nan: NaN,
      list: [undefined, () => 1, Infinity],
      nested: { toJSON: () => ({ x: 1 }) },
    };
    expect(stringifyDecimalJson(odd)).toBe(JSON.stringify(odd));
    expect(stringifyDecimalJson(undefined)).toBe('null');
  });

  it('refuses text that is not a JSON number, and cycles', () => {
    for (const bad of ['', '.5', '5.', '+1', '01', '1,5', '0x10', 'NaN', 'Infinity', '1e', ' 1', '1 ', '1}'])
      expect(() => new DecimalText(bad)).toThrow(TypeError);
    fc.assert(
      fc.property(fc.string(), (s) => {
        if (!JSON_NUMBER.test(s)) expect(() => new DecimalText(s)).toThrow(TypeError);
        else expect(JSON.parse(stringifyDecimalJson(new DecimalText(s)))).toBe(Number(s));
      }),
    );
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => stringifyDecimalJson({ a: new DecimalText('1'), cycle })).toThrow(/circular/);
    // a failed call leaves plain JSON.stringify as it was: strings
    expect(JSON.stringify({ a: new DecimalText('1') })).toBe('{"a":"1"}');
  });

  it('a string never becomes a number, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), decimalString, (s, text) => {
        const value = { user_reference: s, marker: `\u0000${s}:${text}`, n: new DecimalText(text) };
        const parsed = JSON.parse(stringifyDecimalJson(value));
        expect(parsed).toEqual({ user_reference: s, marker: `\u0000${s}:${text}`, n: Number(text) });
      }),
    );
  });
});

describe('decimalModeOf', () => {
  it.each([
    [undefined, 'number'],
    ['application/json', 'number'],
    ['*/*', 'number'],
    ['application/json; decimals=string', 'string'],
    ['application/json;decimals="string"', 'string'],
    ['text/html, application/json; q=0.9; Decimals=String', 'string'],
    ['application/json; decimals=number', 'number'],
    [['application/json', 'application/json; decimals=string'], 'string'],
  ] as const)('%j is %s', (accept, mode) => {
    expect(decimalModeOf(accept as string | string[] | undefined)).toBe(mode);
  });
});
