import { type PricingResult, type SessionReadings, priceSession } from './calculator';
import { parseInstant } from './instant';
import { readInteger, readObject } from './input';
import { type ValidatedTariff, validateTariff } from './tariff';

/**
 * The request of `npm run -s quote`, which is also what billing-service builds from a
 * SessionCompleted event, so that support's quote and the stored charge run the same code:
 * `{ "tariff": {...}, "meter_start": Wh, "meter_stop": Wh, "started_at": ISO, "completed_at": ISO }`.
 */
export interface QuoteRequest {
  tariff: ValidatedTariff;
  readings: SessionReadings;
}

/** Validates a parsed JSON quote request; throws PricingInputError naming the bad field. */
export function parseQuoteRequest(input: unknown): QuoteRequest {
  const raw = readObject(input, 'request');
  const tariff = validateTariff(raw.tariff, 'tariff');
  return {
    tariff,
    readings: {
      meterStartWh: readInteger(raw.meter_start, 'meter_start', 'Wh'),
      meterStopWh: readInteger(raw.meter_stop, 'meter_stop', 'Wh'),
      startedAt: parseInstant(raw.started_at, 'started_at'),
      completedAt: parseInstant(raw.completed_at, 'completed_at'),
    },
  };
}

/** Validates and prices a quote request in one step. */
export function quote(input: unknown): PricingResult {
  const { tariff, readings } = parseQuoteRequest(input);
  return priceSession(tariff, readings);
}
