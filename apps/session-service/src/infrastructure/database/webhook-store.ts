import type { Pool } from 'pg';
import type { Queryable } from '@app/event-store';
import type {
  DeliveryRecord,
  DueDelivery,
  WebhookRecord,
  WebhookRepository,
  WebhookSecretSealer,
} from '../../application/ports';

interface WebhookRow {
  id: string;
  url: string;
  events: string[] | null;
  created_at: Date;
}
const record = (r: WebhookRow): WebhookRecord => ({
  id: r.id,
  url: r.url,
  events: r.events,
  createdAt: r.created_at,
});
const COLUMNS = 'id::text, url, events, created_at';

/** `webhooks`, `webhook_deliveries` and `webhook_attempts`. */
export class PostgresWebhookStore implements WebhookRepository {
  constructor(private readonly pool: Pool) {}

  async fleetsWithWebhooks(tx: Queryable): Promise<string[]> {
    const { rows } = await tx.query<{ fleet_id: string }>('select distinct fleet_id from webhooks');
    return rows.map((r) => r.fleet_id);
  }

  async queueDeliveries(
    tx: Queryable,
    rows: { n: number; fleetId: string; sessionId: string; type: string; body: string }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    // Joined with the webhooks as they are now (a cached fleet whose webhook was deleted queues
    // nothing); ids follow the transitions' order, which is the order of delivery per session.
    await tx.query(
      `insert into webhook_deliveries (webhook_id, fleet_id, session_id, type, body)
       select w.id, x.fleet_id, x.session_id, x.type, x.body
       from jsonb_to_recordset($1::jsonb) as x(n int, fleet_id text, session_id uuid, type text, body text)
       join webhooks w on w.fleet_id = x.fleet_id and (w.events is null or x.type = any(w.events))
       order by x.n, w.id`,
      [
        JSON.stringify(
          rows.map((r) => ({
            n: r.n,
            fleet_id: r.fleetId,
            session_id: r.sessionId,
            type: r.type,
            body: r.body,
          })),
        ),
      ],
    );
  }

  async lockFleet(tx: Queryable, fleetId: string): Promise<void> {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`webhooks:${fleetId}`]);
  }

  async count(tx: Queryable, fleetId: string): Promise<number> {
    const { rows } = await tx.query<{ n: number }>(
      'select count(*)::int as n from webhooks where fleet_id = $1',
      [fleetId],
    );
    return rows[0].n;
  }

  async insert(
    tx: Queryable,
    w: { id: string; fleetId: string; url: string; events: string[] | null; sealedSecret: string },
  ): Promise<WebhookRecord> {
    const { rows } = await tx.query<WebhookRow>(
      `insert into webhooks (id, fleet_id, url, events, sealed_secret) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
      [w.id, w.fleetId, w.url, w.events, w.sealedSecret],
    );
    return record(rows[0]);
  }

  async delete(tx: Queryable, fleetId: string, id: string): Promise<WebhookRecord | null> {
    const { rows } = await tx.query<WebhookRow>(
      `delete from webhooks where id = $1 and fleet_id = $2 returning ${COLUMNS}`,
      [id, fleetId],
    );
    if (!rows[0]) return null;
    // Their history goes with the webhook (attempts cascade); nothing is sent to it any more.
    await tx.query('delete from webhook_deliveries where webhook_id = $1', [id]);
    return record(rows[0]);
  }

  async list(fleetId: string): Promise<WebhookRecord[]> {
    const { rows } = await this.pool.query<WebhookRow>(
      `select ${COLUMNS} from webhooks where fleet_id = $1 order by created_at, id`,
      [fleetId],
    );
    return rows.map(record);
  }

  async find(fleetId: string, id: string): Promise<WebhookRecord | null> {
    const { rows } = await this.pool.query<WebhookRow>(
      `select ${COLUMNS} from webhooks where id = $1 and fleet_id = $2`,
      [id, fleetId],
    );
    return rows[0] ? record(rows[0]) : null;
  }

  async queueTest(fleetId: string, id: string, type: string, body: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ id: string }>(
      `insert into webhook_deliveries (webhook_id, fleet_id, session_id, type, body)
       select id, fleet_id, null, $3, $4 from webhooks where id = $1 and fleet_id = $2 returning id::text`,
      [id, fleetId, type, body],
    );
    return rows.length > 0;
  }

  async deliveries(
    webhookId: string,
    page: { limit: number; cursor: string | null },
  ): Promise<DeliveryRecord[]> {
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
      [webhookId, page.cursor, page.limit],
    );
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      sessionId: r.session_id,
      attempts: r.attempts,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
      gaveUpAt: r.gave_up_at,
      nextAttemptAt: r.next_attempt_at,
      attemptLog: r.attempt_log.map((a) => ({
        attempt: a.attempt,
        at: a.at,
        statusCode: a.status_code,
        error: a.error,
        durationMs: a.duration_ms,
      })),
    }));
  }

  async withDispatchLock(work: (tx: Queryable) => Promise<number>): Promise<number> {
    const client = await this.pool.connect();
    try {
      const lock = await client.query<{ ok: boolean }>(
        "select pg_try_advisory_lock(hashtext('webhook-dispatcher')) as ok",
      );
      if (!lock.rows[0].ok) return 0;
      try {
        return await work(client);
      } finally {
        await client.query("select pg_advisory_unlock(hashtext('webhook-dispatcher'))");
      }
    } finally {
      client.release();
    }
  }

  async dueDeliveries(tx: Queryable, limit: number): Promise<DueDelivery[]> {
    const { rows } = await tx.query<{
      id: string;
      session_id: string | null;
      webhook_id: string;
      body: string;
      attempts: number;
      url: string;
      sealed_secret: string | null;
      legacy_secret: string | null;
    }>(
      `select h.id::text, h.session_id::text, h.webhook_id::text, h.body, h.attempts, w.url, w.sealed_secret, w.legacy_secret from (
         select distinct on (webhook_id, session_id) id, webhook_id, session_id, body, attempts, next_attempt_at
         from webhook_deliveries where delivered_at is null and gave_up_at is null order by webhook_id, session_id, id) h
       join webhooks w on w.id = h.webhook_id
       where h.next_attempt_at <= now() order by h.id limit $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      sessionId: r.session_id,
      webhookId: r.webhook_id,
      body: r.body,
      attempts: r.attempts,
      url: r.url,
      sealedSecret: r.sealed_secret,
      legacySecret: r.legacy_secret,
    }));
  }

  async recordAttempt(
    tx: Queryable,
    a: {
      deliveryId: string;
      attempt: number;
      statusCode: number | null;
      error: string | null;
      durationMs: number;
      delivered: boolean;
      backoffMs: number;
      gaveUp: boolean;
    },
  ): Promise<void> {
    await tx.query(
      `with attempt as (
         insert into webhook_attempts (delivery_id, attempt, status_code, error, duration_ms)
         values ($1, $2, $3, $4, $5) on conflict do nothing)
       update webhook_deliveries set attempts = $2, last_status_code = $3, last_error = $4,
         delivered_at = case when $6 then now() else null end,
         next_attempt_at = case when $6 then next_attempt_at else now() + ($7::int * interval '1 millisecond') end,
         gave_up_at = case when $8 then now() else null end
       where id = $1`,
      [
        a.deliveryId,
        a.attempt,
        a.statusCode,
        a.error,
        Math.round(a.durationMs),
        a.delivered,
        a.backoffMs,
        a.gaveUp,
      ],
    );
  }

  resealSecrets(sealer: WebhookSecretSealer): Promise<number> {
    return sealWebhookSecrets(this.pool, sealer);
  }
}

/**
 * Seals the plaintext secrets the old CLI stored (moved to `legacy_secret` by the migration) and
 * re-seals rows of an older key after a rotation. Idempotent; runs at start and from the CLI.
 */
export async function sealWebhookSecrets(pool: Queryable, box: WebhookSecretSealer): Promise<number> {
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
