/**
 * Quote throughput of the tariff calculator on one core (the event loop's thread).
 * `quotes_per_s` is the whole path billing-service and `npm run -s quote` take per session:
 * validate the tariff snapshot the session carries, parse the request, price it.
 * `prevalidated_quotes_per_s` prices with tariffs validated once, for a caller that caches them.
 */
import path from 'node:path';
import {
  type SessionReadings,
  type ValidatedTariff,
  parseQuoteRequest,
  priceSession,
  quote,
} from '@app/pricing';

export interface QuoteBenchResult {
  quotes_per_s: number;
  prevalidated_quotes_per_s: number;
}

// Tariffs shaped like real CPO price sheets: 0 to 4 time tiers (blocking fees, day/night),
// prices as JSON numbers (pump style) or decimal strings, several currencies.
const TARIFFS: Record<string, unknown>[] = [
  {
    kwh_price: 0.59,
    session_price: 0,
    time_tariffs: [],
    vat: 0.19,
    currency: 'EUR',
    max_charging_time: 4320,
  },
  {
    kwh_price: '0.88',
    session_price: '0',
    time_tariffs: [{ starting_at_minute: 45, minute_price: '0.12' }],
    vat: '0.19',
    currency: 'EUR',
    max_charging_time: 4320,
  },
  {
    kwh_price: 0.49,
    session_price: 1.5,
    time_tariffs: [
      { starting_at_minute: 30, minute_price: 0.05 },
      { starting_at_minute: 60, minute_price: 0.1 },
    ],
    vat: 0.2,
    currency: 'GBP',
    max_charging_time: 720,
  },
  {
    kwh_price: '0.59',
    session_price: '0.35',
    time_tariffs: [
      { starting_at_minute: 30, minute_price: '0.05' },
      { starting_at_minute: 60, minute_price: '0.10' },
      { starting_at_minute: 240, minute_price: '0.20' },
    ],
    vat: '0.081',
    currency: 'CHF',
    max_charging_time: 1440,
  },
  {
    kwh_price: 55,
    session_price: 110,
    time_tariffs: [
      { starting_at_minute: 0, minute_price: 0 },
      { starting_at_minute: 60, minute_price: 10 },
      { starting_at_minute: 120, minute_price: 20 },
      { starting_at_minute: 240, minute_price: 40 },
    ],
    vat: 0.1,
    currency: 'JPY',
    max_charging_time: 600,
  },
  {
    kwh_price: '0.0275',
    session_price: '0.250',
    time_tariffs: [{ starting_at_minute: 180, minute_price: '0.010' }],
    vat: '0',
    currency: 'KWD',
    max_charging_time: 4320,
  },
];

/** Deterministic pseudo-random numbers (mulberry32), so runs are comparable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sessions of 5 minutes to 10 hours and 0 to 80 kWh, a few with no energy. */
function requests(count: number): unknown[] {
  const next = random(42);
  const firstStart = Date.UTC(2024, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const meterStart = Math.floor(next() * 50_000_000);
    const energyWh = next() < 0.05 ? 0 : Math.floor(next() * 80_000);
    const startMs = firstStart + Math.floor(next() * 365 * 86_400_000);
    const elapsedMs = 300_000 + Math.floor(next() * 10 * 3_600_000);
    return {
      tariff: TARIFFS[i % TARIFFS.length],
      meter_start: meterStart,
      meter_stop: meterStart + energyWh,
      started_at: new Date(startMs).toISOString(),
      completed_at: new Date(startMs + elapsedMs).toISOString(),
    };
  });
}

/** Runs `once(i)` repeatedly for `durationMs`, yielding to the event loop between batches. */
async function rate(durationMs: number, once: (i: number) => unknown): Promise<number> {
  const batch = 1000;
  let done = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(durationMs * 1e6));
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) once(done + i);
    done += batch;
    await new Promise<void>((resolve) => setImmediate(resolve));
    now = process.hrtime.bigint();
  }
  return Math.round(done / (Number(now - started) / 1e9));
}

/** Spends `durationMs` in total: a short warm-up, then the two measurements in equal parts. */
export async function benchQuotes(durationMs: number): Promise<QuoteBenchResult> {
  const sample = requests(4096);
  const prevalidated = sample.map((request): { tariff: ValidatedTariff; readings: SessionReadings } =>
    parseQuoteRequest(request),
  );
  const mask = sample.length - 1;
  let priced = 0;
  const count = (result: ReturnType<typeof quote>): void => {
    if (result.status === 'PRICED') priced++;
  };

  await rate(durationMs * 0.1, (i) => count(quote(sample[i & mask])));
  const quotesPerS = await rate(durationMs * 0.45, (i) => count(quote(sample[i & mask])));
  const prevalidatedPerS = await rate(durationMs * 0.45, (i) => {
    const { tariff, readings } = prevalidated[i & mask];
    count(priceSession(tariff, readings));
  });
  if (priced === 0) throw new Error('benchmark priced nothing');
  return { quotes_per_s: quotesPerS, prevalidated_quotes_per_s: prevalidatedPerS };
}

// `node scripts/run-ts.mjs bench/billing-quote.ts [durationMs]` measures this part alone.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  const durationMs = Number.parseInt(process.argv[2] ?? '5000', 10);
  benchQuotes(durationMs).then(
    (result) => {
      process.stdout.write(`${JSON.stringify({ bench: 'billing-quote', ...result })}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
