import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonError } from './errors';
import type { Middleware } from './rate-limit';

const tooLarge = (res: ServerResponse, limitBytes: number) =>
  sendJsonError(res, 413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${limitBytes} bytes`);

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
    const type = (error as { type?: string } | null)?.type;
    if (type === 'entity.too.large') return tooLarge(res, limitBytes);
    if (type === 'entity.parse.failed')
      return sendJsonError(res, 400, 'INVALID_JSON', 'request body is not valid JSON');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return sendJsonError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'request body encoding is not supported');
    }
    if (type === 'request.aborted') return;
    next(error);
  };
}
