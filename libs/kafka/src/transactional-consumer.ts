import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { deadLetterTopicName, parseEnvelope, type Envelope } from '@app/contracts';
import { claimBatch, claimIsOneStatement, inTransactionWithRetry, runAll } from '@app/event-store';
import { BatchConsumer, publishDeadLetter, type BatchErrorInfo } from './consumer';
import type { KafkaPublisher } from './publisher';

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
  partition: number;
  offset: string;
  key: string | null;
  /** The record's bytes as they came (null for a tombstone). */
  value: Buffer | null;
  /** null for a tombstone or a value that is not an envelope (see `unreadable`). */
  envelope: Envelope | null;
  /** Why `envelope` is null: the parse error, or that it is a tombstone. */
  unreadable?: string;
}

export interface TransactionalConsumerOptions<R, P = undefined> {
  groupId: string;
  topics: string[];
  /** Where a new group starts (default: the beginning of each partition). */
  fromBeginning?: boolean;
  /**
   * The edge check of every envelope (e.g. libs/contracts `createEnvelopeValidator()`): the
   * problems it returns, if any, send the record to the dead-letter topic with them as the reason
   * (header `x-dead-letter-reason`), and `handle` never sees it. The record's offset is stored
   * with the batch like any other, after the dead-letter publish succeeded, so an invalid record
   * is parked once (at least once: a batch retried after the publish parks it again) and never
   * lost. Requires `deadLetter`.
   */
  validate?(envelope: Envelope, topic: string): string[];
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
  /** A record that is not an envelope (it reaches `handle` with `envelope: null`). */
  onInvalidRecord?(topic: string, partition: number, offset: string, error: Error): void;
  /** Every failed attempt of a batch (logs); transient ones are retried for as long as they last. */
  onError?(error: unknown, info: BatchErrorInfo): void;
  /** Group membership changes, consumer restarts, failed Kafka commits (logs). */
  onEvent?(message: string): void;
  /** Times each transaction (metrics): called at its start, the returned function at its end. */
  timeTransaction?(topic: string): () => void;
  /**
   * Where a record that fails `validate`, or still fails alone after the retries, goes (topic
   * `<topic>.dlq`). Without it, such a record stalls its partition (nothing is lost).
   */
  deadLetter?: KafkaPublisher;
  sessionTimeoutMs?: number;
  /** Partitions folded in parallel by this member (each in its own transaction). */
  concurrency?: number;
  /** See BatchConsumerOptions (tests shorten them). */
  maxAttempts?: number;
  retryBackoffMs?: number;
}

/**
 * The one transactional consumer of the services: a BatchConsumer (eachBatch, retries with
 * backoff, transient errors retried without limit, poison records to the dead-letter topic, the
 * supervisor) whose every batch is one Postgres transaction that also stores the partition's next
 * offset (consumer_offsets). Records below the stored offset are skipped, so a crash between the
 * commit to Postgres and the commit to Kafka doubles nothing; a crash before it loses nothing.
 */
export function transactionalConsumer<R, P = undefined>(
  kafka: Kafka,
  pool: Pool,
  options: TransactionalConsumerOptions<R, P>,
): BatchConsumer {
  if (options.validate && !options.deadLetter)
    throw new Error(`consumer ${options.groupId}: validate needs a dead-letter publisher`);
  const merger = new TransactionMerger(pool, options);
  return new BatchConsumer(kafka, {
    // Postgres holds the offsets (consumer_offsets, written with each batch); Kafka's commit is a hint.
    commitIntervalMs: 1000,
    partitionsConsumedConcurrently: options.concurrency,
    groupId: options.groupId,
    topics: options.topics,
    fromBeginning: options.fromBeginning,
    sessionTimeoutMs: options.sessionTimeoutMs,
    maxAttempts: options.maxAttempts,
    retryBackoffMs: options.retryBackoffMs,
    onError: (e, info) => options.onError?.(e, info),
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

/** A record as parsed once, before any attempt; `rejected` holds the problems `validate` found. */
interface Checked {
  record: ParsedRecord;
  message: KafkaMessage;
  rejected: string[] | null;
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
    const stopTimer = options.timeTransaction?.(topic);
    // Parsing and validation are pure: once, before any attempt.
    const checked = new Map<KafkaMessage, Checked>();
    for (const c of chunks)
      for (const m of c.messages) checked.set(m, check(m, c.topic, c.partition, options));
    const all = [...checked.values()].filter((x) => !x.rejected).map((x) => x.record);
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
      const fresh = claimed.flatMap((ms) => ms.map((m) => checked.get(m)!));
      // Parked before the offsets that skip them commit: a failed publish fails the transaction.
      for (const x of fresh.filter((f) => f.rejected)) {
        await publishDeadLetter(
          { publisher: options.deadLetter!, topicFor: deadLetterTopicName },
          options.groupId,
          topic,
          x.record.partition,
          x.message,
          `invalid envelope: ${x.rejected!.join('; ')}`,
        );
      }
      const valid = fresh.filter((f) => !f.rejected).map((f) => f.record);
      if (valid.length === 0) return;
      result = await options.handle(client, topic, valid, prepared);
      handled = true;
    });
    stopTimer?.();
    if (handled) options.afterCommit?.(result as R, topic);
  }
}

const chunkKey = (c: Chunk) => `${c.topic}\u0000${c.partition}\u0000${c.messages[0]?.offset}`;

function check<R, P>(
  m: KafkaMessage,
  topic: string,
  partition: number,
  options: TransactionalConsumerOptions<R, P>,
): Checked {
  const base = { partition, offset: m.offset, key: m.key ? m.key.toString('utf8') : null, value: m.value };
  if (m.value === null) {
    return {
      message: m,
      rejected: null,
      record: { ...base, envelope: null, unreadable: 'record has no value (tombstone)' },
    };
  }
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(m.value);
  } catch (e) {
    options.onInvalidRecord?.(topic, partition, m.offset, e as Error);
    return {
      message: m,
      rejected: null,
      record: { ...base, envelope: null, unreadable: (e as Error).message },
    };
  }
  const problems = options.validate?.(envelope, topic) ?? [];
  return { message: m, rejected: problems.length > 0 ? problems : null, record: { ...base, envelope } };
}
