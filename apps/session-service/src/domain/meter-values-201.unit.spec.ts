/** OCPP 2.0.1 meter values (meter-values.ts): exact integer Wh from the lossless payload. */
import fc from 'fast-check';
import { LosslessNumber, parseJsonLossless } from '@app/ocpp';
import { parseMeterValues201, toWh201 } from './meter-values';

const n = (text: string) => new LosslessNumber(text);

/**
 * The oracle: the exact value of a JSON number text × 10^scale in BigInt arithmetic, rounded half
 * away from zero to an integer; null outside the safe range. Independent of decimal.js.
 */
function exactWh(text: string, scale: number): number | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(text)!;
  const negative = m[1] === '-';
  const digits = BigInt(m[2] + (m[3] ?? ''));
  const exponent = Number(m[4] ?? 0) - (m[3]?.length ?? 0) + scale;
  let whole: bigint;
  if (exponent >= 0) whole = digits * 10n ** BigInt(exponent);
  else {
    const div = 10n ** BigInt(-exponent);
    whole = digits / div;
    if ((digits % div) * 2n >= div) whole += 1n;
  }
  if (whole > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  const wh = Number(negative ? -whole : whole);
  return wh === 0 ? 0 : wh;
}

describe('toWh201: a 2.0.1 energy value with its unitOfMeasure, in integer Wh', () => {
  it.each([
    ['12345', undefined, 12345],
    ['12345.5', undefined, 12346],
    ['12345.49', { unit: 'Wh' }, 12345],
    ['12.3456789012345678901', { unit: 'kWh' }, 12346],
    ['4.0005', { unit: 'kWh' }, 4001], // a float says 4000.4999999999995
    ['1000.49999999999999999999', { unit: 'Wh' }, 1000], // a float says 1000.5
    ['1.5', { unit: 'Wh', multiplier: n('3') }, 1500],
    ['1.2345', { unit: 'kWh', multiplier: n('1') }, 12345],
    ['123456', { multiplier: n('-2') }, 1235],
    ['1E+3', { unit: 'Wh' }, 1000],
    ['2.5e-1', { unit: 'kWh' }, 250],
    ['-0', undefined, 0],
    ['0', { unit: 'kWh' }, 0],
  ])('%s %j → %d Wh', (value, unitOfMeasure, wh) => {
    const uom = unitOfMeasure as Record<string, unknown> | undefined;
    expect(toWh201(n(value), uom)).toBe(wh);
  });

  it.each([
    ['a plain JS number (it went through a float)', 12345, undefined],
    ['a string', '12345', undefined],
    ['an unknown unit', n('12'), { unit: 'varh' }],
    ['a unit in another case', n('12'), { unit: 'KWH' }],
    ['a multiplier that is not an integer', n('12'), { multiplier: n('1.5') }],
    ['a multiplier that is a float', n('12'), { multiplier: 1 }],
    ['a huge multiplier', n('12'), { multiplier: n('1000000000') }],
    ['beyond the safe integer range', n('9007199254740993'), undefined],
    ['kWh beyond the safe range', n('9007199254740.993'), { unit: 'kWh' }],
    ['a unitOfMeasure that is not an object', n('12'), 'kWh'],
  ])('%s → null', (_what, value, unitOfMeasure) => {
    expect(toWh201(value, unitOfMeasure)).toBeNull();
  });

  const decimalText = fc
    .record({
      negative: fc.boolean(),
      int: fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9]\d{0,15}$/)),
      frac: fc.option(fc.stringMatching(/^\d{1,25}$/), { nil: undefined }),
      exp: fc.option(
        fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 8 })),
        { nil: undefined },
      ),
    })
    .map(
      ({ negative, int, frac, exp }) =>
        `${negative ? '-' : ''}${int}${frac !== undefined ? `.${frac}` : ''}${exp ? exp.join('') : ''}`,
    );

  it('for any decimal text, unit and multiplier, equals the exact value rounded half up (BigInt oracle)', () => {
    fc.assert(
      fc.property(
        decimalText,
        fc.constantFrom<'Wh' | 'kWh' | undefined>('Wh', 'kWh', undefined),
        fc.option(fc.integer({ min: -6, max: 6 }), { nil: undefined }),
        (text, unit, multiplier) => {
          const uom: Record<string, unknown> = {};
          if (unit !== undefined) uom.unit = unit;
          if (multiplier !== undefined) uom.multiplier = n(String(multiplier));
          const scale = (unit === 'kWh' ? 3 : 0) + (multiplier ?? 0);
          expect(toWh201(n(text), uom)).toBe(exactWh(text, scale));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads what the station wrote, not what a float makes of it: from a whole frame', () => {
    fc.assert(
      fc.property(decimalText, fc.integer({ min: -3, max: 3 }), (text, multiplier) => {
        const frame = `[2,"m1","MeterValues",{"evseId":1,"meterValue":[{"timestamp":"2026-01-01T10:00:00Z","sampledValue":[{"value":${text},"unitOfMeasure":{"unit":"kWh","multiplier":${multiplier}}}]}]}]`;
        const payload = (parseJsonLossless(frame) as unknown[])[3] as { meterValue: unknown };
        const { readings } = parseMeterValues201(payload.meterValue);
        const expected = exactWh(text, 3 + multiplier);
        expect(readings).toEqual(
          expected === null
            ? []
            : [{ wh: expected, measuredAt: '2026-01-01T10:00:00Z', context: 'Sample.Periodic' }],
        );
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseMeterValues201', () => {
  const lossless = (json: string) => parseJsonLossless(json);

  it('keeps Energy.Active.Import.Register readings (the default measurand) with their context, skips phases and other measurands', () => {
    const meterValue = lossless(`[
      {"timestamp":"2026-01-01T10:00:00Z","sampledValue":[
        {"value":1.2345,"context":"Transaction.Begin","unitOfMeasure":{"unit":"kWh"}},
        {"value":7.2,"measurand":"Power.Active.Import","unitOfMeasure":{"unit":"kW"}},
        {"value":400,"measurand":"Energy.Active.Import.Register","phase":"L1"},
        {"value":230.1,"measurand":"Voltage"}
      ]},
      {"timestamp":"2026-01-01T10:15:00Z","sampledValue":[
        {"value":3456.5,"measurand":"Energy.Active.Import.Register"}
      ]}
    ]`);
    expect(parseMeterValues201(meterValue)).toEqual({
      readings: [
        { wh: 1235, measuredAt: '2026-01-01T10:00:00Z', context: 'Transaction.Begin' },
        { wh: 3457, measuredAt: '2026-01-01T10:15:00Z', context: 'Sample.Periodic' },
      ],
      signed: [],
    });
  });

  it('keeps signedMeterData verbatim, and the reading it signs', () => {
    const data = 'PD94bWwgdmVyc2lvbj0iMS4wIj8+PHNpZ25lZE1ldGVyVmFsdWU+\\u003d';
    const meterValue = lossless(`[{"timestamp":"2026-01-01T11:00:00Z","sampledValue":[
      {"value":15000,"context":"Transaction.End","signedMeterValue":{"signedMeterData":"${data}","signingMethod":"ECDSA-secp256r1-SHA256","encodingMethod":"OCMF","publicKey":"MFkw"}}
    ]}]`);
    expect(parseMeterValues201(meterValue)).toEqual({
      readings: [{ wh: 15000, measuredAt: '2026-01-01T11:00:00Z', context: 'Transaction.End' }],
      signed: ['PD94bWwgdmVyc2lvbj0iMS4wIj8+PHNpZ25lZE1ldGVyVmFsdWU+='],
    });
  });

  it('reads nothing from what is not a meterValue array, nor from values JSON.parse made floats', () => {
    expect(parseMeterValues201(undefined)).toEqual({ readings: [], signed: [] });
    expect(parseMeterValues201({})).toEqual({ readings: [], signed: [] });
    expect(parseMeterValues201([null, { timestamp: 5 }, { timestamp: 't', sampledValue: 'x' }])).toEqual({
      readings: [],
      signed: [],
    });
    const floats = JSON.parse('[{"timestamp":"2026-01-01T10:00:00Z","sampledValue":[{"value":12.5}]}]');
    expect(parseMeterValues201(floats)).toEqual({ readings: [], signed: [] });
  });
});
