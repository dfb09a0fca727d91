import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BadRequestError, ChargerCommandError, ConflictError, NotFoundError } from '../application/ports';
import { EventStoreError } from '@app/event-store';
import { isErrorBody } from '@app/auth';
import { QueryError } from '@app/http';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Nest's own JSON parser (an app built without bootstrapService's hardenHttp) reports a body that
 * does not parse as `new BadRequestException(syntaxError.message)` (RoutesResolver's
 * mapExternalException): no cause, no `type`, only "Unexpected end of JSON input". What is left to
 * tell it from a route's 400 is the request: it had a JSON body and the parser set none.
 */
function bodyParserFailed(error: HttpException, req: Request): boolean {
  if ((error.cause as { type?: string } | undefined)?.type === 'entity.parse.failed') return true;
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  return (
    error.cause === undefined &&
    hasBody &&
    /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(req.headers['content-type'] ?? '') &&
    req.body === undefined
  );
}

/** Every error as `{ "error": { "code", "message" } }` with the right status; never a stack trace. */
@Catch()
export class SessionsErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('SessionsErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const send = (status: number, code: string, message: string) =>
      res.status(status).json({ error: { code, message } });
    if (error instanceof NotFoundError) return void send(404, 'NOT_FOUND', error.message);
    if (error instanceof BadRequestError) return void send(error.status, error.code, error.message);
    if (error instanceof QueryError) return void send(400, error.code, error.message);
    if (error instanceof ConflictError) return void send(409, error.code, error.message);
    if (error instanceof ChargerCommandError) return void send(error.status, error.code, error.message);
    if (error instanceof HttpException) {
      const status = error.getStatus();
      if (req.url.startsWith('/health')) return void res.status(status).json(error.getResponse());
      const body = error.getResponse();
      // 401/403 from the access guard (and others) come already shaped: keep their code.
      if (isErrorBody(body)) return void res.status(status).json(body);
      let message =
        typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? error.message);
      if (Array.isArray(message)) message = message.join('; ');
      if (status === 400 && bodyParserFailed(error, req))
        return void send(400, 'INVALID_JSON', 'request body is not valid JSON');
      return void send(
        status,
        CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'),
        String(message),
      );
    }
    const e = error as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed')
      return void send(400, 'INVALID_JSON', 'request body is not valid JSON');
    if (e?.type === 'entity.too.large')
      return void send(413, 'PAYLOAD_TOO_LARGE', 'request body is too large');
    if (
      error instanceof EventStoreError ||
      (error as { name?: string })?.name === 'WrongExpectedVersionError'
    ) {
      return void send(409, 'CONFLICT', 'the session changed concurrently; retry');
    }
    this.logger.error(`${req.method} ${req.path}: ${(error as Error)?.stack ?? String(error)}`);
    send(500, 'INTERNAL', 'internal error');
  }
}
