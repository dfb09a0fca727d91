import {
  MAX_MINUTES,
  PricingInputError,
  billableCurrencies,
  minorUnitOf,
  parseInstant,
  parseQuoteRequest,
  quote,
  validateTariff,
} from '@app/pricing';

const TARIFF = {
  kwh_price: '0.59',
  session_price: '0.50',
  time_tariffs: [
    { starting_at_minute: 30, minute_price: '0.05' },
    { starting_at_minute: 60, minute_price: '0.10' },
  ],
  vat: '0.19',
  currency: 'EUR',
  max_charging_time: 4320,
};
const REQUEST = {
  tariff: TARIFF,
  meter_start: 1000,
  meter_stop: 2000,
  started_at: '2024-05-01T10:00:00Z',
  completed_at: '2024-05-01T11:00:00Z',
};

function errorOf(action: () => unknown): PricingInputError {
  try {
    action();
  } catch (error) {
    if (error instanceof PricingInputError) return error;
    throw error;
  }
  throw new Error('expected a PricingInputError, nothing was thrown');
}

const withTariff = (changes: Record<string, unknown>) => ({ ...TARIFF, ...changes });
const withTier = (index: number, changes: Record<string, unknown>) =>
  withTariff({
    time_tariffs: TARIFF.time_tariffs.map((tier, i) => (i === index ? { ...tier, ...changes } : tier)),
  });
const without = <T extends object>(value: T, key: keyof T) => {
  const copy = { ...value };
  delete copy[key];
  return copy;
};

describe('validateTariff rejects a bad tariff with the field and the reason', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['not an object', [], 'tariff', /must be a JSON object, got an array/],
    ['missing kwh_price', without(TARIFF, 'kwh_price'), 'tariff.kwh_price', /is required/],
    [
      'negative kwh_price',
      withTariff({ kwh_price: -0.1 }),
      'tariff.kwh_price',
      /must not be negative, got -0.1/,
    ],
    [
      'negative session_price',
      withTariff({ session_price: '-1' }),
      'tariff.session_price',
      /must not be negative/,
    ],
    [
      'negative minute_price',
      withTier(1, { minute_price: '-0.01' }),
      'tariff.time_tariffs[1].minute_price',
      /must not be negative/,
    ],
    [
      'non-numeric price',
      withTariff({ kwh_price: 'abc' }),
      'tariff.kwh_price',
      /is not a decimal number: "abc"/,
    ],
    ['price with a comma', withTariff({ kwh_price: '0,59' }), 'tariff.kwh_price', /is not a decimal number/],
    [
      'Infinity as a price',
      withTariff({ kwh_price: 'Infinity' }),
      'tariff.kwh_price',
      /is not a decimal number/,
    ],
    ['hex price', withTariff({ kwh_price: '0x10' }), 'tariff.kwh_price', /is not a decimal number/],
    ['blank price', withTariff({ session_price: ' 1' }), 'tariff.session_price', /is not a decimal number/],
    ['empty price', withTariff({ session_price: '' }), 'tariff.session_price', /is not a decimal number/],
    [
      'boolean price',
      withTariff({ kwh_price: true }),
      'tariff.kwh_price',
      /must be a decimal string or number, got boolean true/,
    ],
    [
      'null price',
      withTariff({ kwh_price: null }),
      'tariff.kwh_price',
      /must be a decimal string or number, got null/,
    ],
    [
      'too many decimals',
      withTariff({ kwh_price: '0.1234567890123' }),
      'tariff.kwh_price',
      /more than 12 decimal places/,
    ],
    ['absurd price', withTariff({ kwh_price: 1e9 }), 'tariff.kwh_price', /must be below 1000000000/],
    ['VAT above 1', withTariff({ vat: '1.5' }), 'tariff.vat', /must be a rate between 0 and 1 .*got 1.5/],
    ['VAT as a percentage', withTariff({ vat: 19 }), 'tariff.vat', /between 0 and 1/],
    ['negative VAT', withTariff({ vat: -0.01 }), 'tariff.vat', /between 0 and 1/],
    ['VAT with a percent sign', withTariff({ vat: '19%' }), 'tariff.vat', /is not a decimal number/],
    ['missing VAT', without(TARIFF, 'vat'), 'tariff.vat', /is required/],
    [
      'time_tariffs not an array',
      withTariff({ time_tariffs: {} }),
      'tariff.time_tariffs',
      /must be an array/,
    ],
    [
      'tier not an object',
      withTariff({ time_tariffs: [42] }),
      'tariff.time_tariffs[0]',
      /must be a JSON object/,
    ],
    [
      'duplicate tiers',
      withTier(1, { starting_at_minute: 30 }),
      'tariff.time_tariffs[1].starting_at_minute',
      /duplicates tariff.time_tariffs\[0\]: both start at minute 30/,
    ],
    [
      'unsorted tiers',
      withTier(1, { starting_at_minute: 15 }),
      'tariff.time_tariffs[1].starting_at_minute',
      /tiers must be sorted by starting_at_minute/,
    ],
    [
      'negative tier start',
      withTier(0, { starting_at_minute: -1 }),
      'tariff.time_tariffs[0].starting_at_minute',
      /zero or more minutes/,
    ],
    [
      'fractional tier start',
      withTier(0, { starting_at_minute: 1.5 }),
      'tariff.time_tariffs[0].starting_at_minute',
      /must be an integer \(minutes\)/,
    ],
    [
      'missing tier price',
      withTariff({ time_tariffs: [{ starting_at_minute: 0 }] }),
      'tariff.time_tariffs[0].minute_price',
      /is required/,
    ],
    ['unknown currency', withTariff({ currency: 'XYZ' }), 'tariff.currency', /not an ISO 4217 currency/],
    ['lower-case currency', withTariff({ currency: 'eur' }), 'tariff.currency', /upper case: "EUR"/],
    [
      'currency without a minor unit',
      withTariff({ currency: 'XAU' }),
      'tariff.currency',
      /not an ISO 4217 currency with a minor unit/,
    ],
    ['numeric currency', withTariff({ currency: 978 }), 'tariff.currency', /must be an ISO 4217 code/],
    ['missing currency', without(TARIFF, 'currency'), 'tariff.currency', /is required/],
    [
      'zero max_charging_time',
      withTariff({ max_charging_time: 0 }),
      'tariff.max_charging_time',
      /must be a positive number of minutes, got 0/,
    ],
    [
      'negative max_charging_time',
      withTariff({ max_charging_time: -5 }),
      'tariff.max_charging_time',
      /positive number of minutes/,
    ],
    [
      'fractional max_charging_time',
      withTariff({ max_charging_time: 90.5 }),
      'tariff.max_charging_time',
      /must be an integer/,
    ],
    [
      'non-numeric max_charging_time',
      withTariff({ max_charging_time: 'long' }),
      'tariff.max_charging_time',
      /must be an integer/,
    ],
    ['missing kwh_price', without(TARIFF, 'kwh_price'), 'tariff.kwh_price', /is required/],
    ['missing currency', without(TARIFF, 'currency'), 'tariff.currency', /is required/],
    ['numeric tariff_id', withTariff({ tariff_id: 7 }), 'tariff.tariff_id', /must be a string/],
  ])('%s', (_case, tariff, path, message) => {
    const error = errorOf(() => validateTariff(tariff));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it('reads an absent session_price, time_tariffs or max_charging_time as none', () => {
    const bare = { kwh_price: '0.5', vat: '0.19', currency: 'EUR' };
    const nulls = { ...bare, session_price: null, time_tariffs: null, max_charging_time: null };
    for (const tariff of [bare, nulls]) {
      const validated = validateTariff(tariff);
      expect(validated.snapshot).toMatchObject({
        session_price: '0',
        time_tariffs: [],
        max_charging_time: MAX_MINUTES,
      });
      // No cap: a 200-day session is billed for all of its seconds.
      const result = quote({
        tariff: { ...tariff, time_tariffs: [{ starting_at_minute: 0, minute_price: '0.01' }] },
        meter_start: 0,
        meter_stop: 1000,
        started_at: '2026-01-01T00:00:00Z',
        completed_at: '2026-07-20T00:00:00Z',
      });
      expect(result).toMatchObject({ status: 'PRICED', duration_s: 200 * 86400 });
    }
  });

  it('accepts the edges of the valid range', () => {
    expect(() => validateTariff(withTariff({ vat: 0, kwh_price: '-0', time_tariffs: [] }))).not.toThrow();
    expect(() => validateTariff(withTariff({ vat: '1', kwh_price: '1e-12', currency: 'UYW' }))).not.toThrow();
    expect(() =>
      validateTariff(
        withTariff({ time_tariffs: [{ starting_at_minute: 0, minute_price: 0 }], max_charging_time: 1 }),
      ),
    ).not.toThrow();
  });
});

describe('parseQuoteRequest rejects a bad request with the field and the reason', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['not an object', 'hello', 'request', /must be a JSON object, got "hello"/],
    ['missing tariff', without(REQUEST, 'tariff'), 'tariff', /is required/],
    ['missing meter_start', without(REQUEST, 'meter_start'), 'meter_start', /is required/],
    [
      'fractional Wh',
      { ...REQUEST, meter_stop: 2000.5 },
      'meter_stop',
      /must be an integer \(Wh\), got number 2000.5/,
    ],
    ['fractional Wh string', { ...REQUEST, meter_stop: '2000.5' }, 'meter_stop', /must be an integer \(Wh\)/],
    ['non-numeric Wh', { ...REQUEST, meter_start: 'lots' }, 'meter_start', /must be an integer/],
    ['Wh beyond safe integers', { ...REQUEST, meter_stop: 2 ** 53 }, 'meter_stop', /too large/],
    ['null Wh', { ...REQUEST, meter_stop: null }, 'meter_stop', /must be an integer \(Wh\), got null/],
    ['missing started_at', without(REQUEST, 'started_at'), 'started_at', /is required/],
    [
      'unix time instead of ISO',
      { ...REQUEST, started_at: 1714557600 },
      'started_at',
      /must be an ISO 8601 timestamp string/,
    ],
    ['free text', { ...REQUEST, completed_at: 'yesterday' }, 'completed_at', /is not an ISO 8601 timestamp/],
    ['date only', { ...REQUEST, completed_at: '2024-05-01' }, 'completed_at', /is not an ISO 8601 timestamp/],
    ['month 13', { ...REQUEST, started_at: '2024-13-01T00:00:00Z' }, 'started_at', /month 13/],
    [
      '29 February of a common year',
      { ...REQUEST, started_at: '2023-02-29T00:00:00Z' },
      'started_at',
      /day 29, which 2023-02 does not have/,
    ],
    [
      'hour 24',
      { ...REQUEST, completed_at: '2024-05-01T24:00:00Z' },
      'completed_at',
      /expected 00:00:00..23:59:59/,
    ],
    [
      'leap second',
      { ...REQUEST, completed_at: '2024-05-01T23:59:60Z' },
      'completed_at',
      /expected 00:00:00..23:59:59/,
    ],
    [
      'offset beyond a day',
      { ...REQUEST, started_at: '2024-05-01T10:00:00+24:00' },
      'started_at',
      /UTC offset/,
    ],
    [
      'completed before started',
      { ...REQUEST, completed_at: '2024-05-01T09:59:59Z' },
      'completed_at',
      /is before started_at/,
    ],
  ])('%s', (_case, request, path, message) => {
    const error = errorOf(() => quote(request));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });

  it('accepts integer strings for Wh and RFC 3339 variants of timestamps', () => {
    const request = parseQuoteRequest({
      ...REQUEST,
      meter_start: '1000',
      started_at: '2024-05-01t12:00+02:00',
      completed_at: '2024-05-01 10:00:00.000z',
    });
    expect(request.readings.meterStartWh).toBe(1000);
    expect(request.readings.startedAt).toEqual(request.readings.completedAt);
  });

  it('reads a timestamp without an offset as UTC', () => {
    expect(parseInstant('2024-05-01T10:00:00', 'at')).toEqual(parseInstant('2024-05-01T10:00:00Z', 'at'));
  });

  it('reads dates far from 1970 exactly', () => {
    const yearOne = new Date(0);
    yearOne.setUTCFullYear(1, 0, 1);
    expect(parseInstant('0001-01-01T00:00:00Z', 'at').epochSeconds).toBe(yearOne.getTime() / 1000);
    expect(parseInstant('2100-03-01T00:00:00Z', 'at').epochSeconds).toBe(Date.UTC(2100, 2, 1) / 1000);
    expect(parseInstant('1969-12-31T23:59:59.5Z', 'at')).toEqual({ epochSeconds: -1, fraction: '5' });
  });
});

describe('ISO 4217 minor units', () => {
  it.each([
    ['EUR', 2],
    ['USD', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['ISK', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['OMR', 3],
    ['JOD', 3],
    ['TND', 3],
    ['LYD', 3],
    ['IQD', 3],
    ['CLF', 4],
    ['UYW', 4],
    ['UYI', 0],
  ])('%s has %i', (code, unit) => {
    expect(minorUnitOf(code)).toBe(unit);
  });

  it('covers the active codes and nothing that has no minor unit', () => {
    const codes = billableCurrencies();
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.length).toBeGreaterThanOrEqual(160);
    for (const code of ['XAU', 'XAG', 'XPT', 'XPD', 'XDR', 'XTS', 'XXX', 'XSU', 'XUA'])
      expect(minorUnitOf(code)).toBeUndefined();
    for (const code of codes) expect(code).toMatch(/^[A-Z]{3}$/);
  });
});
