import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { KafkaPublisher } from './publisher';

export interface BatchContext {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  heartbeat(): Promise<void>;
}

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /**
   * Processes a whole batch of one partition. Resolve only when its effect is durable:
   * the offsets are committed to Kafka right after. Must be idempotent (redelivery happens).
   */
  handleBatch(ctx: BatchContext): Promise<void>;
  /** Attempts per batch before it is split into single records (default 5). */
  maxAttempts?: number;
  retryBackoffMs?: number;
  /**
   * Where a single record that still fails after `maxAttempts` goes, so it cannot stall its
   * partition. Without it, the consumer keeps retrying (the partition stalls, nothing is lost).
   */
  deadLetter?: { publisher: KafkaPublisher; topicFor(topic: string): string };
  onError?(error: unknown, info: { topic: string; partition: number; offset: string; attempt: number }): void;
  /**
   * Errors that say nothing about the record (database or broker unreachable, deadlock...): they
   * are retried for as long as it takes, never counted towards `maxAttempts` and never
   * dead-lettered, so an outage stalls the partition instead of losing records. Default:
   * `isTransientError`.
   */
  isTransient?(error: unknown): boolean;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /** Partitions processed in parallel by this member (each batch still one partition, in order). */
  partitionsConsumedConcurrently?: number;
  /**
   * 0 (default): commit to Kafka right after each batch. > 0: commit finished offsets every this
   * many ms and at stop — for consumers that store their offsets with their effects (Postgres is
   * the truth; Kafka's commit only says where a restarted member starts reading).
   */
  commitIntervalMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Postgres SQLSTATE classes/codes and socket errors that a retry can cure. */
const TRANSIENT_PG = /^(08|53|57P0[1-3]|40001|40P01|55P03)/;
const TRANSIENT_NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const TRANSIENT_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down)/i;

/** True for failures of the infrastructure rather than of the record (see `isTransient`). */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; retriable?: unknown; message?: unknown; name?: unknown };
  if (typeof e.code === 'string' && (TRANSIENT_PG.test(e.code) || TRANSIENT_NET.has(e.code))) return true;
  if (e.retriable === true) return true; // kafkajs marks retriable broker errors
  if (typeof e.name === 'string' && /^KafkaJS(Connection|RequestTimeout|NumberOfRetriesExceeded)/.test(e.name)) return true;
  return typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message);
}

/**
 * `eachBatch` consumer with explicit commits, bounded retries and a dead-letter topic.
 * The Nest Kafka transport handles one message at a time and a poison message can stall a
 * partition forever; this handles whole batches and parks poison records in `<topic>.dlq`.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private running = false;
  private readonly pending = new Map<string, { topic: string; partition: number; offset: string }>();
  private commitTimer: NodeJS.Timeout | null = null;

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1048576,
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.options.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    this.running = true;
    const interval = this.options.commitIntervalMs ?? 0;
    if (interval > 0) this.commitTimer = setInterval(() => void this.flushCommits(), interval);
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        if (batch.messages.length === 0) return;
        const ctx = { topic: batch.topic, partition: batch.partition, heartbeat };
        const ok = await this.attempt(ctx, batch.messages, () => isRunning() && !isStale());
        if (!ok) {
          // Split so that one poison record does not hold back the others.
          for (const message of batch.messages) {
            if (!isRunning() || isStale()) return;
            const single = await this.attempt(ctx, [message], () => isRunning() && !isStale());
            if (!single) await this.deadLetter(batch.topic, batch.partition, message);
          }
        }
        const last = batch.messages[batch.messages.length - 1].offset;
        // kafkajs takes the next fetch position from *resolved* offsets, not committed ones: without
        // this, every fetch restarts at the assignment's first offset and, once more than a fetch
        // worth of records lies beyond it, the partition never advances.
        resolveOffset(last);
        const next = { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() };
        if (interval > 0) this.pending.set(`${batch.topic}\u0000${batch.partition}`, next);
        else await this.consumer.commitOffsets([next]);
      },
    });
  }

  private async attempt(
    ctx: Omit<BatchContext, 'messages'>,
    messages: KafkaMessage[],
    alive: () => boolean,
  ): Promise<boolean> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const backoff = this.options.retryBackoffMs ?? 200;
    const transient = this.options.isTransient ?? isTransientError;
    let failures = 0; // of the record's own kind; transient ones do not count
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handleBatch({ ...ctx, messages });
        return true;
      } catch (error) {
        this.options.onError?.(error, { topic: ctx.topic, partition: ctx.partition, offset: messages[0].offset, attempt });
        if (!alive()) throw error; // rebalancing or stopping: let kafkajs redeliver, commit nothing
        if (!transient(error) && ++failures >= maxAttempts) return false;
        await sleep(Math.min(backoff * 2 ** Math.min(attempt - 1, 10), 5000));
        // Stay in the group while waiting out an outage.
        await ctx.heartbeat().catch(() => undefined);
      }
    }
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const dl = this.options.deadLetter;
    if (!dl) {
      // No dead-letter topic: never skip a record; keep retrying until it succeeds or we stop.
      throw new Error(`record ${topic}[${partition}]@${message.offset} failed and no dead-letter topic is configured`);
    }
    const headers: Record<string, string> = {
      'x-original-topic': topic,
      'x-original-partition': String(partition),
      'x-original-offset': message.offset,
      'x-consumer-group': this.options.groupId,
    };
    await dl.publisher.publish({
      topic: dl.topicFor(topic),
      key: message.key?.toString('utf8') ?? '',
      value: message.value ?? '',
      headers,
    });
  }

  private async flushCommits(): Promise<void> {
    if (this.pending.size === 0) return;
    const offsets = [...this.pending.values()];
    this.pending.clear();
    try {
      await this.consumer.commitOffsets(offsets);
    } catch {
      // Rebalancing, or the partition moved: its new owner reads from the last commit, and a
      // consumer using interval commits skips what it already stored by its own offsets.
    }
  }

  /** Finishes the batch in progress (and its commit), then leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.commitTimer) clearInterval(this.commitTimer);
    await this.flushCommits();
    await this.consumer.stop(); // waits for the batches in progress
    await this.flushCommits();
    await this.consumer.disconnect();
  }
}
