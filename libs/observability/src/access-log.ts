import type { IncomingMessage, ServerResponse } from 'node:http';

/** What pino-http hands a serializer: its own summary, with the request itself under `raw`. */
interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  raw?: IncomingMessage & { route?: { path?: unknown }; originalUrl?: string };
}
interface SerializedResponse {
  statusCode?: number;
  raw?: ServerResponse;
}

/**
 * Access log lines carry the method, the path without its query string, the route pattern and
 * the status: no headers (credentials), no query (user_reference, id tags), no client address.
 */
export const accessLogSerializers = {
  req: (req: SerializedRequest) => {
    const url = req.raw?.originalUrl ?? req.url ?? req.raw?.url ?? '';
    const route = req.raw?.route?.path;
    return {
      id: req.id,
      method: req.method,
      path: url.split('?')[0],
      ...(typeof route === 'string' ? { route } : {}),
    };
  },
  res: (res: SerializedResponse) => ({ statusCode: res.statusCode ?? res.raw?.statusCode }),
};
