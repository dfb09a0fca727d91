/**
 * The audit log: who changed what, when. One append-only table (`auth_audit_log`) in the shared
 * credentials database (`AUTH_DATABASE_URL`), written by every app, so an admin reads one history
 * whichever service made the change. Framework-free: apps call `recordAudit` with their own
 * client of that database.
 */
import { randomUUID } from 'node:crypto';
import type { ClientBase } from 'pg';
import type { Actor } from '@app/contracts';
import { query, QueryError, type ParsedQuery } from '@app/http';

type Queryable = Pick<ClientBase, 'query'>;

/** Every kind of change the log records (README "Security model" → "What is audited"). */
export const AUDIT_ACTIONS = [
  'tariff.created',
  'tariff.versioned',
  'tariff.assigned',
  'tariff.unassigned',
  'charge.corrected',
  'charge.cancelled',
  'api_key.created',
  'api_key.revoked',
  'webhook.created',
  'webhook.deleted',
  'webhook.changed',
  'charger.command_sent',
  'charger.command_answered',
  'charger.registered',
  'charger.updated',
  'charger.password_rotated',
  'charger.deactivated',
  'id_tag.set',
  'id_tag.deleted',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const ACTOR_KINDS: readonly Actor['kind'][] = ['api_key', 'jwt', 'system', 'cli'];

export interface AuditEntry {
  /**
   * Makes recording idempotent: a use case that retries its transaction passes the same id and
   * the log keeps one row. Defaults to a fresh uuid.
   */
  id?: string;
  actor: Actor;
  action: AuditAction;
  /** What was changed: e.g. `{ type: 'charge', id: <chargeId> }`. */
  target: { type: string; id: string };
  /** The app that made the change. */
  service: string;
  /** What changed, without secrets or personal data (no key material, no id tags). */
  details?: Record<string, unknown>;
}

export interface AuditRecord {
  id: string;
  at: string;
  actor: Actor;
  action: AuditAction;
  target: { type: string; id: string };
  service: string;
  details: Record<string, unknown>;
}

/**
 * Statements creating the table, in order; idempotent, so each app's migration step (or the
 * credentials database's own) can run them. UPDATE, DELETE and TRUNCATE are refused by a trigger,
 * which also binds the table's owner and superusers (a REVOKE would not); a correction of the log
 * is a new row.
 */
export function auditMigrationSql(): string[] {
  return [
    `create table if not exists auth_audit_log (
       seq bigint generated always as identity primary key,
       id uuid not null unique,
       at timestamptz not null default clock_timestamp(),
       actor_kind text not null check (actor_kind in (${ACTOR_KINDS.map((k) => `'${k}'`).join(', ')})),
       actor_id text not null check (actor_id <> ''),
       action text not null check (action ~ '^[a-z_]+\\.[a-z_]+$'),
       target_type text not null,
       target_id text not null,
       service text not null,
       details jsonb not null default '{}'::jsonb
     )`,
    `create index if not exists auth_audit_log_by_time on auth_audit_log (at, seq)`,
    `create or replace function auth_audit_log_reject_change() returns trigger language plpgsql as $$
     begin
       raise exception 'auth_audit_log is append-only: % rejected', tg_op using errcode = 'P0001';
     end $$`,
    `drop trigger if exists auth_audit_log_append_only on auth_audit_log`,
    `create trigger auth_audit_log_append_only before update or delete on auth_audit_log
       for each row execute function auth_audit_log_reject_change()`,
    `drop trigger if exists auth_audit_log_no_truncate on auth_audit_log`,
    `create trigger auth_audit_log_no_truncate before truncate on auth_audit_log
       for each statement execute function auth_audit_log_reject_change()`,
  ];
}

/** Appends one entry (a second call with the same `id` adds nothing). */
export async function recordAudit(q: Queryable, entry: AuditEntry): Promise<void> {
  if (!ACTOR_KINDS.includes(entry.actor.kind) || !entry.actor.id) {
    throw new Error(`audit entry without a valid actor: ${JSON.stringify(entry.actor)}`);
  }
  await q.query(
    `insert into auth_audit_log (id, actor_kind, actor_id, action, target_type, target_id, service, details)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (id) do nothing`,
    [
      entry.id ?? randomUUID(),
      entry.actor.kind,
      entry.actor.id,
      entry.action,
      entry.target.type,
      entry.target.id,
      entry.service,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}

/** The page cursor: the write position (`seq`) of the last entry returned, opaque to clients. */
export const encodeAuditCursor = (seq: string): string => Buffer.from(`a${seq}`).toString('base64url');
/** The position a cursor names, or undefined for any text `encodeAuditCursor` did not make. */
export function decodeAuditCursor(cursor: string): string | undefined {
  const raw = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const seq = /^a(0|[1-9]\d{0,17})$/.exec(raw)?.[1];
  // base64url has several spellings of one byte string; only the canonical one is ours.
  return seq !== undefined && encodeAuditCursor(seq) === cursor ? seq : undefined;
}

/**
 * `GET /v1/audit?from=&to=&cursor=&limit=`, read by the shared query parser: instants as on every
 * other endpoint, `from` inclusive, `to` exclusive.
 */
export const AUDIT_QUERY = {
  from: query.instant(),
  to: query.instant(),
  cursor: query.cursor(decodeAuditCursor),
  limit: query.int(1, 1000).default(100),
};
export type AuditQuery = ParsedQuery<typeof AUDIT_QUERY>;

export interface AuditPage {
  entries: AuditRecord[];
  next_cursor: string | null;
}

interface AuditRow {
  seq: string;
  id: string;
  at: Date;
  actor_kind: Actor['kind'];
  actor_id: string;
  action: AuditAction;
  target_type: string;
  target_id: string;
  service: string;
  details: Record<string, unknown>;
}

/**
 * One page of the log in the order it was written. The cursor is the position of the last entry
 * returned, so paging never repeats or skips an entry however many are written meanwhile.
 */
export async function listAudit(q: Queryable, page: AuditQuery): Promise<AuditPage> {
  if (page.from && page.to && page.from.getTime() > page.to.getTime()) {
    throw new QueryError('INVALID_QUERY', 'from', 'from must not be after to');
  }
  const { rows } = await q.query<AuditRow>(
    `select seq::text as seq, id, at, actor_kind, actor_id, action, target_type, target_id, service, details
     from auth_audit_log
     where ($1::timestamptz is null or at >= $1) and ($2::timestamptz is null or at < $2) and seq > $3::bigint
     order by auth_audit_log.seq limit $4`,
    [page.from ?? null, page.to ?? null, page.cursor ?? '0', page.limit + 1],
  );
  const entries = rows.slice(0, page.limit);
  return {
    entries: entries.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: { kind: r.actor_kind, id: r.actor_id },
      action: r.action,
      target: { type: r.target_type, id: r.target_id },
      service: r.service,
      details: r.details,
    })),
    next_cursor: rows.length > page.limit ? encodeAuditCursor(entries[entries.length - 1].seq) : null,
  };
}

/** The actor of a command-line run: `--actor NAME` when given, else the operating-system user. */
export function cliActor(argv: readonly string[], osUser: () => string): Actor {
  const i = argv.indexOf('--actor');
  const given = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && (!given || given.startsWith('--'))) throw new Error('--actor needs a name');
  const id = given ?? osUser();
  if (!id) throw new Error('no operating-system user to record as the actor: pass --actor NAME');
  return { kind: 'cli', id };
}
