/**
 * The event store's tables, as SQL statements an app's TypeORM migration runs in order:
 *
 * ```ts
 * async up(q: QueryRunner) { for (const sql of eventStoreSchemaSql()) await q.query(sql); }
 * ```
 *
 * - `streams`: one row per aggregate; `version` is the position of its last event (0 = none).
 *   Optimistic concurrency is a conditional `UPDATE ... WHERE version = $expected`.
 *   `last_transaction_id` is the transaction of its last append: a stream's events always come
 *   from non-decreasing transaction ids, which the outbox relay's order relies on (see append.ts).
 * - `events`: append-only. `global_position` orders every event of the store; `transaction_id`
 *   (the writing transaction, `xid8`) lets the outbox relay wait for late-committing transactions.
 * - `consumer_offsets`: the next Kafka offset per (group, topic, partition), written in the same
 *   transaction as the events a batch produced, so a crash neither loses nor doubles a record.
 * - `outbox_checkpoints`: how far each outbox relay has published: the `(transaction_id,
 *   global_position)` of the last event it handled, or of the newest settled event it skipped
 *   ahead to (OutboxRelay, "Skip-ahead" in the README).
 *
 * Statements are idempotent (`if not exists`), so running them twice is harmless.
 */
export function eventStoreSchemaSql(): string[] {
  return [
    `create table if not exists streams (
      stream_id text primary key,
      stream_type text not null,
      version bigint not null check (version >= 0),
      tenant_id text not null,
      last_transaction_id xid8 not null default pg_current_xact_id(),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    `create index if not exists streams_type_tenant_idx on streams (stream_type, tenant_id)`,
    `create table if not exists events (
      global_position bigint generated always as identity primary key,
      stream_id text not null references streams (stream_id),
      stream_position bigint not null check (stream_position > 0),
      event_id uuid not null unique,
      type text not null,
      data jsonb not null,
      metadata jsonb not null default '{}'::jsonb,
      transaction_id xid8 not null default pg_current_xact_id(),
      recorded_at timestamptz not null default now(),
      unique (stream_id, stream_position)
    )`,
    `create index if not exists events_settle_order_idx on events (transaction_id, global_position)`,
    `create table if not exists consumer_offsets (
      group_id text not null,
      topic text not null,
      partition integer not null,
      next_offset bigint not null,
      updated_at timestamptz not null default now(),
      primary key (group_id, topic, partition)
    )`,
    `create table if not exists outbox_checkpoints (
      name text primary key,
      transaction_id xid8 not null default '0'::xid8,
      position bigint not null default 0,
      updated_at timestamptz not null default now()
    )`,
  ];
}

/**
 * Brings an event store created before the outbox's transaction order (streams without
 * `last_transaction_id`, checkpoints on positions alone) to the schema of `eventStoreSchemaSql`.
 * A no-op on a store created with the current schema. An old checkpoint at position P becomes
 * (oldest transaction with an event after P, P): every event after P is still to publish, and at
 * most a few at or before P that younger transactions wrote go out again (at least once; consumers
 * deduplicate by event id).
 */
export function eventStoreTransactionOrderSql(): string[] {
  return [
    `alter table streams add column if not exists last_transaction_id xid8 not null default pg_current_xact_id()`,
    `create index if not exists events_settle_order_idx on events (transaction_id, global_position)`,
    `alter table outbox_checkpoints add column if not exists transaction_id xid8`,
    // (oldest transaction after the old position, old position): every event after the old
    // position sorts after it; events of that transaction at or before it stay behind it.
    `update outbox_checkpoints c
       set transaction_id = coalesce(
         (select min(e.transaction_id) from events e where e.global_position > c.position),
         (select max(e.transaction_id) from events e),
         '0'::xid8)
     where c.transaction_id is null`,
    `alter table outbox_checkpoints alter column transaction_id set default '0'::xid8`,
    `alter table outbox_checkpoints alter column transaction_id set not null`,
  ];
}

/** Reverse of `eventStoreSchemaSql` for a migration's `down`. */
export function eventStoreDropSql(): string[] {
  return [
    'drop table if exists outbox_checkpoints',
    'drop table if exists consumer_offsets',
    'drop table if exists events',
    'drop table if exists streams',
  ];
}
