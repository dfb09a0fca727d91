import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  bodyParserErrorReply,
  codeForStatus,
  invalidJson,
  isErrorBody,
  payloadTooLarge,
  type HttpErrorReply,
} from '../errors';
import { QueryError } from '../query';

/** A reply the filter sends as it is (health probes' bodies, bodies already shaped by a guard). */
export interface RawReply {
  status: number;
  body: unknown;
}

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

/**
 * Nest's own JSON parser (an app created without bootstrapService's hardenHttp, which puts
 * libs/http's bodyParserErrorHandler right behind its parsers) reports a body that does not parse
 * by passing body-parser's SyntaxError to Nest's error handler, and RoutesResolver.mapExternalException
 * turns it into `new BadRequestException(syntaxError.message)`: no cause, no `type`, only "Unexpected
 * end of JSON input", so a filter that maps HttpExceptions answered `BAD_REQUEST` with the parser's
 * words. What tells it from a route's own 400 is the request: it has a JSON body the parser left
 * unset (a parsed body is set before any route runs).
 */
export function isWrappedBodyParseError(error: HttpException, req: Request): boolean {
  if (error.getStatus() !== 400 || error.cause !== undefined) return false;
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  return hasBody && JSON_TYPE.test(req.headers['content-type'] ?? '') && req.body === undefined;
}

function messageOf(error: HttpException): string {
  const body = error.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message ?? error.message;
  return Array.isArray(message) ? message.join('; ') : String(message);
}

/**
 * The base of every app's error filter: every error as `{ "error": { "code", "message" } }` with
 * its status, never a stack trace. It maps what all apps share (QueryError, HttpExceptions, the
 * body parsers' errors, unknown errors as a logged 500); an app extends it and maps its own errors
 * in `map`:
 *
 *   @Catch()
 *   export class BillingErrorFilter extends JsonErrorFilter {
 *     protected override map(error: unknown): HttpErrorReply | undefined {
 *       if (error instanceof BillingError) return { status: error.status, code: error.code, message: error.message };
 *       return undefined;
 *     }
 *   }
 */
@Catch()
export class JsonErrorFilter implements ExceptionFilter {
  protected readonly logger = new Logger(this.constructor.name);

  /** The app's own errors; undefined for an error the base maps. Runs first. */
  protected map(_error: unknown, _req: Request): HttpErrorReply | RawReply | undefined {
    return undefined;
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    if (res.headersSent) {
      // A streamed response failed midway: the status is gone; cut the body so it cannot pass as complete.
      this.logger.error(`${req.method} ${req.path} failed after the response started: ${String(error)}`);
      res.destroy(error instanceof Error ? error : undefined);
      return;
    }
    const reply = this.map(error, req) ?? this.standard(error, req);
    if ('body' in reply) {
      res.status(reply.status).json(reply.body);
      return;
    }
    res.status(reply.status).json({ error: { code: reply.code, message: reply.message } });
  }

  /** What every app answers alike. */
  protected standard(error: unknown, req: Request): HttpErrorReply | RawReply {
    if (error instanceof QueryError)
      return { status: error.status, code: error.code, message: error.message };
    const parser = bodyParserErrorReply(error);
    if (parser) return parser;
    if (error instanceof HttpException) {
      const status = error.getStatus();
      // Health probes keep their own body (status and per-dependency checks).
      if (req.url.startsWith('/health')) return { status, body: error.getResponse() };
      const body = error.getResponse();
      // 401/403 from the access guard (and others) come already shaped: keep their code.
      if (isErrorBody(body)) return { status, body };
      if (isWrappedBodyParseError(error, req)) return invalidJson(messageOf(error));
      if (status === 413) return payloadTooLarge();
      return { status, code: codeForStatus(status), message: messageOf(error) };
    }
    this.logger.error(`${req.method} ${req.path}: ${(error as Error)?.stack ?? String(error)}`);
    return { status: 500, code: 'INTERNAL', message: 'internal error' };
  }
}
