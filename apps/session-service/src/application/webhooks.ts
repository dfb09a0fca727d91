import { createHmac, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { NewEvent, Queryable } from '@app/event-store';
import { toPumpSession } from '../api/session-view';
import type { SessionState } from '../domain/session';

const TRANSITIONS: Record<string, string> = {
  SessionRequested: 'created',
  SessionStarted: 'started',
  SessionRemoteStopAccepted: 'stopped',
  SessionFailed: 'failed',
  SessionInvalidated: 'invalidated',
  SessionCompleted: 'closed',
};

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

export function signature(secret: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/**
 * Queues the webhooks of each changed session (in the caller's transaction, so a
 * delivery exists exactly when its change committed). Fleets without an endpoint cost a cached
 * lookup only.
 */
export class WebhookOutbox {
  private endpoints: { fleets: Set<string>; until: number } | null = null;
  private queued = false;

  async enqueue(client: Queryable, changed: { state: SessionState; events: NewEvent[] }[]): Promise<void> {
    if (changed.length === 0) return;
    const now = Date.now();
    if (!this.endpoints || this.endpoints.until < now) {
      const { rows } = await client.query<{ fleet_id: string }>('select fleet_id from webhook_endpoints');
      this.endpoints = { fleets: new Set(rows.map((r) => r.fleet_id)), until: now + 5000 };
    }
    const rows = changed
      .filter((c) => this.endpoints!.fleets.has(c.state.fleetId))
      // The body shows the session as committed (a `started` and a `closed` in one transaction both show it CLOSED).
      .flatMap((c) =>
        webhookTypes(c.events.map((e) => e.type)).map((type) => ({
          fleet_id: c.state.fleetId,
          session_id: c.state.sessionId,
          type,
          body: webhookBody(type, c.state),
        })),
      );
    if (rows.length === 0) return;
    this.queued = true;
    await client.query(
      `insert into webhook_deliveries (fleet_id, session_id, type, body)
       select fleet_id, session_id, type, body from jsonb_to_recordset($1::jsonb) as x(fleet_id text, session_id uuid, type text, body text)`,
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

  /** Forget the cached endpoint list (after adding one). */
  refresh(): void {
    this.endpoints = null;
  }
}

export async function setWebhookEndpoint(
  client: Queryable,
  fleetId: string,
  url: string,
  secret = randomBytes(24).toString('base64url'),
): Promise<string> {
  const u = new URL(url);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('webhook url must be http(s)');
  await client.query(
    `insert into webhook_endpoints (fleet_id, url, secret) values ($1, $2, $3)
     on conflict (fleet_id) do update set url = excluded.url, secret = excluded.secret`,
    [fleetId, url, secret],
  );
  return secret;
}

interface Delivery {
  id: string;
  session_id: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

/**
 * Sends queued webhooks: at least once, in order per session (only the oldest undelivered
 * delivery of a session is ever in flight), sessions in parallel, retried with exponential
 * backoff (1 s, 2 s, 4 s ... capped at 10 min), given up after `maxAttempts` (kept for a human).
 * One dispatcher at a time across instances (advisory lock).
 */
export class WebhookDispatcher {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly options: {
      timeoutMs?: number;
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
          `select h.id::text, h.session_id::text, h.body, h.attempts, e.url, e.secret from (
             select distinct on (session_id) id, fleet_id, session_id, body, attempts, next_attempt_at
             from webhook_deliveries where delivered_at is null and gave_up_at is null order by session_id, id) h
           join webhook_endpoints e on e.fleet_id = h.fleet_id
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

  private async deliver(client: Queryable, d: Delivery): Promise<void> {
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signature(d.secret, d.body),
          'user-agent': 'session-service-webhooks',
        },
        body: d.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = (e as Error).message;
    }
    if (error === null) {
      await client.query(
        'update webhook_deliveries set delivered_at = now(), attempts = attempts + 1, last_error = null where id = $1',
        [d.id],
      );
      return;
    }
    const attempts = d.attempts + 1;
    const backoff = Math.min((this.options.baseBackoffMs ?? 1000) * 2 ** (attempts - 1), 600_000);
    const giveUp = attempts >= (this.options.maxAttempts ?? 15);
    this.options.log?.(
      `webhook ${d.id} for session ${d.session_id} failed (${error}), attempt ${attempts}${giveUp ? ', giving up' : ''}`,
    );
    await client.query(
      `update webhook_deliveries set attempts = $2, last_error = $3, next_attempt_at = now() + ($4::int * interval '1 millisecond'),
         gave_up_at = case when $5 then now() else null end where id = $1`,
      [d.id, attempts, error.slice(0, 500), backoff, giveUp],
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
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
