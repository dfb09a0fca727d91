import { promises as dns, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { DeliveryResult, WebhookSender } from '../application/ports';
import type { AddressPolicy } from '../domain/webhook-address';

export interface WebhookTransportOptions {
  /** Plain http receivers: the dev stack and tests only; https everywhere else. */
  allowHttp: boolean;
  /** Which connected addresses are acceptable (public unicast, plus the allow-list of the dev stack). */
  policy: AddressPolicy;
  /** Whole exchange: DNS, connect, TLS, request and response. */
  timeoutMs: number;
  /** The response body is read up to this many bytes, then the connection is dropped. */
  maxResponseBytes: number;
  /** DNS resolution (tests give a fake one to play rebinding games without any real network). */
  resolve?: (host: string) => Promise<LookupAddress[]>;
}

/** A webhook URL that can never be delivered to, with the reason. */
export class WebhookUrlError extends Error {}

const MAX_URL_LENGTH = 2048;

/**
 * POSTs webhook bodies without letting a fleet's URL reach anything it should not (SSRF): the host
 * is resolved once, every address it resolved to must pass the policy, and the socket connects to
 * exactly those checked addresses (a `lookup` that answers from the checked list), so a second,
 * different DNS answer (rebinding) is never used. IP literals are checked before any socket exists.
 * Redirects are not followed (a 3xx is a failed delivery); time and response size are bounded.
 */
export class WebhookTransport implements WebhookSender {
  private readonly resolve: (host: string) => Promise<LookupAddress[]>;

  constructor(private readonly o: WebhookTransportOptions) {
    this.resolve = o.resolve ?? ((host) => dns.lookup(host, { all: true, verbatim: true }));
  }

  /**
   * The checks that need no network, for the API to refuse a URL when it is registered. The
   * address check at delivery time is still the one that counts (DNS can change after this).
   */
  checkUrl(raw: string): URL {
    if (raw.length > MAX_URL_LENGTH)
      throw new WebhookUrlError(`url must be at most ${MAX_URL_LENGTH} characters`);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookUrlError('url is not a valid absolute URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.o.allowHttp))
      throw new WebhookUrlError(this.o.allowHttp ? 'url must be http or https' : 'url must use https');
    if (url.username || url.password) throw new WebhookUrlError('url must not contain credentials');
    if (url.hash) throw new WebhookUrlError('url must not contain a fragment');
    const host = bare(url.hostname);
    if (isIP(host)) {
      const reason = this.o.policy.check(host);
      if (reason) throw new WebhookUrlError(`url points to a non-public address (${reason})`);
    } else if (host === 'localhost' || host.endsWith('.localhost')) {
      // Resolvers answer these with loopback by definition (RFC 6761), whatever DNS says.
      if (this.o.policy.check('127.0.0.1'))
        throw new WebhookUrlError('url points to a non-public address (loopback)');
    }
    return url;
  }

  async post(raw: string, body: string, headers: Record<string, string>): Promise<DeliveryResult> {
    const started = Date.now();
    const result = (r: Partial<DeliveryResult>): DeliveryResult => ({
      ok: false,
      statusCode: null,
      error: null,
      refused: false,
      responseBytes: 0,
      durationMs: Date.now() - started,
      ...r,
    });
    let url: URL;
    try {
      url = this.checkUrl(raw);
    } catch (e) {
      return result({ refused: true, error: (e as Error).message });
    }
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new Error(`timed out after ${this.o.timeoutMs} ms`)),
      this.o.timeoutMs,
    );
    try {
      const host = bare(url.hostname);
      let addresses: LookupAddress[];
      if (isIP(host)) {
        addresses = [{ address: host, family: isIP(host) }];
      } else {
        try {
          addresses = await abortable(this.resolve(host), deadline.signal);
        } catch (e) {
          return result({ error: `could not resolve ${host}: ${(e as Error).message}` });
        }
        if (addresses.length === 0) return result({ error: `could not resolve ${host}: no address` });
        // Every address, not just the first: the socket may try any of them (happy eyeballs).
        for (const a of addresses) {
          const reason = this.o.policy.check(a.address);
          if (reason)
            return result({
              refused: true,
              error: `${host} resolves to a non-public address ${a.address} (${reason})`,
            });
        }
      }
      return result(await this.send(url, addresses, body, headers, deadline.signal));
    } finally {
      clearTimeout(timer);
    }
  }

  private send(
    url: URL,
    addresses: LookupAddress[],
    body: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<Partial<DeliveryResult>> {
    return new Promise((resolve) => {
      let settled = false;
      let responseBytes = 0;
      const done = (r: Partial<DeliveryResult>) => {
        if (settled) return;
        settled = true;
        resolve({ responseBytes, ...r });
      };
      const payload = Buffer.from(body, 'utf8');
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        // A fresh socket per delivery: a pooled one could have been checked under another answer.
        agent: false,
        // The checked addresses and nothing else; no second DNS query.
        lookup: ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) => {
          if (opts?.all) cb(null, addresses);
          else cb(null, addresses[0].address, addresses[0].family);
        }) as never,
        headers: { ...headers, 'content-length': String(payload.length) },
        signal,
      });
      request.on('socket', (socket: Socket) => {
        // Belt and braces: whatever path the socket took, the peer it reached must pass too.
        socket.once('connect', () => {
          const reason = this.o.policy.check(socket.remoteAddress ?? '');
          if (reason) request.destroy(new Error(`connected to a non-public address (${reason})`));
        });
      });
      request.on('error', (e) => {
        const reason = signal.aborted ? (signal.reason as Error).message : e.message;
        done({ error: reason });
      });
      request.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const outcome: Partial<DeliveryResult> =
          status >= 200 && status < 300
            ? { ok: true, statusCode: status }
            : status >= 300 && status < 400
              ? { statusCode: status, error: `HTTP ${status}: redirects are not followed` }
              : { statusCode: status, error: `HTTP ${status}` };
        res.on('data', (chunk: Buffer) => {
          responseBytes += chunk.length;
          if (responseBytes > this.o.maxResponseBytes) {
            responseBytes = this.o.maxResponseBytes;
            // Enough: the status already decided; a receiver that streams forever is cut off.
            done(outcome);
            res.destroy();
          }
        });
        res.on('end', () => done(outcome));
        res.on('error', () => done(outcome));
        res.on('close', () => done(outcome));
      });
      request.end(payload);
    });
  }
}

function bare(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
