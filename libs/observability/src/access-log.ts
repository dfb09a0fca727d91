import type { IncomingMessage, ServerResponse } from 'node:http';

/** What pino-http hands a serializer: its own summary, with the request itself under `raw`. */
interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  raw?: IncomingMessage & { originalUrl?: string };
}
interface SerializedResponse {
  statusCode?: number;
  raw?: ServerResponse;
}

/**
 * Access log lines carry the method, the path without its query string and the status (pino-http
 * adds the duration): no headers (credentials), no query (user_reference, id tags), no client
 * address. (Express' `req.route` is not the handler's pattern by the time the line is written, so
 * the path is logged as requested.)
 */
export const accessLogSerializers = {
  req: (req: SerializedRequest) => {
    const url = req.raw?.originalUrl ?? req.url ?? req.raw?.url ?? '';
    return { id: req.id, method: req.method, path: url.split('?')[0] };
  },
  res: (res: SerializedResponse) => ({ statusCode: res.statusCode ?? res.raw?.statusCode }),
};
