import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isErrorBody } from '@app/auth';
import { BillingError } from '../domain/errors';
import { QueryError } from '@app/http';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Every error as `{ "error": { "code", "message" } }` with the right status; never a stack trace. */
@Catch()
export class BillingErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('BillingErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    if (res.headersSent) {
      // A streamed export failed midway: the status is gone; cut the body so it cannot pass as complete.
      this.logger.error(
        `${req.method} ${req.path} failed after the response started: ${(error as Error).message}`,
      );
      res.destroy(error as Error);
      return;
    }
    if (error instanceof QueryError) {
      res.status(400).json({ error: { code: error.code, message: error.message } });
      return;
    }
    if (error instanceof BillingError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message } });
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      // Health probes keep their own body (status and per-dependency checks).
      if (req.url.startsWith('/health')) {
        res.status(status).json(error.getResponse());
        return;
      }
      const body = error.getResponse();
      // 401/403 from the access guard (and others) come already shaped: keep their code.
      if (isErrorBody(body)) {
        res.status(status).json(body);
        return;
      }
      const message =
        typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? error.message);
      res
        .status(status)
        .json({ error: { code: CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), message } });
      return;
    }
    if ((error as { code?: string }).code === '23505') {
      res.status(409).json({
        error: { code: 'CONFLICT', message: 'a concurrent request changed the same record; retry' },
      });
      return;
    }
    this.logger.error(`${req.method} ${req.path}: ${(error as Error).stack ?? String(error)}`);
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  }
}
