import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitSettings } from './config';
import { sendJsonError } from './errors';

type Next = (error?: unknown) => void;
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

export interface RateLimitOptions {
  /** The client's address (Express' `req.ip`, which honours the trusted proxy hops). */
  clientAddress(req: IncomingMessage): string;
  /** Requests that are never limited (the kubelet's probes). */
  exempt?(path: string): boolean;
  /** Told of every refusal, e.g. to count them on /metrics. */
  onLimited?(reason: LimitReason): void;
}

export type LimitReason = 'address' | 'credential' | 'auth_failures';

/**
 * The key an address is counted under. An IPv6 client usually owns a whole /64, so counting single
 * addresses would give it 2^64 buckets (and us that many map entries).
 */
export function addressKey(address: string): string {
  const ip = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (!ip.includes(':')) return ip;
  const [h, t] = ip.split('::');
  const head = h ? h.split(':') : [];
  const tail = t !== undefined && t !== '' ? t.split(':') : [];
  const groups = ip.includes('::')
    ? [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail]
    : head;
  // One spelling per network (0DB8, 0db8 and db8 are the same group), or the text as it came.
  const net = groups
    .slice(0, 4)
    .map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16).toString(16) : null));
  return net.length === 4 && net.every((g) => g !== null) ? `${net.join(':')}::/64` : ip;
}

/** Credentials are counted by hash: the raw key an attacker sends is never kept in memory. */
function credentialKey(req: IncomingMessage): string | undefined {
  const apiKey = req.headers['x-api-key'];
  const authorization = req.headers.authorization;
  const credential =
    typeof apiKey === 'string' && apiKey ? `k:${apiKey}` : authorization ? `a:${authorization}` : undefined;
  return credential === undefined ? undefined : createHash('sha256').update(credential).digest('base64url');
}

function retryAfterSeconds(r: RateLimiterRes): number {
  return Math.max(1, Math.ceil(r.msBeforeNext / 1000));
}

function tooMany(res: ServerResponse, r: RateLimiterRes, what: string): void {
  const retryAfter = retryAfterSeconds(r);
  res.setHeader('Retry-After', String(retryAfter));
  sendJsonError(res, 429, 'RATE_LIMITED', `too many ${what}; retry after ${retryAfter} s`);
}

/**
 * Failed authentications per client address: after `authFailures` in a window the address is
 * refused for `authBlockS`. Used by the HTTP middleware below (counting 401 answers) and by the
 * gateway's WebSocket handshake (charger passwords), which no HTTP middleware sees.
 */
export class AuthFailureLimiter {
  private readonly limiter: RateLimiterMemory | null;

  constructor(private readonly settings: Pick<RateLimitSettings, 'windowS' | 'authFailures' | 'authBlockS'>) {
    this.limiter =
      settings.authFailures > 0
        ? new RateLimiterMemory({
            points: settings.authFailures,
            duration: settings.windowS,
            blockDuration: settings.authBlockS,
          })
        : null;
  }

  /** Seconds until `address` may try again, or 0 when it is not blocked. */
  async blockedFor(address: string): Promise<number> {
    const failed = this.limiter ? await this.limiter.get(addressKey(address)) : null;
    return failed && failed.consumedPoints > this.settings.authFailures ? retryAfterSeconds(failed) : 0;
  }

  recordFailure(address: string): void {
    this.limiter?.consume(addressKey(address)).catch(() => undefined);
  }
}

/**
 * Counts every request per client address and per credential, and every 401 answer per address:
 * an address that fails authentication RATE_LIMIT_AUTH_FAILURES times in a window is refused for
 * RATE_LIMIT_AUTH_BLOCK_S, before the guard (and its database look-up) runs. Counting the 401s
 * here, after the response, keeps the guard unaware of the limiter.
 */
export function rateLimitMiddleware(settings: RateLimitSettings, options: RateLimitOptions): Middleware {
  const perIp =
    settings.perIp > 0 ? new RateLimiterMemory({ points: settings.perIp, duration: settings.windowS }) : null;
  const perCredential =
    settings.perCredential > 0
      ? new RateLimiterMemory({ points: settings.perCredential, duration: settings.windowS })
      : null;
  const authFailures = settings.authFailures > 0 ? new AuthFailureLimiter(settings) : null;

  const check = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const address = addressKey(options.clientAddress(req));
    if (authFailures) {
      const retryAfter = await authFailures.blockedFor(address);
      if (retryAfter > 0) {
        options.onLimited?.('auth_failures');
        res.setHeader('Retry-After', String(retryAfter));
        sendJsonError(
          res,
          429,
          'RATE_LIMITED',
          `too many failed authentications from this address; retry after ${retryAfter} s`,
        );
        return false;
      }
      res.once('finish', () => {
        if (res.statusCode === 401) authFailures.recordFailure(address);
      });
    }
    try {
      if (perIp) await perIp.consume(address);
    } catch (r) {
      if (!(r instanceof RateLimiterRes)) throw r;
      options.onLimited?.('address');
      tooMany(res, r, 'requests from this address');
      return false;
    }
    const credential = credentialKey(req);
    try {
      if (perCredential && credential) await perCredential.consume(credential);
    } catch (r) {
      if (!(r instanceof RateLimiterRes)) throw r;
      options.onLimited?.('credential');
      tooMany(res, r, 'requests with this credential');
      return false;
    }
    return true;
  };

  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    if (options.exempt?.(path)) return next();
    check(req, res).then((pass) => (pass ? next() : undefined), next);
  };
}
