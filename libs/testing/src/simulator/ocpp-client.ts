import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { stringifyWithLosslessNumbers } from '@app/ocpp';

export type CallAnswer =
  | { type: 'result'; payload: Record<string, unknown> }
  | { type: 'error'; code: string; description: string; details: unknown };

/**
 * Answers a CALL from the Central System; the returned payload becomes the CALLRESULT. `frame` is
 * the CALL's text as received (a number's exact digits, e.g. CostUpdated's totalCost).
 */
export type CallHandler = (
  action: string,
  payload: Record<string, unknown>,
  frame: string,
) => Promise<Record<string, unknown>> | Record<string, unknown>;

export interface OcppClientOptions {
  /** Base URL without the id, e.g. `ws://127.0.0.1:9000/ocpp`. */
  url: string;
  chargePointId: string;
  /** Basic-auth password (security profile 1/2); none when omitted. */
  password?: string;
  /** Subprotocols offered at the handshake (default `["ocpp1.6"]`); `protocol` says which one was agreed. */
  protocols?: string[];
  /**
   * Payloads may hold `LosslessNumber`s (@app/ocpp), written digit for digit: a 2.0.1 meter value
   * with more digits than a double holds. Off by default: JSON.stringify is faster (the bench).
   */
  exactNumbers?: boolean;
  /** A CALL not answered by then rejects (default 30 s). */
  callTimeoutMs?: number;
  /** TLS: CA certificate(s) to trust (security profile 2 with a private CA). */
  ca?: string | Buffer;
  handshakeTimeoutMs?: number;
  /** Answer WebSocket pings (default true; false simulates a dead link). */
  autoPong?: boolean;
  /** Told about every CALL once it is answered or given up, e.g. to match confirmed CALLs against Kafka. */
  onCallSettled?(call: SettledCall): void;
  /**
   * `confirm` sends a CALL again (new message id) after a CALLERROR or no answer, up to `attempts`
   * more times, as a charger retries what it must deliver (default: no retries).
   */
  confirmRetries?: { attempts: number; delayMs: number };
}

/** One CALL this client sent and what became of it. */
export interface SettledCall {
  chargePointId: string;
  action: string;
  messageId: string;
  /** ms since epoch. */
  sentAt: number;
  settledAt: number;
  /** 'result' for a CALLRESULT, else the CALLERROR code, 'timeout' or 'closed'. */
  outcome: string;
}

/** The handshake was refused; `status` is the HTTP status (401, 400, 404...). */
export class HandshakeRefusedError extends Error {
  constructor(readonly status: number) {
    super(`handshake refused with HTTP ${status}`);
  }
}

interface Pending {
  resolve(answer: CallAnswer): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * A minimal OCPP-J client (1.6 and 2.0.1 frame the same way): CALLs with promises, answers to the
 * Central System's CALLs, and raw frames for tests that send garbage on purpose.
 */
export class OcppClient {
  private readonly pending = new Map<string, Pending>();
  private handler: CallHandler | null = null;
  private readonly stringify: (frame: unknown[]) => string;
  private readonly frameWaiters: Array<{ match(frame: unknown): boolean; resolve(frame: unknown): void }> =
    [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(
    readonly ws: WebSocket,
    private readonly options: OcppClientOptions,
  ) {
    this.stringify = options.exactNumbers ? stringifyWithLosslessNumbers : JSON.stringify;
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`connection closed (${code}) before ${id} was answered`));
        }
        this.pending.clear();
        resolve({ code, reason: reason.toString() });
      }),
    );
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('error', () => undefined);
  }

  static connect(options: OcppClientOptions): Promise<OcppClient> {
    const url = `${options.url.replace(/\/$/, '')}/${encodeURIComponent(options.chargePointId)}`;
    const headers: Record<string, string> = {};
    if (options.password !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${options.chargePointId}:${options.password}`).toString('base64')}`;
    }
    const ws = new WebSocket(url, options.protocols ?? ['ocpp1.6'], {
      headers,
      perMessageDeflate: false,
      handshakeTimeout: options.handshakeTimeoutMs ?? 10000,
      ca: options.ca,
      autoPong: options.autoPong ?? true,
    });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        reject(new HandshakeRefusedError(res.statusCode ?? 0));
        ws.terminate();
      });
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        resolve(new OcppClient(ws, options));
      });
    });
  }

  /** The subprotocol the handshake agreed on (`ocpp1.6`, `ocpp2.0.1`). */
  get protocol(): string {
    return this.ws.protocol;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Handles CALLs from the Central System (RemoteStartTransaction, ...). */
  onCall(handler: CallHandler): void {
    this.handler = handler;
  }

  call(
    action: string,
    payload: Record<string, unknown>,
    messageId: string = randomUUID(),
  ): Promise<CallAnswer> {
    const sentAt = Date.now();
    const settled = (outcome: string) =>
      this.options.onCallSettled?.({
        chargePointId: this.options.chargePointId,
        action,
        messageId,
        sentAt,
        settledAt: Date.now(),
        outcome,
      });
    return new Promise<CallAnswer>((resolve, reject) => {
      if (!this.isOpen) return reject(new Error('connection is not open'));
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        settled('timeout');
        reject(
          new Error(`${action} ${messageId} not answered within ${this.options.callTimeoutMs ?? 30000} ms`),
        );
      }, this.options.callTimeoutMs ?? 30000);
      this.pending.set(messageId, {
        resolve: (answer) => {
          settled(answer.type === 'result' ? 'result' : answer.code);
          resolve(answer);
        },
        reject: (error) => {
          settled('closed');
          reject(error);
        },
        timer,
      });
      this.ws.send(this.stringify([2, messageId, action, payload]));
    });
  }

  /** Calls and insists on a CALLRESULT (throws on a CALLERROR), retrying as `confirmRetries` says. */
  async confirm(action: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const retries = this.options.confirmRetries;
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await this.call(action, payload);
        if (answer.type === 'error')
          throw new Error(`${action} answered ${answer.code}: ${answer.description}`);
        return answer.payload;
      } catch (e) {
        if (!retries || attempt >= retries.attempts || !this.isOpen) throw e;
        await new Promise((r) => setTimeout(r, retries.delayMs));
      }
    }
  }

  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  /** The next received frame (parsed) that `match` accepts, e.g. a CALLERROR with id "-1". */
  nextFrame(match: (frame: unknown[]) => boolean = () => true, timeoutMs = 10000): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      const waiter = {
        match: (f: unknown) => Array.isArray(f) && match(f),
        resolve: resolve as (f: unknown) => void,
      };
      this.frameWaiters.push(waiter);
      setTimeout(() => {
        const i = this.frameWaiters.indexOf(waiter);
        if (i >= 0) {
          this.frameWaiters.splice(i, 1);
          reject(new Error('no matching frame in time'));
        }
      }, timeoutMs).unref();
    });
  }

  private onMessage(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    for (let i = 0; i < this.frameWaiters.length; i++) {
      if (this.frameWaiters[i].match(frame)) {
        this.frameWaiters.splice(i, 1)[0].resolve(frame);
        break;
      }
    }
    if (!Array.isArray(frame)) return;
    const [type, id] = frame as [number, string];
    if (type === 3 || type === 4) {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(
        type === 3
          ? { type: 'result', payload: frame[2] as Record<string, unknown> }
          : { type: 'error', code: String(frame[2]), description: String(frame[3] ?? ''), details: frame[4] },
      );
    } else if (type === 2) {
      void this.answer(id, String(frame[2]), (frame[3] ?? {}) as Record<string, unknown>, text);
    }
  }

  private async answer(
    id: string,
    action: string,
    payload: Record<string, unknown>,
    text: string,
  ): Promise<void> {
    if (!this.handler) {
      this.ws.send(JSON.stringify([4, id, 'NotImplemented', `simulator does not handle ${action}`, {}]));
      return;
    }
    try {
      const result = await this.handler(action, payload, text);
      if (this.isOpen) this.ws.send(this.stringify([3, id, result]));
    } catch (e) {
      if (this.isOpen) this.ws.send(JSON.stringify([4, id, 'InternalError', (e as Error).message, {}]));
    }
  }

  async close(code = 1000, reason = 'bye'): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(code, reason);
    return this.closed;
  }

  terminate(): void {
    this.ws.terminate();
  }
}
