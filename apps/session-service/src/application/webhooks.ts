import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { NewEvent, Queryable } from '@app/event-store';
import { toPumpSession } from './session-view';
import type { SessionState } from '../domain/session';
import {
  hubSignature,
  HUB_SIGNATURE_HEADER,
  timestampedSignature,
  TIMESTAMPED_SIGNATURE_HEADER,
} from '../domain/webhook-signature';
import type { WebhookSecretBox } from '../infrastructure/webhook-secret-box';
import { BadRequestError, ConflictError, NotFoundError } from './ports';

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
  return JSON.stringify({
    object: 'event',
    type,
    timestamp: Math.floor(now.getTime() / 1000),
    data: { object: 'fleet.charging_session', data: toPumpSession(state) },
  });
}

/** pump's `X-Hub-Signature-256` value (kept under its old name for the callers that had it). */
export const signature = hubSignature;

export interface DeliveryResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** The request never left: the URL or the address it resolved to is not allowed. */
  refused: boolean;
  durationMs: number;
  /** Response bytes read (at most maxResponseBytes; more means the receiver was cut off). */
  responseBytes: number;
}

/** Sends one webhook request; the SSRF-safe adapter in infrastructure/ is the real one. */
export interface WebhookSender {
  post(url: string, body: string, headers: Record<string, string>): Promise<DeliveryResult>;
  /** Refuses a URL that can never be delivered to (scheme, credentials, a non-public IP literal). */
  checkUrl(url: string): URL;
}

/**
 * Queues the webhooks of each changed session (in the caller's transaction, so a
 * delivery exists exactly when its change committed). Fleets without a webhook cost a cached
 * lookup only.
 */
export class WebhookOutbox {
  private fleets: { ids: Set<string>; until: number } | null = null;
  private queued = false;

  async enqueue(client: Queryable, changed: { state: SessionState; events: NewEvent[] }[]): Promise<void> {
    if (changed.length === 0) return;
    const now = Date.now();
    if (!this.fleets || this.fleets.until < now) {
      const { rows } = await client.query<{ fleet_id: string }>('select distinct fleet_id from webhooks');
      this.fleets = { ids: new Set(rows.map((r) => r.fleet_id)), until: now + 5000 };
    }
    let n = 0;
    const rows = changed
      .filter((c) => this.fleets!.ids.has(c.state.fleetId))
      // The body shows the session as committed (a `started` and a `closed` in one transaction both show it CLOSED).
      .flatMap((c) =>
        webhookTypes(c.events.map((e) => e.type)).map((type) => ({
          n: n++,
          fleet_id: c.state.fleetId,
          session_id: c.state.sessionId,
          type,
          body: webhookBody(type, c.state),
        })),
      );
    if (rows.length === 0) return;
    this.queued = true;
    // Joined with the webhooks as they are now (a cached fleet whose webhook was deleted queues
    // nothing); ids follow the transitions' order, which is the order of delivery per session.
    await client.query(
      `insert into webhook_deliveries (webhook_id, fleet_id, session_id, type, body)
       select w.id, x.fleet_id, x.session_id, x.type, x.body
       from jsonb_to_recordset($1::jsonb) as x(n int, fleet_id text, session_id uuid, type text, body text)
       join webhooks w on w.fleet_id = x.fleet_id and (w.events is null or x.type = any(w.events))
       order by x.n, w.id`,
      [JSON.stringify(rows)],
    );
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

interface WebhookRow {
  id: string;
  url: string;
  events: string[] | null;
  created_at: Date;
}

const unix = (d: Date | null): number | null => (d ? Math.floor(d.getTime() / 1000) : null);
const view = (r: WebhookRow): WebhookView => ({
  id: r.id,
  url: r.url,
  events: r.events,
  created_at: unix(r.created_at)!,
});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    private readonly pool: Pool,
    private readonly box: WebhookSecretBox | null,
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
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      // One fleet's webhooks are created one at a time, so the limit holds under concurrency.
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [`webhooks:${fleetId}`]);
      const { rows: count } = await client.query<{ n: number }>(
        'select count(*)::int as n from webhooks where fleet_id = $1',
        [fleetId],
      );
      if (count[0].n >= MAX_WEBHOOKS_PER_FLEET)
        throw new ConflictError('WEBHOOK_LIMIT', `a fleet has at most ${MAX_WEBHOOKS_PER_FLEET} webhooks`);
      const { rows } = await client.query<WebhookRow>(
        `insert into webhooks (id, fleet_id, url, events, sealed_secret) values ($1, $2, $3, $4, $5)
         returning id::text, url, events, created_at`,
        [id, fleetId, input.url, input.events, this.box.seal(secret, id)],
      );
      const webhook = view(rows[0]);
      await audit(webhook);
      await client.query('commit');
      this.outbox.refresh();
      return { webhook, secret };
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async list(fleetId: string): Promise<WebhookView[]> {
    const { rows } = await this.pool.query<WebhookRow>(
      'select id::text, url, events, created_at from webhooks where fleet_id = $1 order by created_at, id',
      [fleetId],
    );
    return rows.map(view);
  }

  async get(fleetId: string, id: string): Promise<WebhookView> {
    if (!UUID.test(id)) throw new NotFoundError(`webhook ${id} not found`);
    const { rows } = await this.pool.query<WebhookRow>(
      'select id::text, url, events, created_at from webhooks where id = $1 and fleet_id = $2',
      [id, fleetId],
    );
    if (!rows[0]) throw new NotFoundError(`webhook ${id} not found`);
    return view(rows[0]);
  }

  async delete(fleetId: string, id: string, audit: (webhook: WebhookView) => Promise<void>): Promise<void> {
    if (!UUID.test(id)) throw new NotFoundError(`webhook ${id} not found`);
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<WebhookRow>(
        'delete from webhooks where id = $1 and fleet_id = $2 returning id::text, url, events, created_at',
        [id, fleetId],
      );
      if (!rows[0]) throw new NotFoundError(`webhook ${id} not found`);
      // Their history goes with the webhook (attempts cascade); nothing is sent to it any more.
      await client.query('delete from webhook_deliveries where webhook_id = $1', [id]);
      await audit(view(rows[0]));
      await client.query('commit');
      this.outbox.refresh();
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
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
    const { rows } = await this.pool.query<{ id: string }>(
      `insert into webhook_deliveries (webhook_id, fleet_id, session_id, type, body)
       select id, fleet_id, null, $3, $4 from webhooks where id = $1 and fleet_id = $2 returning id::text`,
      [id, fleetId, WEBHOOK_TEST_EVENT, body],
    );
    if (!rows[0]) throw new NotFoundError(`webhook ${id} not found`);
    this.wakeDispatcher();
    return (await this.deliveries(fleetId, id, { limit: 1 })).deliveries[0];
  }

  /** The newest deliveries first, with every attempt; `cursor` is the last id of the previous page. */
  async deliveries(
    fleetId: string,
    id: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<{ deliveries: DeliveryView[]; next_cursor: string | null }> {
    await this.get(fleetId, id);
    const limit = page.limit ?? 50;
    const { rows } = await this.pool.query<{
      id: string;
      type: string;
      session_id: string | null;
      attempts: number;
      last_status_code: number | null;
      last_error: string | null;
      created_at: Date;
      delivered_at: Date | null;
      gave_up_at: Date | null;
      next_attempt_at: Date;
      attempt_log: {
        attempt: number;
        at: string;
        status_code: number | null;
        error: string | null;
        duration_ms: number;
      }[];
    }>(
      `select d.id::text, d.type, d.session_id::text, d.attempts, d.last_status_code, d.last_error,
              d.created_at, d.delivered_at, d.gave_up_at, d.next_attempt_at,
              coalesce((select jsonb_agg(jsonb_build_object('attempt', a.attempt, 'at', a.attempted_at,
                 'status_code', a.status_code, 'error', a.error, 'duration_ms', a.duration_ms) order by a.attempt)
                 from webhook_attempts a where a.delivery_id = d.id), '[]'::jsonb) as attempt_log
       from webhook_deliveries d
       where d.webhook_id = $1 and ($2::bigint is null or d.id < $2::bigint)
       order by d.id desc limit $3`,
      [id, page.cursor ?? null, limit + 1],
    );
    const more = rows.length > limit;
    const deliveries = rows.slice(0, limit).map((r): DeliveryView => ({
      id: r.id,
      type: r.type,
      session_id: r.session_id,
      status: r.delivered_at ? 'delivered' : r.gave_up_at ? 'failed' : 'pending',
      attempts: r.attempts,
      last_status_code: r.last_status_code,
      last_error: r.last_error,
      created_at: unix(r.created_at)!,
      delivered_at: unix(r.delivered_at),
      next_attempt_at: r.delivered_at || r.gave_up_at ? null : unix(r.next_attempt_at),
      attempt_log: r.attempt_log.map((a) => ({ ...a, at: unix(new Date(a.at))! })),
    }));
    return { deliveries, next_cursor: more ? deliveries[deliveries.length - 1].id : null };
  }
}

/**
 * Seals the plaintext secrets the old CLI stored (moved to `legacy_secret` by the migration) and
 * re-seals rows of an older key after a rotation. Idempotent; runs at start and from the CLI.
 */
export async function sealWebhookSecrets(pool: Queryable, box: WebhookSecretBox): Promise<number> {
  const { rows } = await pool.query<{
    id: string;
    sealed_secret: string | null;
    legacy_secret: string | null;
  }>('select id::text, sealed_secret, legacy_secret from webhooks');
  let n = 0;
  for (const r of rows) {
    if (r.legacy_secret === null && r.sealed_secret !== null && !box.isStale(r.sealed_secret)) continue;
    const secret = r.legacy_secret ?? box.open(r.sealed_secret!, r.id);
    // Conditional on what was read: a concurrent reseal or delete wins, nothing is overwritten.
    const res = await pool.query(
      `update webhooks set sealed_secret = $2, legacy_secret = null
       where id = $1 and sealed_secret is not distinct from $3 and legacy_secret is not distinct from $4`,
      [r.id, box.seal(secret, r.id), r.sealed_secret, r.legacy_secret],
    );
    n += res.rowCount ?? 0;
  }
  return n;
}

interface Delivery {
  id: string;
  session_id: string | null;
  webhook_id: string;
  body: string;
  attempts: number;
  url: string;
  sealed_secret: string | null;
  legacy_secret: string | null;
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
    private readonly pool: Pool,
    private readonly sender: WebhookSender,
    private readonly box: WebhookSecretBox | null,
    private readonly options: {
      maxAttempts?: number;
      baseBackoffMs?: number;
      pollMs?: number;
      log?: (msg: string) => void;
    } = {},
  ) {}

  async runOnce(): Promise<number> {
    const client = await this.pool.connect();
    try {
      const lock = await client.query<{ ok: boolean }>(
        "select pg_try_advisory_lock(hashtext('webhook-dispatcher')) as ok",
      );
      if (!lock.rows[0].ok) return 0;
      try {
        const { rows } = await client.query<Delivery>(
          `select h.id::text, h.session_id::text, h.webhook_id::text, h.body, h.attempts, w.url, w.sealed_secret, w.legacy_secret from (
             select distinct on (webhook_id, session_id) id, webhook_id, session_id, body, attempts, next_attempt_at
             from webhook_deliveries where delivered_at is null and gave_up_at is null order by webhook_id, session_id, id) h
           join webhooks w on w.id = h.webhook_id
           where h.next_attempt_at <= now() order by h.id limit 200`,
        );
        await Promise.all(rows.map((d) => this.deliver(client, d)));
        return rows.length;
      } finally {
        await client.query("select pg_advisory_unlock(hashtext('webhook-dispatcher'))");
      }
    } finally {
      client.release();
    }
  }

  private secretOf(d: Delivery): string {
    if (d.sealed_secret !== null) {
      if (!this.box) throw new Error('WEBHOOK_SECRET_KEY is not set: cannot open the signing secret');
      return this.box.open(d.sealed_secret, d.webhook_id);
    }
    return d.legacy_secret!;
  }

  private async deliver(client: Queryable, d: Delivery): Promise<void> {
    let result: DeliveryResult;
    try {
      const secret = this.secretOf(d);
      result = await this.sender.post(d.url, d.body, {
        'content-type': 'application/json',
        [HUB_SIGNATURE_HEADER]: hubSignature(secret, d.body),
        [TIMESTAMPED_SIGNATURE_HEADER]: timestampedSignature(secret, d.body, Date.now() / 1000),
        // Receivers deduplicate by this id: a delivery is retried until acknowledged (at least once).
        'x-chargebill-delivery': d.id,
        'x-chargebill-webhook': d.webhook_id,
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
        `webhook delivery ${d.id} (webhook ${d.webhook_id}) failed (${error}), attempt ${attempts}${giveUp ? ', giving up' : ''}`,
      );
    await client.query(
      `with attempt as (
         insert into webhook_attempts (delivery_id, attempt, status_code, error, duration_ms)
         values ($1, $2, $3, $4, $5) on conflict do nothing)
       update webhook_deliveries set attempts = $2, last_status_code = $3, last_error = $4,
         delivered_at = case when $6 then now() else null end,
         next_attempt_at = case when $6 then next_attempt_at else now() + ($7::int * interval '1 millisecond') end,
         gave_up_at = case when $8 then now() else null end
       where id = $1`,
      [d.id, attempts, result.statusCode, error, Math.round(result.durationMs), result.ok, backoff, giveUp],
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      if (this.box) {
        // Secrets the old CLI stored in plaintext, or sealed with a rotated-out key.
        const n = await sealWebhookSecrets(this.pool, this.box).catch((e: Error) => {
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
