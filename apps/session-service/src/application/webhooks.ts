import { randomBytes, randomUUID } from 'node:crypto';
import { isUuid } from '@app/contracts';
import type { NewEvent } from '@app/event-store';
import { stringifyDecimalJson } from '@app/http/decimal-json';
import { toPumpSession } from './session-view';
import type { SessionState } from '../domain/session';
import {
  hubSignature,
  HUB_SIGNATURE_HEADER,
  timestampedSignature,
  TIMESTAMPED_SIGNATURE_HEADER,
} from '../domain/webhook-signature';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  type DeliveryRecord,
  type DeliveryResult,
  type DueDelivery,
  type SessionChangeSink,
  type TransactionRunner,
  type Tx,
  type WebhookRecord,
  type WebhookRepository,
  type WebhookSecretSealer,
  type WebhookSender,
} from './ports';

export type { DeliveryResult, WebhookSender };

const TRANSITIONS: Record<string, string> = {
  SessionRequested: 'created',
  SessionStarted: 'started',
  SessionRemoteStopAccepted: 'stopped',
  SessionFailed: 'failed',
  SessionInvalidated: 'invalidated',
  SessionCompleted: 'closed',
};

/** What a webhook may subscribe to (pump's types); no `events` means all of them. */
export const WEBHOOK_EVENT_TYPES = [
  'fleet.charging_session.created',
  'fleet.charging_session.started',
  'fleet.charging_session.updated',
  'fleet.charging_session.stopped',
  'fleet.charging_session.failed',
  'fleet.charging_session.invalidated',
  'fleet.charging_session.closed',
] as const;
/** Sent by `POST /v1/webhooks/:id/test`, whatever the webhook subscribed to. */
export const WEBHOOK_TEST_EVENT = 'fleet.webhook.test';
export const MAX_WEBHOOKS_PER_FLEET = 10;

/**
 * pump's webhook types for the events one transaction appended to a session: one per transition
 * (created, started, stopped, failed, invalidated, closed) in order, or a single `updated` when
 * there was none (meter values, status, price).
 */
export function webhookTypes(eventTypes: string[]): string[] {
  const types = eventTypes
    .filter((t) => t in TRANSITIONS)
    .map((t) => `fleet.charging_session.${TRANSITIONS[t]}`);
  return types.length > 0 ? types : ['fleet.charging_session.updated'];
}

export function webhookBody(type: string, state: SessionState, now = new Date()): string {
  // prices and amounts as exact JSON numbers, as the API writes them (session-view.ts)
  return stringifyDecimalJson({
    object: 'event',
    type,
    timestamp: Math.floor(now.getTime() / 1000),
    data: { object: 'fleet.charging_session', data: toPumpSession(state) },
  });
}

/** pump's `X-Hub-Signature-256` value (kept under its old name for the callers that had it). */
export const signature = hubSignature;

/**
 * Queues the webhooks of each changed session (in the caller's transaction, so a
 * delivery exists exactly when its change committed). Fleets without a webhook cost a cached
 * lookup only.
 */
export class WebhookOutbox implements SessionChangeSink {
  private fleets: { ids: Set<string>; until: number } | null = null;
  private queued = false;

  constructor(private readonly store: Pick<WebhookRepository, 'fleetsWithWebhooks' | 'queueDeliveries'>) {}

  async enqueue(tx: Tx, changed: { state: SessionState; events: NewEvent[] }[]): Promise<void> {
    if (changed.length === 0) return;
    const now = Date.now();
    if (!this.fleets || this.fleets.until < now) {
      this.fleets = { ids: new Set(await this.store.fleetsWithWebhooks(tx)), until: now + 5000 };
    }
    let n = 0;
    const rows = changed
      .filter((c) => this.fleets!.ids.has(c.state.fleetId))
      // The body shows the session as committed (a `started` and a `closed` in one transaction both show it CLOSED).
      .flatMap((c) =>
        webhookTypes(c.events.map((e) => e.type)).map((type) => ({
          n: n++,
          fleetId: c.state.fleetId,
          sessionId: c.state.sessionId,
          type,
          body: webhookBody(type, c.state),
        })),
      );
    if (rows.length === 0) return;
    this.queued = true;
    await this.store.queueDeliveries(tx, rows);
  }

  /**
   * True once if deliveries were queued since the last call (their transaction may still roll
   * back: a spurious wake-up is harmless). Lets the runtime wake the dispatcher only when it has work.
   */
  takeQueued(): boolean {
    const q = this.queued;
    this.queued = false;
    return q;
  }

  /** Forget the cached fleet list (after adding a webhook). */
  refresh(): void {
    this.fleets = null;
  }
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[] | null;
  created_at: number;
}

export interface DeliveryView {
  id: string;
  type: string;
  session_id: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  /** When the next attempt is due (pending only). */
  next_attempt_at: number | null;
  attempt_log: {
    attempt: number;
    at: number;
    status_code: number | null;
    error: string | null;
    duration_ms: number;
  }[];
}

const unix = (d: Date | null): number | null => (d ? Math.floor(d.getTime() / 1000) : null);
const view = (r: WebhookRecord): WebhookView => ({
  id: r.id,
  url: r.url,
  events: r.events,
  created_at: unix(r.createdAt)!,
});
const deliveryView = (r: DeliveryRecord): DeliveryView => ({
  id: r.id,
  type: r.type,
  session_id: r.sessionId,
  status: r.deliveredAt ? 'delivered' : r.gaveUpAt ? 'failed' : 'pending',
  attempts: r.attempts,
  last_status_code: r.lastStatusCode,
  last_error: r.lastError,
  created_at: unix(r.createdAt)!,
  delivered_at: unix(r.deliveredAt),
  next_attempt_at: r.deliveredAt || r.gaveUpAt ? null : unix(r.nextAttemptAt),
  attempt_log: r.attemptLog.map((a) => ({
    attempt: a.attempt,
    at: unix(new Date(a.at))!,
    status_code: a.statusCode,
    error: a.error,
    duration_ms: a.durationMs,
  })),
});

/** Raised when webhooks cannot be created because WEBHOOK_SECRET_KEY is not configured (503). */
export class WebhookSecretsUnavailableError extends Error {}

/**
 * The use cases behind `/v1/webhooks`: every query is scoped to the caller's fleet, so another
 * fleet's webhook is indistinguishable from one that does not exist. `audit` (the caller's audit
 * record, in the credentials database) runs before the change commits: a change whose audit row
 * could not be written is rolled back, never left unaudited.
 */
export class ManageWebhooks {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly store: WebhookRepository,
    private readonly box: WebhookSecretSealer | null,
    private readonly sender: WebhookSender,
    private readonly outbox: WebhookOutbox,
    /** Wakes the dispatcher, so a queued test event leaves now rather than at its next poll. */
    private readonly wakeDispatcher: () => void = () => undefined,
  ) {}

  /** Checks the request fields; messages name the field (they become the 400's message). */
  validate(input: { url?: unknown; events?: unknown }): { url: string; events: string[] | null } {
    if (typeof input.url !== 'string' || input.url.length === 0)
      throw new BadRequestError('INVALID_BODY', 'url is required: an https URL');
    try {
      this.sender.checkUrl(input.url);
    } catch (e) {
      throw new BadRequestError('INVALID_URL', (e as Error).message);
    }
    let events: string[] | null = null;
    if (input.events !== undefined && input.events !== null) {
      const known = WEBHOOK_EVENT_TYPES as readonly string[];
      if (
        !Array.isArray(input.events) ||
        input.events.length === 0 ||
        input.events.some((e) => typeof e !== 'string' || !known.includes(e))
      ) {
        throw new BadRequestError(
          'INVALID_BODY',
          `events must be a non-empty array of: ${WEBHOOK_EVENT_TYPES.join(', ')}`,
        );
      }
      events = [...new Set(input.events as string[])].sort();
    }
    return { url: input.url, events };
  }

  /** Returns the secret once; only its sealed form is stored. */
  async create(
    fleetId: string,
    input: { url: string; events: string[] | null },
    audit: (webhook: WebhookView) => Promise<void>,
    secret = 'whsec_' + randomBytes(32).toString('base64url'),
  ): Promise<{ webhook: WebhookView; secret: string }> {
    if (!this.box)
      throw new WebhookSecretsUnavailableError('webhooks are unavailable: WEBHOOK_SECRET_KEY is not set');
    const id = randomUUID();
    const sealedSecret = this.box.seal(secret, id);
    const webhook = await this.transactions.run(async (tx) => {
      // One fleet's webhooks are created one at a time, so the limit holds under concurrency.
      await this.store.lockFleet(tx, fleetId);
      if ((await this.store.count(tx, fleetId)) >= MAX_WEBHOOKS_PER_FLEET)
        throw new ConflictError('WEBHOOK_LIMIT', `a fleet has at most ${MAX_WEBHOOKS_PER_FLEET} webhooks`);
      const created = view(
        await this.store.insert(tx, { id, fleetId, url: input.url, events: input.events, sealedSecret }),
      );
      await audit(created);
      return created;
    });
    this.outbox.refresh();
    return { webhook, secret };
  }

  async list(fleetId: string): Promise<WebhookView[]> {
    return (await this.store.list(fleetId)).map(view);
  }

  async get(fleetId: string, id: string): Promise<WebhookView> {
    const found = isUuid(id) ? await this.store.find(fleetId, id) : null;
    if (!found) throw new NotFoundError(`webhook ${id} not found`);
    return view(found);
  }

  async delete(fleetId: string, id: string, audit: (webhook: WebhookView) => Promise<void>): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError(`webhook ${id} not found`);
    await this.transactions.run(async (tx) => {
      const deleted = await this.store.delete(tx, fleetId, id);
      if (!deleted) throw new NotFoundError(`webhook ${id} not found`);
      await audit(view(deleted));
    });
    this.outbox.refresh();
  }

  /** Queues a test event (delivered by the dispatcher like any other, signed the same way). */
  async sendTest(fleetId: string, id: string): Promise<DeliveryView> {
    const webhook = await this.get(fleetId, id);
    const body = JSON.stringify({
      object: 'event',
      type: WEBHOOK_TEST_EVENT,
      timestamp: Math.floor(Date.now() / 1000),
      data: { object: 'fleet.webhook', data: { id: webhook.id, url: webhook.url } },
    });
    if (!(await this.store.queueTest(fleetId, id, WEBHOOK_TEST_EVENT, body)))
      throw new NotFoundError(`webhook ${id} not found`);
    // The 202 shows the delivery as queued; the dispatcher, woken after the read, sends it.
    const queued = (await this.deliveries(fleetId, id, { limit: 1 })).deliveries[0];
    this.wakeDispatcher();
    return queued;
  }

  /** The newest deliveries first, with every attempt; `cursor` is the last id of the previous page. */
  async deliveries(
    fleetId: string,
    id: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<{ deliveries: DeliveryView[]; next_cursor: string | null }> {
    await this.get(fleetId, id);
    const limit = page.limit ?? 50;
    const rows = await this.store.deliveries(id, { limit: limit + 1, cursor: page.cursor ?? null });
    const deliveries = rows.slice(0, limit).map(deliveryView);
    return { deliveries, next_cursor: rows.length > limit ? deliveries[deliveries.length - 1].id : null };
  }
}

/**
 * Sends queued webhooks: at least once, in order per session and webhook (only the oldest
 * undelivered delivery of a session is ever in flight to one webhook), sessions in parallel,
 * retried with exponential backoff (1 s, 2 s, 4 s ... capped at 10 min), given up after
 * `maxAttempts` (kept for a human). One dispatcher at a time across instances (advisory lock).
 */
export class WebhookDispatcher {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly store: WebhookRepository,
    private readonly sender: WebhookSender,
    private readonly box: WebhookSecretSealer | null,
    private readonly options: {
      maxAttempts?: number;
      baseBackoffMs?: number;
      pollMs?: number;
      log?: (msg: string) => void;
    } = {},
  ) {}

  async runOnce(): Promise<number> {
    return this.store.withDispatchLock(async (tx) => {
      const due = await this.store.dueDeliveries(tx, 200);
      await Promise.all(due.map((d) => this.deliver(tx, d)));
      return due.length;
    });
  }

  private secretOf(d: DueDelivery): string {
    if (d.sealedSecret !== null) {
      if (!this.box) throw new Error('WEBHOOK_SECRET_KEY is not set: cannot open the signing secret');
      return this.box.open(d.sealedSecret, d.webhookId);
    }
    return d.legacySecret!;
  }

  private async deliver(tx: Tx, d: DueDelivery): Promise<void> {
    let result: DeliveryResult;
    try {
      const secret = this.secretOf(d);
      result = await this.sender.post(d.url, d.body, {
        'content-type': 'application/json',
        [HUB_SIGNATURE_HEADER]: hubSignature(secret, d.body),
        [TIMESTAMPED_SIGNATURE_HEADER]: timestampedSignature(secret, d.body, Date.now() / 1000),
        // Receivers deduplicate by this id: a delivery is retried until acknowledged (at least once).
        'x-chargebill-delivery': d.id,
        'x-chargebill-webhook': d.webhookId,
        'user-agent': 'chargebill-webhooks',
      });
    } catch (e) {
      result = {
        ok: false,
        statusCode: null,
        error: (e as Error).message,
        refused: false,
        durationMs: 0,
        responseBytes: 0,
      };
    }
    const attempts = d.attempts + 1;
    const error = result.ok ? null : (result.error ?? 'failed').slice(0, 500);
    const backoff = Math.min((this.options.baseBackoffMs ?? 1000) * 2 ** (attempts - 1), 600_000);
    const giveUp = !result.ok && attempts >= (this.options.maxAttempts ?? 15);
    if (!result.ok)
      this.options.log?.(
        `webhook delivery ${d.id} (webhook ${d.webhookId}) failed (${error}), attempt ${attempts}${giveUp ? ', giving up' : ''}`,
      );
    await this.store.recordAttempt(tx, {
      deliveryId: d.id,
      attempt: attempts,
      statusCode: result.statusCode,
      error,
      durationMs: result.durationMs,
      delivered: result.ok,
      backoffMs: backoff,
      gaveUp: giveUp,
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      if (this.box) {
        // Secrets the old CLI stored in plaintext, or sealed with a rotated-out key.
        const n = await this.store.resealSecrets(this.box).catch((e: Error) => {
          this.options.log?.(`webhook secrets: could not seal (${e.message}); retried at the next start`);
          return 0;
        });
        if (n > 0) this.options.log?.(`webhook secrets: sealed ${n} secret(s) with the current key`);
      }
      while (this.running) {
        let n = 0;
        try {
          n = await this.runOnce();
        } catch (e) {
          this.options.log?.(`webhook dispatcher: ${(e as Error).message}`);
        }
        if (n === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              this.wakeUp = null;
              resolve();
            };
            const timer = setTimeout(done, this.options.pollMs ?? 500);
            this.wakeUp = done;
          });
        }
      }
    })();
  }

  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }
}
