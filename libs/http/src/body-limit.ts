import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyParserErrorReply, payloadTooLarge, sendJsonError } from './errors';
import type { Middleware } from './rate-limit';

const tooLarge = (res: ServerResponse, limitBytes: number) => {
  const { status, code, message } = payloadTooLarge(limitBytes);
  sendJsonError(res, status, code, message);
};

/**
 * Refuses a declared Content-Length above the limit whatever the content type, so no route reads
 * it. (The JSON parser enforces the same limit on chunked bodies as they arrive.)
 */
export function bodyLimitMiddleware(limitBytes: number): Middleware {
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limitBytes)
      return tooLarge(res, limitBytes);
    next();
  };
}

/**
 * An Express error handler placed right after the body parsers: their errors become the JSON
 * errors the API documents instead of reaching the app's filters as unknown 500s.
 */
export function bodyParserErrorHandler(limitBytes: number) {
  return (error: unknown, _req: IncomingMessage, res: ServerResponse, next: (e?: unknown) => void): void => {
    if ((error as { type?: unknown } | null)?.type === 'request.aborted') return;
    const reply = bodyParserErrorReply(error, limitBytes);
    if (reply) return sendJsonError(res, reply.status, reply.code, reply.message);
    next(error);
  };
}
