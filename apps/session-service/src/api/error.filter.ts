import { Catch } from '@nestjs/common';
import { EventStoreError } from '@app/event-store';
import type { HttpErrorReply } from '@app/http';
import { JsonErrorFilter } from '@app/http/nest';
import { BadRequestError, ChargerCommandError, ConflictError, NotFoundError } from '../application/ports';

/**
 * Every error as `{ "error": { "code", "message" } }` with the right status; never a stack trace.
 * The session service's own errors here; query, body-parser (INVALID_JSON, also when Nest's own
 * parser wrapped it), HttpException and unknown errors in the shared base (libs/http/nest).
 */
@Catch()
export class SessionsErrorFilter extends JsonErrorFilter {
  protected override map(error: unknown): HttpErrorReply | undefined {
    if (error instanceof NotFoundError) return { status: 404, code: 'NOT_FOUND', message: error.message };
    if (error instanceof BadRequestError || error instanceof ChargerCommandError)
      return { status: error.status, code: error.code, message: error.message };
    if (error instanceof ConflictError) return { status: 409, code: error.code, message: error.message };
    if (
      error instanceof EventStoreError ||
      (error as { name?: string })?.name === 'WrongExpectedVersionError'
    )
      return { status: 409, code: 'CONFLICT', message: 'the session changed concurrently; retry' };
    return undefined;
  }
}
