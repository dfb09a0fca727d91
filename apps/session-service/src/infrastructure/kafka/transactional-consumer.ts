import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { parseEnvelope, type Envelope } from '@app/contracts';
import { claimBatch, claimIsOneStatement, inTransactionWithRetry, runAll } from '@app/event-store';
import { BatchConsumer, type KafkaPublisher } from '@app/kafka';
import { sessionMetrics } from '../metrics';
import { deadLetterTopicName } from '@app/contracts';

/** Upper bound of one partition's records folded in one Postgres transaction. */
export const MAX_RECORDS_PER_TRANSACTION = 500;
/** Upper bound of records of several partitions merged into one Postgres transaction. */
export const MAX_MERGED_RECORDS = 2000;
/**
 * A fetch is split into at least this many transactions (when it has that many chunks), run
 * concurrently: one folds in Node while another's statements run in Postgres.
 */
export const MERGED_TRANSACTIONS = 3;

export interface ParsedRecord {
  offset: string;
  key: string | null;
  /** null for a tombstone or a value that is not an envelope (logged, skipped). */
  envelope: Envelope | null;
}

export interface TransactionalConsumerOptions<R, P = undefined> {
  groupId: string;
  topics: string[];
  /**
   * Optional reads for `handle`, started in the same round trip as the offset claims (queued
   * behind them, so they run after the claims took their locks). It gets every record of the
   * transaction, a superset of what `handle` gets: it must only read, and read enough for any subset.
   */
  prepare?(client: PoolClient, topic: string, records: ParsedRecord[]): Promise<P>;
  /** Runs inside the batch's transaction, with only the records not processed before. */
  handle(client: PoolClient, topic: string, records: ParsedRecord[], prepared?: P): Promise<R>;
  /** After the transaction committed. */
  afterCommit?(result: R, topic: string): void;
  onInvalidRecord?(topic: string, partition: number, offset: string, error: Error): void;
  onError?(error: unknown): void;
  /** Group membership changes, consumer restarts, failed Kafka commits (logs). */
  onEvent?(message: string): void;
  deadLetter?: KafkaPublisher;
  sessionTimeoutMs?: number;
  /** Partitions folded in parallel by this member (each in its own transaction). */
  concurrency?: number;
}

/**
 * A batch consumer whose every batch is one Postgres transaction that also stores the partition's
 * next offset (consumer_offsets). Records below the stored offset are skipped, so a crash between
 * the commit to Postgres and the commit to Kafka doubles nothing; a crash before it loses nothing.
 */
export function transactionalConsumer<R, P = undefined>(
  kafka: Kafka,
  pool: Pool,
  options: TransactionalConsumerOptions<R, P>,
): BatchConsumer {
  const merger = new TransactionMerger(pool, options);
  return new BatchConsumer(kafka, {
    // Postgres holds the offsets (consumer_offsets, written with each batch); Kafka's commit is a hint.
    commitIntervalMs: 1000,
    partitionsConsumedConcurrently: options.concurrency,
    groupId: options.groupId,
    topics: options.topics,
    sessionTimeoutMs: options.sessionTimeoutMs,
    onError: (e) => options.onError?.(e),
    onEvent: options.onEvent,
    deadLetter: options.deadLetter
      ? { publisher: options.deadLetter, topicFor: deadLetterTopicName }
      : undefined,
    handleBatch: async ({ topic, partition, messages, heartbeat }) => {
      // Large fetches are folded in chunks, one transaction each, with a heartbeat in between, so
      // no transaction grows unbounded and the member never misses its session timeout (a member
      // that does is fenced, its Kafka commit fails, and the whole fetch comes back).
      for (let i = 0; i < messages.length; i += MAX_RECORDS_PER_TRANSACTION) {
        await merger.fold({ topic, partition, messages: messages.slice(i, i + MAX_RECORDS_PER_TRANSACTION) });
        // Best effort: during a rebalance this throws; the chunks must still all be folded (the
        // batch's Kafka commit covers all of them), and a fenced member's commit fails anyway.
        await heartbeat().catch(() => undefined);
      }
    },
  });
}

interface Chunk {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

interface Waiting extends Chunk {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: the chunks the consumer's concurrent partitions hand over in the same turn of the
 * event loop (one Kafka fetch) are folded in ONE Postgres transaction (per topic, up to
 * MAX_MERGED_RECORDS records), each partition's offset stored in it. One commit (one WAL flush)
 * and one set of set-based statements per fetch instead of one per partition. A charger's records
 * all live on one partition and each partition's records stay in order, so concatenating the
 * partitions' records folds the same. A chunk whose merged transaction failed is retried alone,
 * so a poison record holds back only its own partition (and, after the retries, goes to the DLQ).
 */
class TransactionMerger<R, P> {
  private queue: Waiting[] = [];
  private scheduled = false;
  private readonly failed = new Set<string>();

  constructor(
    private readonly pool: Pool,
    private readonly options: TransactionalConsumerOptions<R, P>,
  ) {}

  fold(chunk: Chunk): Promise<void> {
    const key = chunkKey(chunk);
    if (this.failed.has(key)) {
      return this.run([chunk]).then(
        () => void this.failed.delete(key),
        (e) => Promise.reject(e),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...chunk, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // kafkajs hands a fetch's batches to its workers in one go: wait for the I/O turn to end.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const waiting = this.queue;
    this.queue = [];
    const groups: Waiting[][] = [];
    const byTopic = new Map<string, Waiting[]>();
    for (const w of waiting) byTopic.set(w.topic, [...(byTopic.get(w.topic) ?? []), w]);
    for (const list of byTopic.values()) {
      list.sort((a, b) => a.partition - b.partition); // a fixed lock order on consumer_offsets
      const total = list.reduce((n, w) => n + w.messages.length, 0);
      const target = Math.min(MAX_MERGED_RECORDS, Math.ceil(total / MERGED_TRANSACTIONS));
      let group: Waiting[] = [];
      let size = 0;
      for (const w of list) {
        if (group.length > 0 && size + w.messages.length > target) {
          groups.push(group);
          group = [];
          size = 0;
        }
        group.push(w);
        size += w.messages.length;
      }
      if (group.length > 0) groups.push(group);
    }
    for (const group of groups) {
      this.run(group).then(
        () => group.forEach((w) => w.resolve()),
        (e) => {
          if (group.length > 1) for (const w of group) this.failed.add(chunkKey(w));
          group.forEach((w) => w.reject(e));
        },
      );
    }
  }

  /** One transaction: claim every chunk's partition (offsets), fold the fresh records, commit. */
  private async run(chunks: Chunk[]): Promise<void> {
    const { pool, options } = this;
    const topic = chunks[0].topic;
    let result: R | undefined;
    let handled = false;
    const stopTimer = sessionMetrics.batchSeconds.startTimer({ topic });
    // Parsing is pure: once, before any attempt.
    const parsed = new Map<KafkaMessage, ParsedRecord>();
    for (const c of chunks)
      for (const m of c.messages) parsed.set(m, parse(m, c.topic, c.partition, options));
    const all = [...parsed.values()];
    await inTransactionWithRetry(pool, async (client) => {
      handled = false;
      const claims = () =>
        runAll(
          client,
          chunks.map((c) => () => claimBatch(client, options.groupId, c.topic, c.partition, c.messages)),
        );
      let claimed: KafkaMessage[][];
      let prepared: P | undefined;
      if (
        options.prepare &&
        chunks.every((c) => claimIsOneStatement(options.groupId, c.topic, c.partition))
      ) {
        // begin, the claims and the reads leave together: one round trip instead of two.
        [claimed, prepared] = await runAll(client, [claims, () => options.prepare!(client, topic, all)]);
      } else {
        claimed = await claims();
        if (options.prepare) prepared = await options.prepare(client, topic, all);
      }
      const fresh = claimed.flatMap((ms) => ms.map((m) => parsed.get(m)!));
      if (fresh.length === 0) return;
      result = await options.handle(client, topic, fresh, prepared);
      handled = true;
    });
    stopTimer();
    if (handled) options.afterCommit?.(result as R, topic);
  }
}

const chunkKey = (c: Chunk) => `${c.topic}\u0000${c.partition}\u0000${c.messages[0]?.offset}`;

function parse<R, P>(
  m: KafkaMessage,
  topic: string,
  partition: number,
  options: TransactionalConsumerOptions<R, P>,
): ParsedRecord {
  const key = m.key ? m.key.toString('utf8') : null;
  if (m.value === null) return { offset: m.offset, key, envelope: null };
  try {
    return { offset: m.offset, key, envelope: parseEnvelope(m.value) };
  } catch (e) {
    options.onInvalidRecord?.(topic, partition, m.offset, e as Error);
    return { offset: m.offset, key, envelope: null };
  }
}
