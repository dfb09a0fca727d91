import type { Pool } from 'pg';
import { makeEnvelope } from '@app/contracts';
import { readSettled } from './read';
import type { RecordedEvent } from './types';

/** The record shape of `KafkaPublisher` (libs/kafka), repeated so this lib needs no Kafka client. */
export interface OutboxRecord {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/** What the relay publishes through; `KafkaPublisher` fits (resolves when the broker acknowledged). */
export interface OutboxPublisher {
  publishAll(records: OutboxRecord[]): Promise<void>;
}

/** Where an event goes; `null` keeps it internal (stored, never published). */
export interface OutboxRoute {
  topic: string;
  key: string;
  /** Envelope `schema`, e.g. "charging.session-started/v1". */
  schema: string;
}

export interface OutboxRelayOptions {
  /** Checkpoint name; one relay per name publishes at a time (a Postgres advisory lock). */
  name: string;
  /** Envelope `source`, e.g. "session-service". */
  source: string;
  route(event: RecordedEvent): OutboxRoute | null;
  /** Only events of streams of this type. */
  streamType?: string;
  batchSize?: number;
  /** How long to sleep when there was nothing to publish (default 100 ms); `wake()` cuts it short. */
  pollIntervalMs?: number;
  onError?(error: unknown): void;
  /** Called after each published batch (metrics, tests). */
  onPublished?(events: RecordedEvent[]): void;
}

/**
 * Publishes stored events to Kafka and advances a checkpoint.
 *
 * It reads with `readSettled`: only events of transactions older than every transaction still
 * running, in `(transaction_id, global_position)` order, checkpointed on that pair. Positions are
 * handed out at insert time, not at commit, so a checkpoint on positions alone would skip an event
 * whose transaction commits after a later position was published; the pair never does, and each
 * stream's events still go out in stream order (see `readSettled`). The price: a long-open
 * transaction anywhere on the Postgres server (xids are cluster-wide) holds the relay back.
 *
 * Skip-ahead: the checkpoint is `readSettled`'s `through`, not the last event published. When a
 * read found fewer than a batch, the checkpoint moves to the newest settled event of the whole
 * store, read in the same statement (same snapshot, same xmin), which no event of `streamType` can
 * ever come before. So a relay of a rare stream type walks, per poll, only the events stored since
 * its previous poll, not all those since its own last event. With 10,000 registry streams and
 * 200,000 session events after the last registry change, a poll walking them took ~100-150 ms in
 * outbox-relay-skip.int.spec.ts (~800 ms measured in session-service); the polls after it ~2 ms.
 * The price is one checkpoint update per poll while other streams are written.
 *
 * At least once: a crash between the broker's ack and the checkpoint update republishes a batch;
 * the envelope `id` is the `event_id`, so consumers deduplicate by it.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private checkpointExists = false;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: OutboxPublisher,
    private readonly options: OutboxRelayOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
  }

  /** Publishes at most one batch. Returns how many events it handled (0: nothing new, or another relay holds the lock). */
  async runOnce(): Promise<number> {
    if (!this.checkpointExists) {
      await this.pool.query(
        'insert into outbox_checkpoints (name, position) values ($1, 0) on conflict do nothing',
        [this.options.name],
      );
      this.checkpointExists = true; // rows of outbox_checkpoints are never deleted
    }
    const client = await this.pool.connect();
    let broken = false;
    // Without a listener, a connection the server drops while checked out crashes the process.
    const onError = () => (broken = true);
    client.on('error', onError);
    try {
      await client.query('begin');
      // An advisory lock assigns no transaction id, so this transaction does not hold back xmin itself.
      const lock = await client.query<{ ok: boolean }>(
        'select pg_try_advisory_xact_lock(hashtext($1)) as ok',
        ['outbox:' + this.options.name],
      );
      if (!lock.rows[0].ok) {
        await client.query('rollback');
        return 0;
      }
      const cp = await client.query<{ transaction_id: string; position: string }>(
        'select transaction_id::text, position from outbox_checkpoints where name = $1',
        [this.options.name],
      );
      const { events, through } = await readSettled(client, {
        after: { transactionId: cp.rows[0].transaction_id, globalPosition: Number(cp.rows[0].position) },
        limit: this.batchSize,
        streamType: this.options.streamType,
      });
      if (!through) {
        await client.query('rollback');
        return 0;
      }
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
        [this.options.name, through.transactionId, through.globalPosition],
      );
      await client.query('commit');
      this.options.onPublished?.(events);
      return events.length;
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

  /**
   * Runs `runOnce` in a loop until `stop()`. Errors (Postgres or Kafka away) are reported and
   * retried with backoff: the poll interval doubling up to 5 s, back to normal after a success.
   */
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

  /** Ends the current sleep: call it after committing new events for lower latency. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Finishes the batch in progress, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = null;
  }

  /**
   * Current checkpoint: the global_position of the last event handled, or of the newest settled
   * event of any stream type the relay skipped ahead to (0 before the first).
   */
  async position(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>(
      'select position from outbox_checkpoints where name = $1',
      [this.options.name],
    );
    return rows.length ? Number(rows[0].position) : 0;
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
