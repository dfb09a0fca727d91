import type { Pool, PoolClient } from 'pg';
import { makeEnvelope } from '@app/contracts';
import {
  toRecordedEvent,
  type OutboxPublisher,
  type OutboxRecord,
  type OutboxRoute,
  type RecordedEvent,
} from '@app/event-store';

export interface RegistryRelayOptions {
  /** Checkpoint name in `outbox_checkpoints`; one relay per name publishes at a time (advisory lock). */
  name: string;
  source: string;
  streamType: string;
  route(event: RecordedEvent): OutboxRoute | null;
  batchSize?: number;
  pollIntervalMs?: number;
  onError?(error: unknown): void;
}

interface Row {
  kind: 'event' | 'top';
  global_position: string;
  stream_id: string | null;
  stream_position: string | null;
  event_id: string | null;
  type: string | null;
  data: unknown;
  metadata: Record<string, unknown> | null;
  recorded_at: Date | null;
  transaction_id: string;
}

/**
 * The outbox relay of the registry's streams: the event store's relay rules (only events of
 * settled transactions, in `(transaction_id, global_position)` order, checkpointed on that pair,
 * at least once, one publisher per name), for a stream type that is rare among the store's events.
 *
 * The shared OutboxRelay checkpoints the last event it published, so between two registry changes
 * every poll walks every session and status event stored since the last change (index walk plus
 * a streams probe each): a day of sessions per poll, five polls a second. This one reads, in the
 * same statement and so the same snapshot, the newest settled position of the whole store; when
 * the read found fewer registry events than a batch, no registry event lies between them and that
 * position, and the checkpoint moves there. Each poll then walks only what was stored since the
 * previous one.
 */
export class RegistryRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private checkpointExists = false;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: OutboxPublisher,
    private readonly options: RegistryRelayOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
  }

  /** Publishes at most one batch; returns how many registry events it published (0: none, or another relay holds the lock). */
  async runOnce(): Promise<number> {
    if (!this.checkpointExists) {
      await this.pool.query(
        'insert into outbox_checkpoints (name, position) values ($1, 0) on conflict do nothing',
        [this.options.name],
      );
      this.checkpointExists = true;
    }
    const client = await this.pool.connect();
    let broken = false;
    const onError = () => (broken = true);
    client.on('error', onError);
    try {
      await client.query('begin');
      const lock = await client.query<{ ok: boolean }>(
        'select pg_try_advisory_xact_lock(hashtext($1)) as ok',
        ['outbox:' + this.options.name],
      );
      if (!lock.rows[0].ok) {
        await client.query('rollback');
        return 0;
      }
      const published = await this.publishBatch(client);
      await client.query('commit');
      return published;
    } catch (error) {
      if (!broken) {
        try {
          await client.query('rollback');
        } catch {
          broken = true;
        }
      }
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  private async publishBatch(client: PoolClient): Promise<number> {
    const cp = await client.query<{ transaction_id: string; position: string }>(
      'select transaction_id::text, position from outbox_checkpoints where name = $1',
      [this.options.name],
    );
    const after = [cp.rows[0].transaction_id, cp.rows[0].position];
    // One statement, one snapshot: the registry events after the checkpoint, and the newest
    // settled position of the store as of the same horizon.
    const { rows } = await client.query<Row>(
      `with horizon as (select pg_snapshot_xmin(pg_current_snapshot()) as x),
       batch as (
         select e.global_position, e.stream_id, e.stream_position, e.event_id::text as event_id, e.type, e.data,
                e.metadata, e.recorded_at, e.transaction_id
         from events e
         where (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
           and e.transaction_id < (select x from horizon)
           and exists (select 1 from streams s where s.stream_id = e.stream_id and s.stream_type = $3)
         order by e.transaction_id, e.global_position
         limit $4
       ),
       top as (
         select e.global_position, e.transaction_id from events e
         where e.transaction_id < (select x from horizon)
         order by e.transaction_id desc, e.global_position desc
         limit 1
       )
       select 'event' as kind, global_position, stream_id, stream_position, event_id, type, data, metadata,
              recorded_at, transaction_id::text as transaction_id,
              row_number() over (order by transaction_id, global_position) as n
       from batch
       union all
       select 'top', global_position, null, null, null, null, null, null, null, transaction_id::text, 0 from top
       order by kind, n`,
      [after[0], after[1], this.options.streamType, this.batchSize],
    );
    const eventRows = rows.filter((r) => r.kind === 'event');
    const top = rows.find((r) => r.kind === 'top');
    const last = eventRows.length === this.batchSize || !top ? eventRows[eventRows.length - 1] : top;
    if (!last || !isAfter(last, after)) return 0;
    const events = eventRows.map((r) =>
      toRecordedEvent({
        global_position: r.global_position,
        stream_id: r.stream_id!,
        stream_position: r.stream_position!,
        event_id: r.event_id!,
        type: r.type!,
        data: r.data,
        metadata: r.metadata ?? {},
        recorded_at: r.recorded_at!,
      }),
    );
    const records: OutboxRecord[] = [];
    for (const event of events) {
      const route = this.options.route(event);
      if (!route) continue;
      const envelope = makeEnvelope({
        id: event.eventId,
        type: event.type,
        source: this.options.source,
        subject: route.key,
        schema: route.schema,
        time: event.recordedAt,
        data: event.data,
      });
      records.push({ topic: route.topic, key: route.key, value: JSON.stringify(envelope) });
    }
    if (records.length > 0) await this.publisher.publishAll(records);
    await client.query(
      'update outbox_checkpoints set transaction_id = $2::xid8, position = $3, updated_at = now() where name = $1',
      [this.options.name, last.transaction_id, last.global_position],
    );
    return events.length;
  }

  /** Runs `runOnce` until `stop()`; failures are reported and retried with backoff (up to 5 s). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      let failures = 0;
      while (this.running) {
        let handled = 0;
        try {
          handled = await this.runOnce();
          failures = 0;
        } catch (error) {
          failures++;
          this.options.onError?.(error);
        }
        if (failures > 0 && this.running)
          await this.sleep(Math.min(this.pollIntervalMs * 2 ** Math.min(failures, 10), 5000));
        else if (handled < this.batchSize && this.running) await this.sleep();
      }
    })();
  }

  /** Ends the current sleep: called after each registry change committed. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = null;
  }

  private sleep(ms = this.pollIntervalMs): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

/** Whether an event position lies after the checkpoint (xid8 and bigint compared as numbers). */
function isAfter(row: { transaction_id: string; global_position: string }, cp: string[]): boolean {
  const [tx, pos] = [BigInt(row.transaction_id), BigInt(row.global_position)];
  const [ctx, cpos] = [BigInt(cp[0]), BigInt(cp[1])];
  return tx > ctx || (tx === ctx && pos > cpos);
}
