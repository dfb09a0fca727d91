import type { TariffSnapshot } from '@app/contracts';
import {
  type PricedSession,
  type PricingResult,
  PricingInputError,
  parseInstant,
  priceSession,
  quote,
  validateTariff,
} from '@app/pricing';

const START = '2024-05-01T10:00:00Z';

function at(secondsAfterStart: number): string {
  return new Date(Date.parse(START) + secondsAfterStart * 1000).toISOString();
}

function euroTariff(overrides: Partial<Record<keyof TariffSnapshot, unknown>>): Record<string, unknown> {
  return {
    kwh_price: 0,
    session_price: 0,
    time_tariffs: [],
    vat: 0.19,
    currency: 'EUR',
    max_charging_time: 4320,
    ...overrides,
  };
}

function priced(result: PricingResult): PricedSession {
  if (result.status !== 'PRICED') throw new Error(`expected a priced session, got ${JSON.stringify(result)}`);
  return result;
}

function priceFor(tariff: Record<string, unknown>, wh: number, seconds: number): PricedSession {
  return priced(
    quote({
      tariff,
      meter_start: 1_000_000,
      meter_stop: 1_000_000 + wh,
      started_at: START,
      completed_at: at(seconds),
    }),
  );
}

// The tariffs of ARCHITECTURE.md "Pricing", in the pump API's JSON-number style.
const A = euroTariff({
  kwh_price: 0.88,
  session_price: 0,
  time_tariffs: [{ starting_at_minute: 45, minute_price: 0.12 }],
});
const B = euroTariff({
  kwh_price: 0.59,
  time_tariffs: [
    { starting_at_minute: 30, minute_price: 0.05 },
    { starting_at_minute: 60, minute_price: 0.1 },
    { starting_at_minute: 240, minute_price: 0.2 },
  ],
});
const C = euroTariff({
  kwh_price: 0.56,
  session_price: 0.56,
  time_tariffs: [{ starting_at_minute: 180, minute_price: 0.95 }],
});
const D = euroTariff({ kwh_price: 0.5, session_price: 1.0 });

describe('priceSession: the worked examples of ARCHITECTURE.md', () => {
  it.each([
    ['A', A, 15000, 3000, ['13.2000', '0.0000', '0.6000', '13.80', '2.62', '16.42']],
    ['A', A, 12345, 2745, ['10.8636', '0.0000', '0.0900', '10.95', '2.08', '13.03']],
    ['B', B, 30000, 16200, ['17.7000', '0.0000', '25.5000', '43.20', '8.21', '51.41']],
    ['C', C, 0, 12000, ['0.0000', '0.0000', '19.0000', '19.00', '3.61', '22.61']],
    ['D', D, 8765, 900, ['4.3825', '1.0000', '0.0000', '5.38', '1.02', '6.40']],
  ] as const)(
    'tariff %s, %i Wh, %i s',
    (_name, tariff, wh, seconds, [energy, session, time, net, vat, gross]) => {
      const result = priceFor(tariff, wh, seconds);
      expect(result.final_amount).toEqual({ energy, session, time, net, vat, gross, currency: 'EUR' });
      expect(result.energy_wh).toBe(wh);
      expect(result.duration_s).toBe(seconds);
    },
  );

  it('gives the same answer for decimal strings as for JSON numbers', () => {
    const asStrings = euroTariff({
      kwh_price: '0.59',
      session_price: '0',
      time_tariffs: [
        { starting_at_minute: '30', minute_price: '0.05' },
        { starting_at_minute: 60, minute_price: '0.10' },
        { starting_at_minute: 240, minute_price: '0.2' },
      ],
      vat: '0.19',
      max_charging_time: '4320',
    });
    expect(priceFor(asStrings, 30000, 16200).final_amount).toEqual(priceFor(B, 30000, 16200).final_amount);
  });
});

describe('priceSession: breakdown', () => {
  it('reports the billed seconds of every tier, including tiers never reached', () => {
    const result = priceFor(B, 1, 100 * 60);
    expect(result.time_tariffs).toEqual([
      { starting_at_minute: 30, minute_price: '0.05', seconds: 1800 },
      { starting_at_minute: 60, minute_price: '0.1', seconds: 2400 },
      { starting_at_minute: 240, minute_price: '0.2', seconds: 0 },
    ]);
    expect(result.elapsed_s).toBe(6000);
  });

  it('charges nothing for the time before the first tier starts', () => {
    expect(priceFor(A, 1000, 45 * 60).final_amount.time).toBe('0.0000');
    expect(priceFor(A, 1000, 45 * 60 + 1).final_amount.time).toBe('0.0020');
  });

  it('caps the billed duration at max_charging_time minutes', () => {
    const capped = euroTariff({
      time_tariffs: [{ starting_at_minute: 0, minute_price: '0.10' }],
      max_charging_time: 60,
    });
    const result = priceFor(capped, 0, 7200);
    expect(result.elapsed_s).toBe(7200);
    expect(result.duration_s).toBe(3600);
    expect(result.final_amount.time).toBe('6.0000');
  });

  it('gives no seconds to a tier that starts after the cap', () => {
    const tariff = euroTariff({
      time_tariffs: [
        { starting_at_minute: 0, minute_price: '0.10' },
        { starting_at_minute: 90, minute_price: '5' },
      ],
      max_charging_time: 60,
    });
    expect(priceFor(tariff, 0, 6 * 3600).time_tariffs.map((t) => t.seconds)).toEqual([3600, 0]);
  });

  it('keeps the tariff as given, prices as decimal strings, for the charge to store', () => {
    expect(validateTariff({ ...A, tariff_id: 't-1', version: 3 }).snapshot).toEqual({
      tariff_id: 't-1',
      version: 3,
      kwh_price: '0.88',
      session_price: '0',
      time_tariffs: [{ starting_at_minute: 45, minute_price: '0.12' }],
      vat: '0.19',
      currency: 'EUR',
      max_charging_time: 4320,
    });
  });

  it('prices many sessions with one validated tariff', () => {
    const tariff = validateTariff(A);
    const readings = {
      meterStartWh: 0,
      meterStopWh: 15000,
      startedAt: parseInstant(START, 's'),
      completedAt: parseInstant(at(3000), 'c'),
    };
    expect(priced(priceSession(tariff, readings)).final_amount.gross).toBe('16.42');
    expect(
      priced(
        priceSession(tariff, { ...readings, meterStopWh: 12345, completedAt: parseInstant(at(2745), 'c') }),
      ).final_amount.gross,
    ).toBe('13.03');
  });
});

describe('priceSession: rounding', () => {
  it('rounds energy half up at 4 decimal places', () => {
    expect(priceFor(euroTariff({ kwh_price: '0.05' }), 1, 0).final_amount.energy).toBe('0.0001');
    expect(priceFor(euroTariff({ kwh_price: '0.04' }), 1, 0).final_amount.energy).toBe('0.0000');
  });

  it('rounds the time sum once, not per tier', () => {
    // Each tier comes to 0.00005, which alone would round up to 0.0001; their sum is exactly 0.0001.
    const tariff = euroTariff({
      time_tariffs: [
        { starting_at_minute: 0, minute_price: '0.00005' },
        { starting_at_minute: 1, minute_price: '0.003' },
      ],
    });
    expect(priceFor(tariff, 0, 61).final_amount.time).toBe('0.0001');
  });

  it('rounds net and vat half up in the minor unit', () => {
    // net 0.005 → 0.01; vat 0.01 × 0.5 = 0.005 → 0.01.
    const result = priceFor(euroTariff({ session_price: '0.005', vat: '0.5' }), 1, 0);
    expect(result.final_amount).toMatchObject({ session: '0.0050', net: '0.01', vat: '0.01', gross: '0.02' });
  });

  it('adds the session fee to net unrounded and shows all of its places', () => {
    // energy 1.0000 + session 0.00499 = 1.00499 → 1.00; rounding the fee to 0.0050 first would give 1.01.
    const result = priceFor(euroTariff({ kwh_price: 1, session_price: '0.00499' }), 1000, 0);
    expect(result.final_amount).toMatchObject({ energy: '1.0000', session: '0.00499', net: '1.00' });
    const clf = priceFor(euroTariff({ session_price: '0.12345', currency: 'CLF' }), 1, 0);
    expect(clf.final_amount).toMatchObject({ session: '0.12345', net: '0.1235' });
    const short = priceFor(euroTariff({ session_price: '0.5' }), 1, 0);
    expect(short.final_amount).toMatchObject({ session: '0.5000', net: '0.50' });
  });

  it.each([
    [
      'JPY',
      { kwh_price: 45, session_price: 100, vat: 0.1 },
      12345,
      { energy: '555.5250', net: '656', vat: '66', gross: '722' },
    ],
    [
      'KWD',
      { kwh_price: '0.0275', session_price: 0, vat: 0 },
      12345,
      { energy: '0.3395', net: '0.340', vat: '0.000', gross: '0.340' },
    ],
    [
      'BHD',
      { kwh_price: '0.0499', vat: '0.1' },
      10001,
      { energy: '0.4990', net: '0.499', vat: '0.050', gross: '0.549' },
    ],
    [
      'CLF',
      { kwh_price: '0.00051', vat: '0.19' },
      9999,
      { energy: '0.0051', net: '0.0051', vat: '0.0010', gross: '0.0061' },
    ],
  ])('uses the minor unit of %s', (currency, prices, wh, expected) => {
    expect(priceFor(euroTariff({ ...prices, currency }), wh, 0).final_amount).toMatchObject({
      ...expected,
      currency,
    });
  });
});

describe('priceSession: energy', () => {
  it('waives the session fee when no energy flowed', () => {
    expect(priceFor(D, 0, 900).final_amount).toMatchObject({ session: '0.0000', net: '0.00', gross: '0.00' });
  });

  it('marks a session with negative energy INVALID, without a bill', () => {
    const result = quote({
      tariff: A,
      meter_start: 2000,
      meter_stop: 1500,
      started_at: START,
      completed_at: at(60),
    });
    expect(result).toEqual({
      status: 'INVALID',
      reason: 'meter_stop (1500 Wh) is below meter_start (2000 Wh)',
      energy_wh: -500,
    });
  });
});

describe('priceSession: duration', () => {
  const perSecond = euroTariff({ time_tariffs: [{ starting_at_minute: 0, minute_price: '60' }] });
  const duration = (started_at: string, completed_at: string): number =>
    priced(quote({ tariff: perSecond, meter_start: 0, meter_stop: 0, started_at, completed_at })).duration_s;

  it('floors the exact difference to whole seconds', () => {
    expect(duration('2024-05-01T10:00:00.999Z', '2024-05-01T10:00:59.998Z')).toBe(58);
    expect(duration('2024-05-01T10:00:00.5Z', '2024-05-01T10:00:01.5Z')).toBe(1);
    // Beyond milliseconds: 0.9991 s is 0 whole seconds, which Date's millisecond rounding would miss.
    expect(duration('2024-05-01T10:00:00.0009Z', '2024-05-01T10:00:01.0000Z')).toBe(0);
    expect(duration('2024-05-01T10:00:00.123456789Z', '2024-05-01T10:00:01.123456789Z')).toBe(1);
  });

  it('honours UTC offsets', () => {
    expect(duration('2024-05-01T12:00:00+02:00', '2024-05-01T10:30:00Z')).toBe(1800);
    expect(duration('2024-05-01T09:00:00-0100', '2024-05-01T10:00:00.000Z')).toBe(0);
  });

  it('crosses month, leap day and year boundaries', () => {
    expect(duration('2024-02-28T23:00:00Z', '2024-03-01T01:00:00Z')).toBe(26 * 3600);
    expect(duration('2023-12-31T23:59:59Z', '2024-01-01T00:00:01Z')).toBe(2);
  });

  it('rejects a session that completed before it started', () => {
    expect(() =>
      quote({
        tariff: A,
        meter_start: 0,
        meter_stop: 1,
        started_at: START,
        completed_at: '2024-05-01T09:59:59.9Z',
      }),
    ).toThrow(new PricingInputError('completed_at', 'is before started_at'));
  });
});

describe('priceSession: input limits', () => {
  it('stays exact and in plain notation at the largest accepted inputs', () => {
    const largest = '999999999.999999999999';
    const tariff = {
      kwh_price: largest,
      session_price: '999999999.99999',
      time_tariffs: [{ starting_at_minute: 0, minute_price: largest }],
      vat: '0.999999999999',
      currency: 'EUR',
      max_charging_time: 100_000_000,
    };
    const result = quote({
      tariff,
      meter_start: 0,
      meter_stop: Number.MAX_SAFE_INTEGER,
      started_at: '2000-01-01T00:00:00Z',
      completed_at: '2190-02-17T10:40:00Z',
    });
    // Expected values computed independently with Python's decimal module at 100 digits.
    expect(priced(result).final_amount).toEqual({
      energy: '9007199254740990999990.9928',
      session: '999999999.99999',
      time: '99999999999999999.9999',
      net: '9007299254741990999990.99',
      vat: '9007299254732983700736.25',
      gross: '18014598509474974700727.24',
      currency: 'EUR',
    });
  });

  it('prints tiny amounts without exponent notation', () => {
    expect(
      priceFor(euroTariff({ kwh_price: '0.0001', currency: 'CLF', vat: '0.5' }), 1000, 0).final_amount,
    ).toMatchObject({
      energy: '0.0001',
      net: '0.0001',
      vat: '0.0001',
      gross: '0.0002',
    });
  });
});
