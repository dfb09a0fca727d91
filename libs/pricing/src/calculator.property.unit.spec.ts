import fc from 'fast-check';
import { type PricedSession, type PricingResult, quote } from '@app/pricing';

/*
 * Property tests of the calculator against a slow reference written here, independently, with
 * scaled BigInt integers only: no decimal.js, no shared code with libs/pricing. Its time rule
 * walks the session minute by minute instead of intersecting tier intervals.
 */

const SCALE = 12n;
const ONE = 10n ** SCALE;
const REFERENCE_MINOR_UNITS: Record<string, number> = {
  EUR: 2,
  USD: 2,
  CHF: 2,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  BHD: 3,
  CLF: 4,
};

interface GeneratedTariff {
  kwh: string;
  session: string;
  tiers: { start: number; price: string }[];
  vat: string;
  currency: string;
  maxMinutes: number;
}

interface GeneratedSession {
  meterStart: number;
  energyWh: number;
  startMs: number;
  elapsedMs: number;
  /** UTC offset the timestamps are written in, minutes. */
  offsetMinutes: number;
}

/** Plain decimal text to an integer in units of 10^-12 (the generator never exceeds 12 places). */
function toScaled(text: string): bigint {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole) * ONE + BigInt(fraction.padEnd(Number(SCALE), '0'));
}

/** n / d rounded half up, for n ≥ 0 and d > 0. */
function divideHalfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

function formatUnits(units: bigint, places: number): string {
  const digits = units.toString().padStart(places + 1, '0');
  return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

type ReferenceResult =
  { status: 'INVALID' } | { status: 'PRICED'; amounts: Record<string, string>; durationS: number };

function referencePrice(tariff: GeneratedTariff, session: GeneratedSession): ReferenceResult {
  const wh = BigInt(session.energyWh);
  if (wh < 0n) return { status: 'INVALID' };
  // energy: kwh (10^-12) × Wh / 1000 is in 10^-15; to 10^-4 divide by 10^11.
  const energy = divideHalfUp(toScaled(tariff.kwh) * wh, 10n ** 11n);
  const sessionFee = wh > 0n ? toScaled(tariff.session) : 0n; // 10^-12, unrounded
  const durationS = Math.min(Math.floor(session.elapsedMs / 1000), tariff.maxMinutes * 60);
  let priceSeconds = 0n; // Σ minute price (10^-12) × seconds
  for (let minute = 0; minute * 60 < durationS; minute++) {
    let price: string | undefined;
    for (const tier of tariff.tiers) if (tier.start <= minute) price = tier.price;
    if (price !== undefined) priceSeconds += toScaled(price) * BigInt(Math.min(60, durationS - minute * 60));
  }
  const time = divideHalfUp(priceSeconds * 10n ** 4n, 60n * ONE);
  const minor = REFERENCE_MINOR_UNITS[tariff.currency];
  const net = divideHalfUp((energy + time) * 10n ** 8n + sessionFee, 10n ** BigInt(12 - minor));
  const vat = divideHalfUp(net * toScaled(tariff.vat), ONE);
  return {
    status: 'PRICED',
    durationS,
    amounts: {
      energy: formatUnits(energy, 4),
      session: formatUnits(sessionFee, 12).replace(/(\.\d{4}\d*?)0+$/, '$1'),
      time: formatUnits(time, 4),
      net: formatUnits(net, minor),
      vat: formatUnits(vat, minor),
      gross: formatUnits(net + vat, minor),
      currency: tariff.currency,
    },
  };
}

// ---- generators ----

/** A non-negative decimal with 0..maxPlaces places below 10^maxWholeDigits, as plain text. */
const decimalText = (maxWholeDigits: number, maxPlaces: number) =>
  fc
    .integer({ min: 0, max: maxPlaces })
    .chain((places) =>
      fc
        .bigInt({ min: 0n, max: 10n ** BigInt(maxWholeDigits + places) - 1n })
        .map((units) => formatUnits(units, places)),
    );

const tariffArb: fc.Arbitrary<GeneratedTariff> = fc.record({
  kwh: fc.oneof(decimalText(1, 5), decimalText(3, 2)),
  session: fc.oneof(fc.constant('0'), decimalText(1, 6), decimalText(3, 0)),
  tiers: fc
    .uniqueArray(fc.integer({ min: 0, max: 600 }), { maxLength: 4 })
    .chain((starts) =>
      fc.tuple(
        ...starts.sort((a, b) => a - b).map((start) => decimalText(1, 6).map((price) => ({ start, price }))),
      ),
    ),
  vat: fc.oneof(fc.constantFrom('0', '1', '0.19', '0.077'), decimalText(0, 4)),
  currency: fc.constantFrom(...Object.keys(REFERENCE_MINOR_UNITS)),
  maxMinutes: fc.oneof(fc.constant(4320), fc.integer({ min: 1, max: 900 })),
});

const sessionArb: fc.Arbitrary<GeneratedSession> = fc.record({
  meterStart: fc.integer({ min: 0, max: 1_000_000_000 }),
  energyWh: fc.oneof(
    fc.constant(0),
    fc.integer({ min: -5000, max: -1 }),
    fc.integer({ min: 1, max: 250_000 }),
  ),
  startMs: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }),
  elapsedMs: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 3 * 86_400_000 })),
  offsetMinutes: fc.constantFrom(0, 60, 120, -300, 330, 765),
});

/** The instant `ms` written in the session's UTC offset, e.g. 2024-05-01T12:00:00.250+02:00. */
function isoWithOffset(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** The request as JSON would carry it; `asNumbers` sends prices the pump way, as JSON numbers. */
function request(tariff: GeneratedTariff, session: GeneratedSession, asNumbers: boolean): unknown {
  const money = (text: string): string | number => (asNumbers ? (JSON.parse(text) as number) : text);
  return {
    tariff: {
      kwh_price: money(tariff.kwh),
      session_price: money(tariff.session),
      time_tariffs: tariff.tiers.map((tier) => ({
        starting_at_minute: tier.start,
        minute_price: money(tier.price),
      })),
      vat: money(tariff.vat),
      currency: tariff.currency,
      max_charging_time: tariff.maxMinutes,
    },
    meter_start: session.meterStart,
    meter_stop: session.meterStart + session.energyWh,
    started_at: isoWithOffset(session.startMs, session.offsetMinutes),
    completed_at: isoWithOffset(session.startMs + session.elapsedMs, session.offsetMinutes),
  };
}

function priced(result: PricingResult): PricedSession {
  if (result.status !== 'PRICED') throw new Error(`expected a priced session, got ${JSON.stringify(result)}`);
  return result;
}

/** An amount string in units of 10^-places (the places it is printed with). */
function units(amount: string, places: number): bigint {
  const [whole, fraction = ''] = amount.split('.');
  expect(fraction.length).toBe(places);
  return BigInt(whole + fraction);
}

/** A component shown with at least 4 places, in units of 10^-12. */
function units12(amount: string): bigint {
  const [whole, fraction = ''] = amount.split('.');
  expect(fraction.length).toBeGreaterThanOrEqual(4);
  return BigInt(whole + fraction.padEnd(12, '0'));
}

const billable = sessionArb.map((session) => ({ ...session, energyWh: Math.abs(session.energyWh) }));
const RUNS = { numRuns: 400 };

describe('priceSession properties', () => {
  it('never differs from the BigInt reference', () => {
    fc.assert(
      fc.property(tariffArb, sessionArb, fc.boolean(), (tariff, session, asNumbers) => {
        const result = quote(request(tariff, session, asNumbers));
        const expected = referencePrice(tariff, session);
        if (expected.status === 'INVALID') {
          expect(result).toMatchObject({ status: 'INVALID', energy_wh: session.energyWh });
          return;
        }
        const actual = priced(result);
        expect(actual.final_amount).toEqual(expected.amounts);
        expect(actual.energy_wh).toBe(session.energyWh);
        expect(actual.duration_s).toBe(expected.durationS);
        expect(actual.time_tariffs.reduce((sum, tier) => sum + tier.seconds, 0)).toBeLessThanOrEqual(
          actual.duration_s,
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('sums the components to net before rounding, and net and vat to gross', () => {
    fc.assert(
      fc.property(tariffArb, billable, (tariff, session) => {
        const amount = priced(quote(request(tariff, session, false))).final_amount;
        const minor = REFERENCE_MINOR_UNITS[tariff.currency];
        expect(amount.energy.split('.')[1]).toHaveLength(4);
        expect(amount.time.split('.')[1]).toHaveLength(4);
        const components = units12(amount.energy) + units12(amount.session) + units12(amount.time);
        expect(divideHalfUp(components, 10n ** BigInt(12 - minor))).toBe(units(amount.net, minor));
        expect(units(amount.net, minor) + units(amount.vat, minor)).toBe(units(amount.gross, minor));
      }),
      RUNS,
    );
  });

  it('never charges less for more energy', () => {
    fc.assert(
      fc.property(tariffArb, billable, fc.integer({ min: 0, max: 100_000 }), (tariff, session, moreWh) => {
        const minor = REFERENCE_MINOR_UNITS[tariff.currency];
        const less = priced(quote(request(tariff, session, false))).final_amount;
        const more = priced(
          quote(request(tariff, { ...session, energyWh: session.energyWh + moreWh }, false)),
        ).final_amount;
        expect(units(more.energy, 4)).toBeGreaterThanOrEqual(units(less.energy, 4));
        expect(units(more.net, minor)).toBeGreaterThanOrEqual(units(less.net, minor));
        expect(units(more.gross, minor)).toBeGreaterThanOrEqual(units(less.gross, minor));
      }),
      RUNS,
    );
  });

  it('never charges less for more time', () => {
    fc.assert(
      fc.property(tariffArb, billable, fc.integer({ min: 0, max: 86_400_000 }), (tariff, session, moreMs) => {
        const minor = REFERENCE_MINOR_UNITS[tariff.currency];
        const shorter = priced(quote(request(tariff, session, false))).final_amount;
        const longer = priced(
          quote(request(tariff, { ...session, elapsedMs: session.elapsedMs + moreMs }, false)),
        ).final_amount;
        expect(units(longer.time, 4)).toBeGreaterThanOrEqual(units(shorter.time, 4));
        expect(units(longer.net, minor)).toBeGreaterThanOrEqual(units(shorter.net, minor));
        expect(units(longer.gross, minor)).toBeGreaterThanOrEqual(units(shorter.gross, minor));
      }),
      RUNS,
    );
  });

  it('charges the session fee only when energy flowed', () => {
    fc.assert(
      fc.property(tariffArb, billable, (tariff, session) => {
        const result = priced(quote(request(tariff, session, false)));
        if (result.energy_wh === 0) expect(result.final_amount.session).toBe('0.0000');
        if (result.final_amount.session !== '0.0000') expect(result.energy_wh).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});
