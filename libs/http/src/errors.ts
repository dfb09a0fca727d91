import type { ServerResponse } from 'node:http';

/** The error body every app answers with: `{ "error": { "code", "message" } }`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** A refusal: the status, and the body's code and message. */
export interface HttpErrorReply {
  status: number;
  code: string;
  message: string;
}

export function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** True for a body already shaped `{ error: { code, message } }` (error filters pass these through). */
export function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** The code of a status that has no more specific one. */
const STATUS_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
};

export function codeForStatus(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}

/** What the parser said, kept short (it may quote the body). */
function what(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}...` : oneLine;
}

export function invalidJson(parserMessage: string): HttpErrorReply {
  return {
    status: 400,
    code: 'INVALID_JSON',
    message: `request body is not valid JSON: ${what(parserMessage)}`,
  };
}

export function payloadTooLarge(limitBytes?: number): HttpErrorReply {
  const message =
    limitBytes === undefined
      ? 'request body is too large'
      : `request body is larger than ${limitBytes} bytes`;
  return { status: 413, code: 'PAYLOAD_TOO_LARGE', message };
}

/**
 * The reply to an error of the body parsers (body-parser's `type`), or null for any other error.
 * `limitBytes` names the limit in the 413 message when the caller knows it.
 */
export function bodyParserErrorReply(error: unknown, limitBytes?: number): HttpErrorReply | null {
  const e = error as { type?: unknown; message?: unknown } | null;
  switch (typeof e?.type === 'string' ? e.type : undefined) {
    case 'entity.parse.failed':
      return invalidJson(String(e!.message ?? 'cannot parse'));
    case 'entity.too.large':
    case 'parameters.too.many':
      return payloadTooLarge(limitBytes);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'request body encoding is not supported',
      };
    case 'request.size.invalid':
      return { status: 400, code: 'BAD_REQUEST', message: 'request body is shorter than its Content-Length' };
    default:
      return null;
  }
}
