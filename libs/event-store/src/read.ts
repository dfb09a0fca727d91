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
  /**
   * Only events of transactions that can no longer commit "behind" this read
   * (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`). The outbox relay needs it;
   * a rebuild inside one transaction does not.
   */
  settledOnly?: boolean;
}

/** Events of the whole store in global order, a page at a time. */
export async function readAll<T = unknown>(
  client: Queryable,
  options: ReadAllOptions = {},
): Promise<RecordedEvent<T>[]> {
  const params: unknown[] = [options.after ?? 0, options.limit ?? 1000];
  let where = 'e.global_position > $1';
  if (options.streamType) {
    params.push(options.streamType);
    // EXISTS keeps the plan "walk events by global_position, probe streams by primary key, stop at
    // the limit"; an IN (subquery) can turn into hashing every stream of the type on each read.
    where += ` and exists (select 1 from streams s where s.stream_id = e.stream_id and s.stream_type = $${params.length})`;
  }
  if (options.settledOnly) where += ' and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())';
  const { rows } = await client.query<EventRow>(
    `select ${COLUMNS.split(', ')
      .map((c) => 'e.' + c)
      .join(', ')} from events e where ${where} order by e.global_position limit $2`,
    params,
  );
  return rows.map((r) => toRecordedEvent<T>(r));
}
