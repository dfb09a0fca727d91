import type { Queryable, RecordedEvent } from './types';

interface EventRow {
  global_position: string;
  stream_id: string;
  stream_position: string;
  event_id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

const COLUMNS =
  'global_position, stream_id, stream_position, event_id::text, type, data, metadata, recorded_at';
const E_COLUMNS = COLUMNS.split(', ')
  .map((c) => 'e.' + c)
  .join(', ');
const B_COLUMNS = COLUMNS.split(', ')
  .map((c) => 'b.' + c.replace('::text', ''))
  .join(', ');

/**
 * ` and <events e of streams of this type>`, its value pushed onto `params`. EXISTS keeps the plan
 * "walk events in index order, probe streams by primary key, stop at the limit"; an IN (subquery)
 * can turn into hashing every stream of the type on each read.
 */
function streamTypeFilter(params: unknown[], streamType: string | undefined): string {
  if (!streamType) return '';
  params.push(streamType);
  return ` and exists (select 1 from streams s where s.stream_id = e.stream_id and s.stream_type = $${params.length})`;
}

export function toRecordedEvent<T = unknown>(row: EventRow): RecordedEvent<T> {
  return {
    globalPosition: Number(row.global_position),
    streamId: row.stream_id,
    streamPosition: Number(row.stream_position),
    eventId: row.event_id,
    type: row.type,
    data: row.data as T,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

export interface ReadStreamResult<T> {
  /** 0 when the stream does not exist. */
  version: number;
  tenantId: string | null;
  events: RecordedEvent<T>[];
}

/** Every event of one stream, in stream order (optionally only those after `afterPosition`). */
export async function readStream<T = unknown>(
  client: Queryable,
  streamId: string,
  options: { afterPosition?: number } = {},
): Promise<ReadStreamResult<T>> {
  const stream = await client.query<{ version: string; tenant_id: string }>(
    'select version, tenant_id from streams where stream_id = $1',
    [streamId],
  );
  if (stream.rowCount === 0) return { version: 0, tenantId: null, events: [] };
  const { rows } = await client.query<EventRow>(
    `select ${COLUMNS} from events where stream_id = $1 and stream_position > $2 order by stream_position`,
    [streamId, options.afterPosition ?? 0],
  );
  return {
    version: Number(stream.rows[0].version),
    tenantId: stream.rows[0].tenant_id,
    events: rows.map((r) => toRecordedEvent<T>(r)),
  };
}

export interface ReadAllOptions {
  /** Exclusive lower bound on global_position (default 0). */
  after?: number;
  limit?: number;
  /** Only events of streams of this type. */
  streamType?: string;
}

/** Events of the whole store in global order, a page at a time. */
export async function readAll<T = unknown>(
  client: Queryable,
  options: ReadAllOptions = {},
): Promise<RecordedEvent<T>[]> {
  const params: unknown[] = [options.after ?? 0, options.limit ?? 1000];
  const where = 'e.global_position > $1' + streamTypeFilter(params, options.streamType);
  const { rows } = await client.query<EventRow>(
    `select ${E_COLUMNS} from events e where ${where} order by e.global_position limit $2`,
    params,
  );
  return rows.map((r) => toRecordedEvent<T>(r));
}

/** Where a settled read stopped: the `(transaction_id, global_position)` of the last event. */
export interface SettledPosition {
  /** An `xid8` as a decimal string ("0" before the first event). */
  transactionId: string;
  globalPosition: number;
}

export interface ReadSettledOptions {
  after: SettledPosition;
  limit: number;
  /** Only events of streams of this type. */
  streamType?: string;
}

export interface ReadSettledResult<T> {
  events: RecordedEvent<T>[];
  /** The position of the last event read (`null`: none). */
  last: SettledPosition | null;
  /**
   * How far this read covered the store, where the next read can start: `last` when `limit`
   * events matched; when fewer did, the newest settled event of the whole store (of any stream
   * type), which no matching event can ever come before (see `readSettled`). `null` when that is
   * not after `options.after`: nothing new, the checkpoint can stay.
   */
  through: SettledPosition | null;
}

/**
 * Events of transactions that can no longer commit "behind" this read, in
 * `(transaction_id, global_position)` order, after `options.after`; the outbox relay's read.
 *
 * `global_position` is handed out at insert time, not at commit, so a read in position order
 * can see a higher position before a lower one commits, and a checkpoint on positions alone would
 * skip the lower one forever. Only transactions older than every transaction still running
 * (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`) are read, and they are read in
 * transaction id order: every transaction that can still commit has an id at least that xmin, so
 * it sorts after everything already read, and a checkpoint on the pair never skips an event.
 * `appendToStreams` keeps each stream's transaction ids non-decreasing, so this order is also
 * every stream's own order. xids are cluster-wide: a long transaction anywhere on the server
 * holds the read back until it ends.
 *
 * Skip-ahead (`through`): the same statement, so the same snapshot and the same xmin, also reads
 * the newest settled event of the whole store, the "top". Every transaction below xmin has ended,
 * so the events below xmin this snapshot sees are all there will ever be; when fewer than `limit`
 * matching events were found, they were all the matching events between `after` and the top, and
 * any event stored later comes from a transaction with an id at least xmin, after the top. So a
 * checkpoint can move to the top, and a reader of a stream type that is rare among the store's
 * events walks only what was stored since its previous read, not everything since its last
 * matching event. (Read in a separate statement, the top could come from a newer snapshot, past a
 * matching event the batch did not see; hence one statement.) Without a filter the top is the last
 * event whenever fewer than `limit` were read, so the rule changes nothing there.
 */
export async function readSettled<T = unknown>(
  client: Queryable,
  options: ReadSettledOptions,
): Promise<ReadSettledResult<T>> {
  const params: unknown[] = [options.after.transactionId, options.after.globalPosition, options.limit];
  // Both pg_current_snapshot() calls return the statement's snapshot: one xmin for batch and top.
  const settled = 'e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())';
  const where =
    '(e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) and ' +
    settled +
    streamTypeFilter(params, options.streamType);
  // One row per batch event, or a single row of nulls when there is none; each carries the top.
  const { rows } = await client.query<
    Partial<EventRow> & {
      transaction_id: string | null;
      top_transaction_id: string | null;
      top_position: string | null;
      top_is_after: boolean | null;
    }
  >(
    `with batch as (
       select ${E_COLUMNS}, e.transaction_id as tx from events e where ${where}
       order by e.transaction_id, e.global_position limit $3
     ), top as (
       select e.transaction_id, e.global_position from events e where ${settled}
       order by e.transaction_id desc, e.global_position desc limit 1
     )
     select ${B_COLUMNS}, b.tx::text as transaction_id,
            t.transaction_id::text as top_transaction_id, t.global_position as top_position,
            (t.transaction_id, t.global_position) > ($1::xid8, $2::bigint) as top_is_after
     from (select 1) one left join top t on true left join batch b on true
     order by b.tx, b.global_position`,
    params,
  );
  const eventRows = rows.filter((r) => r.global_position != null) as (EventRow & {
    transaction_id: string;
  })[];
  const lastRow = eventRows[eventRows.length - 1];
  const last = lastRow
    ? { transactionId: lastRow.transaction_id, globalPosition: Number(lastRow.global_position) }
    : null;
  const top = rows[0];
  const through =
    eventRows.length < options.limit && top?.top_is_after
      ? { transactionId: top.top_transaction_id!, globalPosition: Number(top.top_position) }
      : last;
  return { events: eventRows.map((r) => toRecordedEvent<T>(r)), last, through };
}
