import type { FinalAmount } from '@app/contracts';
import { type Decimal, PricingDecimal, ZERO, toFixedScale } from './decimal';
import { PricingInputError } from './errors';
import { type Instant, wholeSecondsBetween } from './instant';
import type { ValidatedTariff } from './tariff';

/** What a session measured: the meter register at start and stop (Wh) and the two instants. */
export interface SessionReadings {
  meterStartWh: number;
  meterStopWh: number;
  startedAt: Instant;
  completedAt: Instant;
}

/** How many billed seconds fell into a time tier. */
export interface TierUsage {
  starting_at_minute: number;
  minute_price: string;
  seconds: number;
}

export interface PricedSession {
  status: 'PRICED';
  final_amount: FinalAmount;
  energy_wh: number;
  /** Billed seconds: `elapsed_s` capped at max_charging_time × 60. */
  duration_s: number;
  /** Whole seconds from started_at to completed_at (the exact difference, floored). */
  elapsed_s: number;
  /** Every tier of the tariff, in order, with its billed seconds (0 for tiers never reached). */
  time_tariffs: TierUsage[];
}

/** A session that cannot be billed (ARCHITECTURE.md, Sessions: INVALID). */
export interface InvalidSession {
  status: 'INVALID';
  reason: string;
  energy_wh: number;
}

export type PricingResult = PricedSession | InvalidSession;

const ROUND_HALF_UP = PricingDecimal.ROUND_HALF_UP;

/**
 * Prices one session with a validated tariff, step by step as ARCHITECTURE.md "Pricing" says.
 * Throws PricingInputError for readings that are not a session at all (completed before
 * started); a negative energy is a real session that gets no bill, so it is a result.
 */
export function priceSession(tariff: ValidatedTariff, readings: SessionReadings): PricingResult {
  const { meterStartWh, meterStopWh } = readings;
  if (!Number.isSafeInteger(meterStartWh))
    throw new PricingInputError('meter_start', 'must be an integer (Wh)');
  if (!Number.isSafeInteger(meterStopWh))
    throw new PricingInputError('meter_stop', 'must be an integer (Wh)');
  const elapsedS = wholeSecondsBetween(readings.startedAt, readings.completedAt);
  if (elapsedS < 0) throw new PricingInputError('completed_at', 'is before started_at');

  // 1. Both operands are safe integers, so the difference is exact whenever it is itself safe.
  const energyWh = meterStopWh - meterStartWh;
  if (!Number.isSafeInteger(energyWh)) {
    throw new PricingInputError('meter_stop', 'differs from meter_start by more than a safe integer of Wh');
  }
  if (energyWh < 0) {
    return {
      status: 'INVALID',
      reason: `meter_stop (${meterStopWh} Wh) is below meter_start (${meterStartWh} Wh)`,
      energy_wh: energyWh,
    };
  }

  // 2. energy = round4(kwh_price × energy_wh / 1000); pricePerWh is kwh_price / 1000, exact.
  const energy = energyWh === 0 ? ZERO : tariff.pricePerWh.times(energyWh).toDecimalPlaces(4, ROUND_HALF_UP);
  // 3. session = session_price, unrounded (the rule rounds only energy, time and net), waived when
  // no energy flowed. Shown with 4 places like the other components, or more if the price has more.
  const session = energyWh === 0 ? ZERO : tariff.sessionFee;
  // 4. Time tiers over the capped duration; one division by 60 at the end keeps the sum exact.
  const durationS = Math.min(elapsedS, tariff.maxBilledSeconds);
  const tiers = tariff.tiers;
  const usage: TierUsage[] = new Array<TierUsage>(tiers.length);
  let minutePriceSeconds: Decimal = ZERO;
  for (let i = 0; i < tiers.length; i++) {
    const tier = tiers[i];
    const end = i + 1 < tiers.length ? Math.min(tiers[i + 1].startSecond, durationS) : durationS;
    const seconds = end > tier.startSecond ? end - tier.startSecond : 0;
    if (seconds > 0) minutePriceSeconds = minutePriceSeconds.plus(tier.minutePrice.times(seconds));
    usage[i] = {
      starting_at_minute: tier.startingAtMinute,
      minute_price: tariff.snapshot.time_tariffs[i].minute_price,
      seconds,
    };
  }
  const time = minutePriceSeconds.isZero()
    ? ZERO
    : minutePriceSeconds.div(60).toDecimalPlaces(4, ROUND_HALF_UP);
  // 5. net, vat and gross in the currency's minor unit.
  const minorUnit = tariff.minorUnit;
  const net = energy.plus(session).plus(time).toDecimalPlaces(minorUnit, ROUND_HALF_UP);
  const vat = net.times(tariff.vatRate).toDecimalPlaces(minorUnit, ROUND_HALF_UP);
  const gross = net.plus(vat);

  return {
    status: 'PRICED',
    final_amount: {
      energy: toFixedScale(energy, 4),
      session: toFixedScale(session, Math.max(4, session.decimalPlaces())),
      time: toFixedScale(time, 4),
      net: toFixedScale(net, minorUnit),
      vat: toFixedScale(vat, minorUnit),
      gross: toFixedScale(gross, minorUnit),
      currency: tariff.currency,
    },
    energy_wh: energyWh,
    duration_s: durationS,
    elapsed_s: elapsedS,
    time_tariffs: usage,
  };
}
