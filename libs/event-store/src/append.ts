import {
  EventStoreError,
  WrongExpectedVersionError,
  type ExpectedVersion,
  type NewEvent,
  type Queryable,
} from './types';
import { runAll } from './transaction';
import { isUuid } from '@app/contracts';

/** One stream's part of an append. */
export interface StreamAppend {
  streamId: string;
  streamType: string;
  tenantId: string;
  expectedVersion: ExpectedVersion;
  events: NewEvent[];
}

export interface AppendResult {
  streamId: string;
  /** The stream's version after the append (pass it as the next expectedVersion). */
  nextExpectedVersion: number;
  /** How many events were stored (0 when every event id was already stored: an idempotent retry). */
  appended: number;
}

/**
 * Appends events to one stream. Run it inside the caller's transaction (see `inTransaction`) so
 * the projections and consumer offsets written next to it commit or roll back together.
 *
 * - Optimistic concurrency: `UPDATE streams ... WHERE version = $expected` (or an insert that
 *   conflicts for a new stream). A concurrent writer that got there first makes this throw
 *   `WrongExpectedVersionError`; Postgres' row lock makes the loser wait and then see the new
 *   version, so there is no check-then-insert race.
 * - Transaction order: a stream's events come from non-decreasing transaction ids. A transaction
 *   whose id was assigned before that of the stream's last writer (it wrote something else first,
 *   then appended after the other committed) gets `WrongExpectedVersionError` too; its retry runs
 *   under a newer id. The outbox relay publishes in `(transaction_id, global_position)` order, and
 *   this rule is what makes that order keep every stream's own order. Run writers under
 *   `inTransactionWithRetry`.
 * - Idempotency: when every event id is already stored, nothing happens (`appended: 0`). A
 *   concurrent append of the same ids loses on the `event_id` unique constraint instead.
 */
export async function appendToStream(
  client: Queryable,
  streamId: string,
  streamType: string,
  tenantId: string,
  expectedVersion: ExpectedVersion,
  events: NewEvent[],
): Promise<AppendResult> {
  const [result] = await appendToStreams(client, [
    { streamId, streamType, tenantId, expectedVersion, events },
  ]);
  return result;
}

/**
 * Appends to many streams with a constant number of statements (a Kafka batch touches hundreds of
 * sessions; one round trip per stream would dominate). Same guarantees as `appendToStream`, for all
 * streams at once: if any stream's expected version is wrong, it throws and the caller's
 * transaction must roll back. A stream may appear only once.
 */
export async function appendToStreams(client: Queryable, appends: StreamAppend[]): Promise<AppendResult[]> {
  validate(appends);
  if (appends.length > 0 && appends.every((a) => a.expectedVersion !== 'any' && a.events.length > 0)) {
    const done = await appendKnownVersions(client, appends);
    if (done) return done;
    // Some event id was already stored: the statement wrote nothing; sort it out below.
  }
  return appendChecked(client, appends);
}

/**
 * The common case in ONE statement: every expected version known, no event id stored yet. The
 * duplicate check, the version bumps (conditional UPDATE / INSERT of new streams, the
 * last_transaction_id rule) and the event insert run as one statement, each step only when the
 * one before it holds (no stored id; only the events of streams whose bump matched). Returns null,
 * having written nothing, when an event id is already stored. Throws `WrongExpectedVersionError`
 * when a stream's version (or its last writer's transaction id) does not match; the caller's
 * transaction must then roll back, as with `appendChecked`.
 */
async function appendKnownVersions(
  client: Queryable,
  appends: StreamAppend[],
): Promise<AppendResult[] | null> {
  const rows: Record<string, unknown>[] = [];
  for (const a of appends) pushEventRows(rows, a, a.expectedVersion as number);
  // Only the parts this append needs: a batch of new streams never touches streams' other columns.
  const hasFresh = appends.some((a) => a.expectedVersion === 0);
  const hasExisting = appends.some((a) => (a.expectedVersion as number) > 0);
  const { rows: out } = await client.query<{ kind: 'dup' | 'ok'; id: string }>(
    `with types as (
       -- every parameter typed, whichever parts below use it (never read)
       select $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]
     ), dup as (
       select event_id::text as id from events where event_id = any($1::uuid[])
     ), fresh as (
       ${
         hasFresh
           ? `insert into streams (stream_id, stream_type, tenant_id, version)
       select v.stream_id, v.stream_type, v.tenant_id, v.n
       from unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) as v(stream_id, stream_type, tenant_id, expected, n)
       where v.expected = 0 and not exists (select 1 from dup)
       on conflict (stream_id) do nothing
       returning stream_id`
           : `select null::text as stream_id where false`
       }
     ), bumped as (
       ${
         hasExisting
           ? `update streams s set version = s.version + v.n, last_transaction_id = pg_current_xact_id(), updated_at = now()
       from unnest($2::text[], $5::bigint[], $6::bigint[]) as v(stream_id, expected, n)
       where v.expected > 0 and s.stream_id = v.stream_id and s.version = v.expected
         and s.last_transaction_id <= pg_current_xact_id()
         and not exists (select 1 from dup)
       returning s.stream_id`
           : `select null::text as stream_id where false`
       }
     ), ok as (
       select stream_id from fresh union all select stream_id from bumped
     ), inserted as (
       insert into events (stream_id, stream_position, event_id, type, data, metadata)
       select x.stream_id, x.stream_position, x.event_id, x.type, x.data, x.metadata
       from jsonb_to_recordset($7::jsonb) as x(stream_id text, stream_position bigint, event_id uuid, type text, data jsonb, metadata jsonb)
       where x.stream_id in (select stream_id from ok)
       returning 1
     )
     select 'dup' as kind, id from dup union all select 'ok', stream_id from ok`,
    [
      appends.flatMap((a) => a.events.map((e) => e.eventId)),
      appends.map((a) => a.streamId),
      appends.map((a) => a.streamType),
      appends.map((a) => a.tenantId),
      appends.map((a) => a.expectedVersion),
      appends.map((a) => a.events.length),
      JSON.stringify(rows),
    ],
  );
  if (out.some((r) => r.kind === 'dup')) return null;
  const ok = new Set(out.map((r) => r.id));
  for (const a of appends) {
    if (!ok.has(a.streamId)) throw new WrongExpectedVersionError(a.streamId, a.expectedVersion);
  }
  return appends.map((a) => ({
    streamId: a.streamId,
    nextExpectedVersion: (a.expectedVersion as number) + a.events.length,
    appended: a.events.length,
  }));
}

/** The general path: `'any'` versions, empty appends, retries of appends whose ids are stored. */
async function appendChecked(client: Queryable, appends: StreamAppend[]): Promise<AppendResult[]> {
  const allIds = appends.flatMap((a) => a.events.map((e) => e.eventId.toLowerCase()));
  const stored = new Set<string>();
  if (allIds.length > 0) {
    const { rows } = await client.query<{ event_id: string }>(
      'select event_id::text from events where event_id = any($1::uuid[])',
      [allIds],
    );
    for (const r of rows) stored.add(r.event_id);
  }

  const results = new Map<string, AppendResult>();
  const pending: StreamAppend[] = [];
  for (const a of appends) {
    const already = a.events.filter((e) => stored.has(e.eventId.toLowerCase())).length;
    if (already === 0 && a.events.length > 0) {
      pending.push(a);
    } else if (already === a.events.length) {
      // A retry of an append that committed, or an empty append: nothing to do.
      results.set(a.streamId, { streamId: a.streamId, nextExpectedVersion: -1, appended: 0 });
    } else {
      throw new EventStoreError(
        `stream ${a.streamId}: ${already} of ${a.events.length} event ids are already stored; an append is all or nothing`,
      );
    }
  }

  // With expected versions known, every position is known before the bump: send the bump and the
  // insert together (one round trip on a pipelining client). A wrong version throws from the bump
  // and the caller's transaction rolls the inserted rows back.
  const known = pending.every((a) => a.expectedVersion !== 'any');
  const rows: Record<string, unknown>[] = [];
  const eventRows = (starts: Map<string, number>) => {
    for (const a of pending) {
      const start = starts.get(a.streamId)!;
      pushEventRows(rows, a, start);
      results.set(a.streamId, {
        streamId: a.streamId,
        nextExpectedVersion: start + a.events.length,
        appended: a.events.length,
      });
    }
  };
  const insert = () =>
    rows.length === 0
      ? Promise.resolve()
      : client
          .query(
            `insert into events (stream_id, stream_position, event_id, type, data, metadata)
             select stream_id, stream_position, event_id, type, data, metadata
             from jsonb_to_recordset($1::jsonb) as x(stream_id text, stream_position bigint, event_id uuid, type text, data jsonb, metadata jsonb)`,
            [JSON.stringify(rows)],
          )
          .then(() => undefined);
  if (known) {
    eventRows(new Map(pending.map((a) => [a.streamId, a.expectedVersion as number])));
    await runAll(client, [() => bumpVersions(client, pending), insert]);
  } else {
    eventRows(await bumpVersions(client, pending));
    await insert();
  }

  // Fill in the current version for no-op appends so callers always get a usable version.
  const noops = [...results.values()].filter((r) => r.nextExpectedVersion === -1);
  if (noops.length > 0) {
    const { rows: versions } = await client.query<{ stream_id: string; version: string }>(
      'select stream_id, version from streams where stream_id = any($1::text[])',
      [noops.map((r) => r.streamId)],
    );
    const byId = new Map(versions.map((v) => [v.stream_id, Number(v.version)]));
    for (const r of noops) r.nextExpectedVersion = byId.get(r.streamId) ?? 0;
  }
  return appends.map((a) => results.get(a.streamId)!);
}

/** The `events` rows of one stream's append whose version before it is `start` (insert input). */
function pushEventRows(rows: Record<string, unknown>[], a: StreamAppend, start: number): void {
  a.events.forEach((e, i) =>
    rows.push({
      stream_id: a.streamId,
      stream_position: start + i + 1,
      event_id: e.eventId,
      type: e.type,
      data: e.data ?? null,
      metadata: e.metadata ?? {},
    }),
  );
}

function validate(appends: StreamAppend[]): void {
  const seen = new Set<string>();
  for (const a of appends) {
    if (!a.streamId) throw new EventStoreError('streamId is empty');
    if (seen.has(a.streamId)) throw new EventStoreError(`stream ${a.streamId} appears twice in one append`);
    seen.add(a.streamId);
    if (a.expectedVersion !== 'any' && (!Number.isSafeInteger(a.expectedVersion) || a.expectedVersion < 0)) {
      throw new EventStoreError(
        `stream ${a.streamId}: expectedVersion must be a non-negative integer or "any"`,
      );
    }
    const ids = new Set<string>();
    for (const e of a.events) {
      if (!isUuid(e.eventId))
        throw new EventStoreError(`stream ${a.streamId}: eventId "${e.eventId}" is not a uuid`);
      if (ids.has(e.eventId.toLowerCase()))
        throw new EventStoreError(`stream ${a.streamId}: eventId ${e.eventId} twice`);
      ids.add(e.eventId.toLowerCase());
      if (!e.type) throw new EventStoreError(`stream ${a.streamId}: event type is empty`);
    }
  }
}

/** Moves every stream's version forward by its event count; returns each stream's version before. */
async function bumpVersions(client: Queryable, appends: StreamAppend[]): Promise<Map<string, number>> {
  const starts = new Map<string, number>();
  const fresh = appends.filter((a) => a.expectedVersion === 0);
  const existing = appends.filter((a) => typeof a.expectedVersion === 'number' && a.expectedVersion > 0);
  const any = appends.filter((a) => a.expectedVersion === 'any');

  if (fresh.length > 0) {
    const { rows } = await client.query<{ stream_id: string }>(
      `insert into streams (stream_id, stream_type, tenant_id, version)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       on conflict (stream_id) do nothing
       returning stream_id`,
      [
        fresh.map((a) => a.streamId),
        fresh.map((a) => a.streamType),
        fresh.map((a) => a.tenantId),
        fresh.map((a) => a.events.length),
      ],
    );
    const created = new Set(rows.map((r) => r.stream_id));
    for (const a of fresh) {
      if (!created.has(a.streamId)) throw new WrongExpectedVersionError(a.streamId, 0);
      starts.set(a.streamId, 0);
    }
  }
  if (existing.length > 0) {
    const { rows } = await client.query<{ stream_id: string }>(
      `update streams s set version = s.version + v.n, last_transaction_id = pg_current_xact_id(), updated_at = now()
       from unnest($1::text[], $2::bigint[], $3::bigint[]) as v(stream_id, expected, n)
       where s.stream_id = v.stream_id and s.version = v.expected
         and s.last_transaction_id <= pg_current_xact_id()
       returning s.stream_id`,
      [
        existing.map((a) => a.streamId),
        existing.map((a) => a.expectedVersion),
        existing.map((a) => a.events.length),
      ],
    );
    const updated = new Set(rows.map((r) => r.stream_id));
    for (const a of existing) {
      if (!updated.has(a.streamId)) throw new WrongExpectedVersionError(a.streamId, a.expectedVersion);
      starts.set(a.streamId, a.expectedVersion as number);
    }
  }
  if (any.length > 0) {
    const { rows } = await client.query<{ stream_id: string; version: string }>(
      `insert into streams as s (stream_id, stream_type, tenant_id, version)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       on conflict (stream_id) do update
         set version = s.version + excluded.version, last_transaction_id = pg_current_xact_id(), updated_at = now()
         where s.last_transaction_id <= pg_current_xact_id()
       returning s.stream_id, s.version`,
      [
        any.map((a) => a.streamId),
        any.map((a) => a.streamType),
        any.map((a) => a.tenantId),
        any.map((a) => a.events.length),
      ],
    );
    const byId = new Map(rows.map((r) => [r.stream_id, Number(r.version)]));
    for (const a of any) {
      const version = byId.get(a.streamId);
      if (version === undefined) throw new WrongExpectedVersionError(a.streamId, 'any');
      starts.set(a.streamId, version - a.events.length);
    }
  }
  return starts;
}
