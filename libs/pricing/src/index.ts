export { PricingDecimal } from './decimal';
export { PricingInputError } from './errors';
export { billableCurrencies, minorUnitOf } from './currencies';
export { type Instant, parseInstant, wholeSecondsBetween } from './instant';
export {
  MAX_DECIMAL_PLACES,
  MAX_MINUTES,
  PRICE_LIMIT,
  type ValidatedTariff,
  type ValidatedTier,
  validateTariff,
} from './tariff';
export {
  type InvalidSession,
  type PricedSession,
  type PricingResult,
  type SessionReadings,
  type TierUsage,
  priceSession,
} from './calculator';
export { type QuoteRequest, parseQuoteRequest, quote } from './quote-request';
export { BAD_REQUEST_EXIT_CODE, type QuoteCommandOutcome, runQuoteCommand } from './quote-command';
