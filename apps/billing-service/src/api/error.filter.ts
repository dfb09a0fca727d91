import { Catch } from '@nestjs/common';
import type { HttpErrorReply } from '@app/http';
import { JsonErrorFilter } from '@app/http/nest';
import { BillingError } from '../domain/errors';

/**
 * Every error as `{ "error": { "code", "message" } }` with the right status, never a stack trace.
 * The shared base maps what all apps share (query errors, HttpExceptions, a body that is not JSON
 * as 400 INVALID_JSON, a streamed export failing midway, unknown errors as a logged 500); this adds
 * billing's own errors.
 */
@Catch()
export class BillingErrorFilter extends JsonErrorFilter {
  protected override map(error: unknown): HttpErrorReply | undefined {
    if (error instanceof BillingError)
      return { status: error.status, code: error.code, message: error.message };
    // A unique index settled a race (two corrections of one charge, one tariff version twice).
    if ((error as { code?: string }).code === '23505')
      return {
        status: 409,
        code: 'CONFLICT',
        message: 'a concurrent request changed the same record; retry',
      };
    return undefined;
  }
}
