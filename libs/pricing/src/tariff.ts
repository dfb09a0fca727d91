import type { TariffSnapshot, TimeTariff } from '@app/contracts';
import { minorUnitOf } from './currencies';
import { type Decimal, PricingDecimal } from './decimal';
import { PricingInputError } from './errors';
import { describe, readDecimal, readInteger, readObject, requirePresent } from './input';

/**
 * Input limits. They are far beyond any real tariff and exist so that, with 40 significant
 * digits, every product and sum in the calculator is exact and only the rounding steps of the
 * specification ever round.
 */
export const PRICE_LIMIT = new PricingDecimal('1e9');
export const MAX_DECIMAL_PLACES = 12;
export const MAX_MINUTES = 100_000_000;

declare const validatedTariff: unique symbol;

export interface ValidatedTier {
  readonly startingAtMinute: number;
  readonly startSecond: number;
  readonly minutePrice: Decimal;
}

/**
 * A tariff that passed `validateTariff`, with its values already converted, so pricing many
 * sessions with one tariff costs no parsing. The brand keeps anything else from posing as one.
 */
export interface ValidatedTariff {
  readonly [validatedTariff]: true;
  /** The tariff as given, prices as decimal strings: what a charge stores as its input. */
  readonly snapshot: TariffSnapshot;
  readonly pricePerWh: Decimal;
  /** session_price exactly as given (step 3 adds it to net unrounded). */
  readonly sessionFee: Decimal;
  readonly tiers: readonly ValidatedTier[];
  readonly vatRate: Decimal;
  readonly currency: string;
  readonly minorUnit: number;
  readonly maxBilledSeconds: number;
}

const absent = (value: unknown) => value === undefined || value === null;

/**
 * Checks a tariff (JSON numbers or decimal strings) and prepares it for `priceSession`.
 * `kwh_price`, `vat` and `currency` are required. Absent (missing or null) means none for the
 * other three: `session_price` 0, `time_tariffs` [], `max_charging_time` no cap (kept as
 * MAX_MINUTES, the largest accepted value, so the snapshot stays complete).
 */
export function validateTariff(input: unknown, path = 'tariff'): ValidatedTariff {
  const raw = readObject(input, path);
  const kwhPrice = readPrice(raw.kwh_price, `${path}.kwh_price`);
  const sessionPriceInput = absent(raw.session_price) ? '0' : raw.session_price;
  const sessionPrice = readPrice(sessionPriceInput, `${path}.session_price`);
  const { tiers, timeTariffs } = readTiers(
    absent(raw.time_tariffs) ? [] : raw.time_tariffs,
    `${path}.time_tariffs`,
  );
  const vatRate = readVatRate(raw.vat, `${path}.vat`);
  const { currency, minorUnit } = readCurrency(raw.currency, `${path}.currency`);
  const maxChargingTime = absent(raw.max_charging_time)
    ? MAX_MINUTES
    : readMinutes(raw.max_charging_time, `${path}.max_charging_time`, 1);

  const snapshot: TariffSnapshot = {
    kwh_price: String(raw.kwh_price),
    session_price: String(sessionPriceInput),
    time_tariffs: timeTariffs,
    vat: String(raw.vat),
    currency,
    max_charging_time: maxChargingTime,
  };
  if (raw.tariff_id !== undefined) {
    if (typeof raw.tariff_id !== 'string') {
      throw new PricingInputError(`${path}.tariff_id`, `must be a string, got ${describe(raw.tariff_id)}`);
    }
    snapshot.tariff_id = raw.tariff_id;
  }
  if (raw.version !== undefined) snapshot.version = readVersion(raw.version, `${path}.version`);

  const prepared: Omit<ValidatedTariff, typeof validatedTariff> = {
    snapshot,
    pricePerWh: kwhPrice.div(1000),
    sessionFee: sessionPrice,
    tiers,
    vatRate,
    currency,
    minorUnit,
    maxBilledSeconds: maxChargingTime * 60,
  };
  return prepared as ValidatedTariff;
}

function readPrice(value: unknown, path: string): Decimal {
  const price = readDecimal(value, path);
  if (price.isNegative()) throw new PricingInputError(path, `must not be negative, got ${String(value)}`);
  if (price.gte(PRICE_LIMIT))
    throw new PricingInputError(path, `must be below ${PRICE_LIMIT.toFixed()}, got ${String(value)}`);
  requireDecimalPlaces(price, value, path);
  return price;
}

function readVatRate(value: unknown, path: string): Decimal {
  const rate = readDecimal(value, path);
  if (rate.isNegative() || rate.gt(1)) {
    throw new PricingInputError(path, `must be a rate between 0 and 1 (0.19 for 19 %), got ${String(value)}`);
  }
  requireDecimalPlaces(rate, value, path);
  return rate;
}

function requireDecimalPlaces(decimal: Decimal, value: unknown, path: string): void {
  if (decimal.decimalPlaces() > MAX_DECIMAL_PLACES) {
    throw new PricingInputError(path, `has more than ${MAX_DECIMAL_PLACES} decimal places: ${String(value)}`);
  }
}

function readCurrency(value: unknown, path: string): { currency: string; minorUnit: number } {
  requirePresent(value, path);
  if (typeof value !== 'string') {
    throw new PricingInputError(path, `must be an ISO 4217 code such as "EUR", got ${describe(value)}`);
  }
  const minorUnit = minorUnitOf(value);
  if (minorUnit !== undefined) return { currency: value, minorUnit };
  if (minorUnitOf(value.toUpperCase()) !== undefined) {
    throw new PricingInputError(
      path,
      `ISO 4217 codes are upper case: "${value.toUpperCase()}", not "${value}"`,
    );
  }
  throw new PricingInputError(path, `is not an ISO 4217 currency with a minor unit: "${value}"`);
}

/** A whole number of minutes, at least `min`. */
function readMinutes(value: unknown, path: string, min: 0 | 1): number {
  const minutes = readInteger(value, path, 'minutes');
  if (minutes < min) {
    throw new PricingInputError(
      path,
      `must be ${min === 0 ? 'zero or more' : 'a positive number of'} minutes, got ${minutes}`,
    );
  }
  if (minutes > MAX_MINUTES)
    throw new PricingInputError(path, `must be at most ${MAX_MINUTES} minutes, got ${minutes}`);
  return minutes;
}

function readVersion(value: unknown, path: string): number {
  const version = readInteger(value, path, 'a version number');
  if (version < 0) throw new PricingInputError(path, `must not be negative, got ${version}`);
  return version;
}

/**
 * Tiers must come sorted and with distinct starts. Sorting them silently would hide a typo in
 * a tariff that people read in the order it was written; a duplicate start has no defined price.
 */
function readTiers(value: unknown, path: string): { tiers: ValidatedTier[]; timeTariffs: TimeTariff[] } {
  requirePresent(value, path);
  if (!Array.isArray(value))
    throw new PricingInputError(path, `must be an array of time tiers, got ${describe(value)}`);
  const tiers: ValidatedTier[] = [];
  const timeTariffs: TimeTariff[] = [];
  value.forEach((item: unknown, i) => {
    const tierPath = `${path}[${i}]`;
    const tier = readObject(item, tierPath);
    const startingAtMinute = readMinutes(tier.starting_at_minute, `${tierPath}.starting_at_minute`, 0);
    const minutePrice = readPrice(tier.minute_price, `${tierPath}.minute_price`);
    const previous = tiers[i - 1];
    if (previous !== undefined && startingAtMinute === previous.startingAtMinute) {
      throw new PricingInputError(
        `${tierPath}.starting_at_minute`,
        `duplicates ${path}[${i - 1}]: both start at minute ${startingAtMinute}`,
      );
    }
    if (previous !== undefined && startingAtMinute < previous.startingAtMinute) {
      throw new PricingInputError(
        `${tierPath}.starting_at_minute`,
        `is ${startingAtMinute} but ${path}[${i - 1}] starts at minute ${previous.startingAtMinute}: tiers must be sorted by starting_at_minute`,
      );
    }
    tiers.push({ startingAtMinute, startSecond: startingAtMinute * 60, minutePrice });
    timeTariffs.push({ starting_at_minute: startingAtMinute, minute_price: String(tier.minute_price) });
  });
  return { tiers, timeTariffs };
}
