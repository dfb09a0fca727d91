import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import type { ChargerProtocol } from '@app/contracts';
import {
  callErrorFrame,
  callErrorFrameOf,
  errorCodeForProtocol,
  KNOWN_OCPP16_ACTIONS,
  KNOWN_OCPP201_ACTIONS,
  MAX_MESSAGE_ID_LENGTH,
  MessageType,
  parseFrame,
  stringifyWithLosslessNumbers,
} from '@app/ocpp';
import type { ChargerContext, StationCallHandler } from '../../application/answer-call';
import type { ChargerAnswer, CommandTarget } from '../../application/dispatch-command';
import type { AuthenticatedRegistration } from '../../domain/registry-change';

/** CALLs one connection may have queued or in progress before further ones are refused. */
export const MAX_QUEUED_CALLS = 50;

interface PendingCall {
  action: string;
  resolve(answer: ChargerAnswer): void;
  timer: NodeJS.Timeout;
}

/** The action names a protocol defines: metric labels are never a name a charger invented. */
const KNOWN_ACTIONS: Record<ChargerProtocol, ReadonlySet<string>> = {
  'ocpp1.6': KNOWN_OCPP16_ACTIONS,
  'ocpp2.0.1': KNOWN_OCPP201_ACTIONS,
};

export interface ChargerConnectionHooks {
  onCallHandled?(action: string, outcome: string, seconds: number): void;
  onIgnoredFrame?(reason: string): void;
}

/**
 * One charger's WebSocket. CALLs are handled one after the other in arrival order (OCPP-J allows
 * one outstanding CALL per direction; sequential handling also keeps the charger's records in
 * order on the topic). A CALL whose message id is already queued or in progress is refused with
 * a CALLERROR and never published twice. Our own CALLs (commands) go out one at a time too.
 * Frames are read by the rules of the connection's subprotocol, and every error code it sends or
 * reports (a charger's CALLERROR to our command) is spelled as that protocol spells it.
 */
export class ChargerConnection implements CommandTarget {
  readonly connectedAt = new Date();
  /** Set by the ping sweep; cleared by any pong or frame. */
  awaitingPong = false;
  /** Why we closed it ("replaced", "ping-timeout", "shutdown"); null while open or closed by the charger. */
  closeReason: string | null = null;
  disconnectReported = false;
  /**
   * The registry entry the handshake authenticated against; a newer one (registry consumer) that
   * deactivates the charger or changes its password closes the connection.
   */
  registration: AuthenticatedRegistration = { passwordHash: null, registryVersion: 0 };
  private readonly inFlight = new Set<string>();
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<unknown> = Promise.resolve();
  private readonly pending = new Map<string, PendingCall>();

  constructor(
    readonly ws: WebSocket,
    readonly ctx: ChargerContext,
    readonly protocol: ChargerProtocol,
    private readonly handler: StationCallHandler,
    private readonly hooks: ChargerConnectionHooks = {},
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.awaitingPong = false));
  }

  get chargePointId(): string {
    return this.ctx.chargePointId;
  }

  private onMessage(data: WebSocket.RawData, _isBinary: boolean): void {
    this.awaitingPong = false;
    const receivedAt = new Date();
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data).toString('utf8');
    const frame = parseFrame(text, this.protocol);
    switch (frame.type) {
      case 'call': {
        const label = KNOWN_ACTIONS[this.protocol].has(frame.action) ? frame.action : '(unknown)';
        if (this.inFlight.has(frame.messageId)) {
          this.send(
            callErrorFrame(
              frame.messageId,
              'GenericError',
              'a CALL with this message id is already being handled',
            ),
          );
          this.hooks.onCallHandled?.(label, 'DuplicateMessageId', 0);
          return;
        }
        if (this.inFlight.size >= MAX_QUEUED_CALLS) {
          // OCPP-J allows one outstanding CALL; a charger flooding us must not grow our memory.
          this.send(
            callErrorFrame(
              frame.messageId,
              'GenericError',
              `more than ${MAX_QUEUED_CALLS} CALLs waiting on this connection`,
            ),
          );
          this.hooks.onCallHandled?.(label, 'TooManyCalls', 0);
          return;
        }
        this.inFlight.add(frame.messageId);
        const started = process.hrtime.bigint();
        this.inbound = this.inbound
          .then(() => this.handler.execute(this.ctx, frame, text, receivedAt))
          .then(({ reply, outcome }) => {
            this.send(reply);
            this.hooks.onCallHandled?.(label, outcome, Number(process.hrtime.bigint() - started) / 1e9);
          })
          .catch(() => this.send(callErrorFrame(frame.messageId, 'InternalError', 'unexpected error')))
          .finally(() => this.inFlight.delete(frame.messageId));
        return;
      }
      case 'malformed':
        this.send(callErrorFrameOf(frame.messageId, frame.error));
        this.hooks.onCallHandled?.('(malformed)', frame.error.code, 0);
        return;
      case 'callResult':
      case 'callError': {
        const pending = this.pending.get(frame.messageId);
        if (!pending) return this.hooks.onIgnoredFrame?.(`answer to unknown message id ${frame.messageId}`);
        this.pending.delete(frame.messageId);
        clearTimeout(pending.timer);
        pending.resolve(
          frame.type === 'callResult'
            ? { type: 'result', payload: frame.payload }
            : {
                type: 'error',
                code: errorCodeForProtocol(this.protocol, frame.errorCode),
                description: frame.errorDescription,
                details: frame.errorDetails,
              },
        );
        return;
      }
      case 'ignored':
        this.hooks.onIgnoredFrame?.(frame.reason);
        return;
    }
  }

  private send(frame: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
  }

  /**
   * Sends a CALL to the charger after any earlier one was answered, and waits for its answer
   * until `deadline` (ms since epoch). Resolves with a timeout or closed answer instead of throwing.
   */
  sendCall(
    action: string,
    payload: Record<string, unknown>,
    deadline: number,
    preferredMessageId?: string,
  ): Promise<ChargerAnswer> {
    const messageId =
      preferredMessageId &&
      preferredMessageId.length <= MAX_MESSAGE_ID_LENGTH &&
      !this.pending.has(preferredMessageId)
        ? preferredMessageId
        : randomUUID();
    const run = (): Promise<ChargerAnswer> =>
      new Promise<ChargerAnswer>((resolve) => {
        const remaining = deadline - Date.now();
        if (remaining <= 0) return resolve({ type: 'timeout' });
        if (this.ws.readyState !== this.ws.OPEN) return resolve({ type: 'closed' });
        const timer = setTimeout(() => {
          this.pending.delete(messageId);
          resolve({ type: 'timeout' });
        }, remaining);
        this.pending.set(messageId, { action, resolve, timer });
        // A payload may carry LosslessNumbers (CostUpdated.totalCost): written as their exact text.
        this.ws.send(stringifyWithLosslessNumbers([MessageType.CALL, messageId, action, payload]));
      });
    const answer = this.outbound.then(run, run);
    this.outbound = answer;
    return answer;
  }

  /** Waits until every CALL received so far has been answered (or `timeoutMs` passed). */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.inbound, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  close(code: number, reason: string): void {
    this.closeReason ??= reason;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ type: 'closed' });
      this.pending.delete(id);
    }
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING)
      this.ws.close(code, reason);
  }

  terminate(reason: string): void {
    this.closeReason ??= reason;
    this.ws.terminate();
  }

  /** Called once the socket is closed: answers pending commands as closed. */
  onClosed(): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ type: 'closed' });
      this.pending.delete(id);
    }
  }
}
