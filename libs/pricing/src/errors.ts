/**
 * A tariff or a quote request that cannot be priced. `path` names the offending field the way
 * it appears in the request JSON (`tariff.time_tariffs[1].starting_at_minute`), so finance and
 * support can fix the input without reading code.
 */
export class PricingInputError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'PricingInputError';
  }
}
