import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { KafkaPublisher } from './publisher';
import { backoffMs, ProgressWatchdog, type ConsumerHealth } from './supervision';

export interface BatchContext {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  heartbeat(): Promise<void>;
}

export interface BatchErrorInfo {
  topic: string;
  partition: number;
  offset: string;
  attempt: number;
}

/** Where records that can never be processed go, and what names the topic. */
export interface DeadLetterTarget {
  publisher: KafkaPublisher;
  topicFor(topic: string): string;
}

/**
 * Parks one record in the dead-letter topic: its key and bytes unchanged, where it came from in
 * `x-original-*` headers, and why in `x-dead-letter-reason`.
 */
export async function publishDeadLetter(
  target: DeadLetterTarget,
  groupId: string,
  topic: string,
  partition: number,
  message: KafkaMessage,
  reason: string,
): Promise<void> {
  await target.publisher.publish({
    topic: target.topicFor(topic),
    key: message.key?.toString('utf8') ?? '',
    value: message.value ?? '',
    headers: {
      'x-original-topic': topic,
      'x-original-partition': String(partition),
      'x-original-offset': message.offset,
      'x-consumer-group': groupId,
      // Header values are bytes on the wire; a reason is for people, so a bounded one will do.
      'x-dead-letter-reason': reason.slice(0, 2000),
    },
  });
}

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /**
   * Processes a whole batch of one partition. Resolve only when its effect is durable:
   * the offsets are committed to Kafka after it. Must be idempotent (redelivery happens).
   */
  handleBatch(ctx: BatchContext): Promise<void>;
  /** Attempts per batch before it is split into single records (default 5). */
  maxAttempts?: number;
  retryBackoffMs?: number;
  /**
   * Where a single record that still fails after `maxAttempts` goes, so it cannot stall its
   * partition. Without it, the consumer keeps retrying (the partition stalls, nothing is lost).
   */
  deadLetter?: DeadLetterTarget;
  onError?(error: unknown, info: BatchErrorInfo): void;
  /** Group membership changes, restarts and Kafka commit failures (logs). */
  onEvent?(message: string): void;
  /**
   * Errors that say nothing about the record (database or broker unreachable, deadlock...): they
   * are retried for as long as it takes, never counted towards `maxAttempts` and never
   * dead-lettered, so an outage stalls the partition instead of losing records. Default:
   * `isTransientError`.
   */
  isTransient?(error: unknown): boolean;
  /**
   * How long the broker keeps a silent member (default 10 s). kafkajs has no static membership, so
   * a member killed with SIGKILL holds its partitions this long; the restarted process joins anew.
   */
  sessionTimeoutMs?: number;
  /**
   * A consumer that is not a member of its group, or knows of waiting records and finished no
   * batch, for this long (default: session timeout + 10 s) is unhealthy (readiness 503) and, when
   * no batch is in progress, replaced by a new kafkajs consumer.
   */
  stallMs?: number;
  maxBytesPerPartition?: number;
  /** Partitions processed in parallel by this member (each batch still one partition, in order). */
  partitionsConsumedConcurrently?: number;
  /**
   * Finished offsets are committed to Kafka every this many ms (default 1000) and at stop, in the
   * background: a commit that fails (coordinator moved, rebalance) never holds up processing. The
   * commit only says where a restarted member starts reading; consumers that store their offsets
   * with their effects (Postgres) skip what they already processed.
   */
  commitIntervalMs?: number;
  /** Bound of one Kafka commit (default 5 s); a slower one is abandoned and the next one tries again. */
  commitTimeoutMs?: number;
  /** Backoff between restarts of the kafkajs consumer (default 500 ms doubling up to 30 s). */
  restartBackoff?: { initialMs: number; maxMs: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Postgres SQLSTATE classes/codes and socket errors that a retry can cure. 57014 (statement
 * timeout) and 25P03 (idle-in-transaction timeout) mean a slow or overloaded database, not a bad
 * record: dead-lettering a SessionCompleted for them would leave a session unbilled.
 */
const TRANSIENT_PG = /^(08|53|57P0[1-3]|57014|25P03|40001|40P01|55P03)/;
const TRANSIENT_NET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TRANSIENT_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down)|terminating connection due to administrator command|Client was closed and is not queryable|Cannot use a pool after calling end/i;

/** True for failures of the infrastructure rather than of the record (see `isTransient`). */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; retriable?: unknown; message?: unknown; name?: unknown };
  if (typeof e.code === 'string' && (TRANSIENT_PG.test(e.code) || TRANSIENT_NET.has(e.code))) return true;
  if (e.retriable === true) return true; // kafkajs marks retriable broker errors
  if (
    typeof e.name === 'string' &&
    /^KafkaJS(Connection|RequestTimeout|NumberOfRetriesExceeded)/.test(e.name)
  )
    return true;
  return typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message);
}

/**
 * `eachBatch` consumer with bounded retries, a dead-letter topic and a supervisor.
 * The Nest Kafka transport handles one message at a time and a poison message can stall a
 * partition forever; this handles whole batches and parks poison records in `<topic>.dlq`.
 *
 * Healing: `start()` never fails. It (re)creates the kafkajs consumer with backoff whenever it
 * cannot connect, crashes without restarting itself, or the watchdog finds it stalled (not a
 * member, or records waiting and no progress, for `stallMs`). Kafka commits run in the background
 * with a timeout, so a coordinator that moved cannot hold up processing.
 */
export class BatchConsumer {
  private consumer: Consumer | null = null;
  private running = false;
  private generation = 0;
  private restarts = 0;
  /** Replacements since the last group join: the backoff grows with these, not with the lifetime total. */
  private replacesSinceJoin = 0;
  private readonly watchdog: ProgressWatchdog;
  private readonly stallMs: number;
  private readonly heartbeatIntervalMs: number;
  private watchdogTimer: NodeJS.Timeout | null = null;
  private supervising: Promise<void> | null = null;
  private readonly pending = new Map<string, { topic: string; partition: number; offset: string }>();
  private commitTimer: NodeJS.Timeout | null = null;
  private committing: Promise<void> | null = null;
  private replacing = false;
  private launching = false;
  private firstJoin!: () => void;
  private readonly joinedOnce = new Promise<void>((resolve) => (this.firstJoin = resolve));
  private firstFetch!: () => void;
  private readonly fetchedOnce = new Promise<void>((resolve) => (this.firstFetch = resolve));

  constructor(
    private readonly kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
    this.stallMs = options.stallMs ?? sessionTimeout + 10_000;
    this.heartbeatIntervalMs = Math.max(500, Math.min(3000, Math.floor(sessionTimeout / 3)));
    this.watchdog = new ProgressWatchdog(this.stallMs, Date.now());
  }

  get isRunning(): boolean {
    return this.running;
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /** Whether the consumer can make progress (readiness); see `ProgressWatchdog`. */
  health(now = Date.now()): ConsumerHealth {
    if (!this.running) return { ok: false, reason: 'not running', restart: false };
    return this.watchdog.health(now);
  }

  /**
   * Resolves once a member of the group fetched for the first time: its start positions are
   * resolved, so a record produced after this is seen even with `fromBeginning: false`.
   */
  whenFetching(): Promise<void> {
    return this.fetchedOnce;
  }

  /** How often the kafkajs consumer was replaced since start (tests, metrics). */
  get restartCount(): number {
    return this.restarts;
  }

  /**
   * Starts consuming in the background and returns a promise of the first group join. Apps do not
   * wait for it (they listen at once; a join can take a session timeout); tests do.
   */
  start(): Promise<void> {
    if (this.running) return this.joinedOnce;
    this.running = true;
    const interval = this.options.commitIntervalMs ?? 1000;
    this.commitTimer = setInterval(() => void this.flushCommits(), interval);
    this.commitTimer.unref();
    this.watchdogTimer = setInterval(() => this.checkProgress(), 1000);
    this.watchdogTimer.unref();
    this.supervising = this.launch();
    return this.joinedOnce;
  }

  /** Creates, connects and runs a kafkajs consumer, retrying with backoff until it runs (or stop). */
  private async launch(): Promise<void> {
    this.launching = true;
    // Once per launch, not per attempt: a broker that stays unreachable shows as a stall.
    this.watchdog.started(Date.now());
    try {
      await this.launchAttempts();
    } finally {
      this.launching = false;
    }
  }

  private async launchAttempts(): Promise<void> {
    for (let attempt = 1; this.running; attempt++) {
      const generation = ++this.generation;
      const consumer = this.create(generation);
      this.consumer = consumer;
      try {
        await consumer.connect();
        for (const topic of this.options.topics) {
          await consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
        }
        if (!this.running || generation !== this.generation) {
          await consumer.disconnect().catch(() => undefined); // stopped while it connected
          return;
        }
        await this.run(consumer, generation);
        return; // kafkajs restarts itself on retriable crashes; the CRASH listener covers the rest
      } catch (error) {
        this.options.onEvent?.(
          `consumer ${this.options.groupId} failed to start: ${(error as Error).message}`,
        );
        await consumer.disconnect().catch(() => undefined);
        if (!this.running) return;
        await sleep(backoffMs(attempt, this.restartPolicy(), Math.random()));
      }
    }
  }

  private restartPolicy() {
    return this.options.restartBackoff ?? { initialMs: 500, maxMs: 30_000 };
  }

  private create(generation: number): Consumer {
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout,
      // The broker waits this long for live members to rejoin during a rebalance; a member busy with
      // a batch rejoins when it ends (batches are bounded: transactional consumers chunk them).
      rebalanceTimeout: Math.max(2 * sessionTimeout, 20_000),
      heartbeatInterval: this.heartbeatIntervalMs,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 1048576,
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
    });
    const current = () => generation === this.generation;
    const e = consumer.events;
    let joined = false;
    consumer.on(e.GROUP_JOIN, () => {
      if (!current()) return;
      joined = true;
      this.replacesSinceJoin = 0;
      this.watchdog.joinedGroup(Date.now());
      this.firstJoin();
    });
    consumer.on(e.FETCH, () => {
      if (joined && current()) this.firstFetch();
    });
    consumer.on(e.REBALANCING, () => current() && this.watchdog.leftGroup(Date.now()));
    consumer.on(e.STOP, () => current() && this.watchdog.leftGroup(Date.now()));
    consumer.on(e.CRASH, (event) => {
      if (!current()) return;
      this.watchdog.leftGroup(Date.now());
      const { error, restart } = event.payload as { error: Error; restart: boolean };
      this.options.onEvent?.(
        `consumer ${this.options.groupId} crashed (${restart ? 'kafkajs restarts it' : 'replacing it'}): ${error.message}`,
      );
      if (!restart) void this.replace('crashed without restart');
    });
    return consumer;
  }

  private checkProgress(): void {
    if (!this.running) return;
    const health = this.watchdog.health(Date.now());
    if (health.restart) void this.replace(health.reason ?? 'stalled');
  }

  /** Drops the current kafkajs consumer and starts a new one (new connections, coordinator lookup, join). */
  private async replace(reason: string): Promise<void> {
    // A launch in progress already retries with backoff until its consumer runs.
    if (this.replacing || this.launching || !this.running) return;
    this.replacing = true;
    try {
      this.restarts++;
      this.replacesSinceJoin++;
      this.options.onEvent?.(
        `consumer ${this.options.groupId}: ${reason}; replacing it (restart ${this.restarts})`,
      );
      const old = this.consumer;
      this.generation++; // the old consumer's events and batches no longer count
      await this.supervising?.catch(() => undefined);
      if (old) await withTimeout(old.disconnect(), 10_000).catch(() => undefined);
      await sleep(backoffMs(this.replacesSinceJoin, this.restartPolicy(), Math.random()));
      if (this.running) this.supervising = this.launch();
    } finally {
      this.replacing = false;
    }
  }

  private async run(consumer: Consumer, generation: number): Promise<void> {
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        const key = `${batch.topic}\u0000${batch.partition}`;
        const alive = () => isRunning() && !isStale() && generation === this.generation;
        if (batch.messages.length === 0) {
          if (generation === this.generation)
            this.watchdog.fetched(key, batch.highWatermark, batch.highWatermark);
          return;
        }
        if (generation !== this.generation) return; // replaced: kafkajs redelivers to the new member
        this.watchdog.fetched(key, batch.messages[0].offset, batch.highWatermark);
        this.watchdog.batchStarted();
        let done: string | undefined;
        // A batch may outlast the session timeout (a big fetch, a slow database): keep the member
        // alive meanwhile. kafkajs sends at most one heartbeat per heartbeat interval.
        const keepAlive = setInterval(
          () => void heartbeat().catch(() => undefined),
          this.heartbeatIntervalMs,
        );
        try {
          const ctx = { topic: batch.topic, partition: batch.partition, heartbeat };
          const failure = await this.attempt(ctx, batch.messages, alive);
          if (failure) {
            // Split so that one poison record does not hold back the others.
            for (const message of batch.messages) {
              if (!alive()) return;
              const single = await this.attempt(ctx, [message], alive);
              if (single) await this.deadLetter(batch.topic, batch.partition, message, single.error);
            }
          }
          const last = batch.messages[batch.messages.length - 1].offset;
          // kafkajs takes the next fetch position from *resolved* offsets, not committed ones: without
          // this, every fetch restarts at the assignment's first offset and, once more than a fetch
          // worth of records lies beyond it, the partition never advances.
          resolveOffset(last);
          done = (BigInt(last) + 1n).toString();
          if (generation === this.generation)
            this.pending.set(key, { topic: batch.topic, partition: batch.partition, offset: done });
          // Stopping: kafkajs leaves the group right after this batch, so commit now or never.
          if (!this.running) await this.flushCommits();
        } finally {
          clearInterval(keepAlive);
          if (generation === this.generation) this.watchdog.batchEnded(Date.now(), key, done);
        }
      },
    });
  }

  /** Resolves null once the handler succeeded, or with the last error after `maxAttempts` failures. */
  private async attempt(
    ctx: Omit<BatchContext, 'messages'>,
    messages: KafkaMessage[],
    alive: () => boolean,
  ): Promise<{ error: unknown } | null> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const backoff = this.options.retryBackoffMs ?? 200;
    const transient = this.options.isTransient ?? isTransientError;
    let failures = 0; // of the record's own kind; transient ones do not count
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handleBatch({ ...ctx, messages });
        return null;
      } catch (error) {
        this.options.onError?.(error, {
          topic: ctx.topic,
          partition: ctx.partition,
          offset: messages[0].offset,
          attempt,
        });
        if (!alive()) throw error; // rebalancing, replaced or stopping: let kafkajs redeliver
        if (!transient(error) && ++failures >= maxAttempts) return { error };
        await sleep(backoffMs(attempt, { initialMs: backoff, maxMs: 5000 }, Math.random()));
        // Stay in the group while waiting out an outage.
        await ctx.heartbeat().catch(() => undefined);
      }
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
  ): Promise<void> {
    const dl = this.options.deadLetter;
    if (!dl) {
      // No dead-letter topic: never skip a record; keep retrying until it succeeds or we stop.
      throw new Error(
        `record ${topic}[${partition}]@${message.offset} failed and no dead-letter topic is configured`,
      );
    }
    const reason = `failed ${this.options.maxAttempts ?? 5} times: ${(error as Error)?.message ?? String(error)}`;
    await publishDeadLetter(dl, this.options.groupId, topic, partition, message, reason);
  }

  /** One commit at a time, bounded; its failure is logged and forgotten (the next one carries newer offsets). */
  private async flushCommits(): Promise<void> {
    // After the commit in progress, so offsets stored meanwhile are not left behind.
    while (this.committing) await this.committing;
    const consumer = this.consumer;
    if (this.pending.size === 0 || !consumer) return Promise.resolve();
    const offsets = [...this.pending.values()];
    this.pending.clear();
    this.committing = withTimeout(consumer.commitOffsets(offsets), this.options.commitTimeoutMs ?? 5000)
      .catch((e) => {
        // Rebalancing, the coordinator moved, or the partition is another member's now: its owner
        // starts from the last commit and skips what the stored offsets say is done.
        this.options.onEvent?.(
          `consumer ${this.options.groupId}: Kafka commit failed: ${(e as Error).message}`,
        );
      })
      .finally(() => (this.committing = null));
    await this.committing;
  }

  /** Finishes the batch in progress (and its commit), then leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.commitTimer) clearInterval(this.commitTimer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    const consumer = this.consumer;
    // kafkajs' stop() leaves the group, after which a commit is refused: commit what is done now,
    // and the batches still in progress commit their own at their end (see run).
    await this.flushCommits();
    if (consumer) {
      await withTimeout(consumer.stop(), 30_000).catch(() => undefined); // waits for the batches in progress
      // A clean leave: the group rebalances at once instead of waiting a session timeout.
      await withTimeout(consumer.disconnect(), 10_000).catch(() => undefined);
    }
    // A launch still trying an unreachable broker ends at its next attempt; do not wait for kafkajs' retries.
    if (this.supervising) await withTimeout(this.supervising, 5000).catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}
