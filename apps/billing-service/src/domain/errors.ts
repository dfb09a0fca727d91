/**
 * Errors the API turns into `{ "error": { "code", "message" } }`. The HTTP status lives here so
 * use cases stay free of Nest; `api/error.filter.ts` only maps.
 */
export class BillingError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BillingError';
  }
}

export const badRequest = (message: string, code = 'VALIDATION_FAILED') =>
  new BillingError(400, code, message);
export const notFound = (message: string, code = 'NOT_FOUND') => new BillingError(404, code, message);
export const conflict = (message: string, code = 'CONFLICT') => new BillingError(409, code, message);
export const unprocessable = (message: string, code = 'UNPROCESSABLE') =>
  new BillingError(422, code, message);
