import type { Kafka, Producer, Message, ProducerConfig } from 'kafkajs';
import { CompressionTypes, Partitioners } from 'kafkajs';

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface PublisherOptions {
  /** Most records in one produce request. */
  maxBatchSize?: number;
  /**
   * Most value bytes in one produce request (default 512 KiB), below the broker's 1 MB
   * `message.max.bytes`: one coalesced batch that is too large would fail every caller in it.
   * A single record larger than this still goes alone, so only its own caller can fail.
   */
  maxBatchBytes?: number;
  /** A publish not acknowledged by then is rejected with PublishTimeoutError (the record may still land). */
  sendTimeoutMs?: number;
  compression?: 'none' | 'gzip';
  /**
   * `health()` turns false once records have waited this long without any acknowledgement
   * (default 10 s), so readiness can take the replica out of service while Kafka is not taking
   * its records.
   */
  unhealthyAfterMs?: number;
  /** The kafkajs idempotent producer, unsafe under failover (see `publisherProducerConfig`); for comparisons only. */
  idempotent?: boolean;
}

/** What `KafkaPublisher.health()` says; `reason` explains a false `ok` for /health/ready. */
export interface PublisherHealth {
  ok: boolean;
  reason?: string;
}

/**
 * The producer settings of `KafkaPublisher` (also what bench:kafka measures).
 *
 * Not idempotent, on purpose: kafkajs 2.2 rolls back the sequence numbers of every partition of a
 * produce request when one partition of it fails (kafkajs issue #598, the fix in PR #1050 was
 * never merged), although the broker wrote the others. The next records for those partitions then
 * reuse sequence numbers the broker already holds; it answers them as duplicates, kafkajs reports
 * success, and records acknowledged to chargers are never written (then OUT_OF_ORDER_SEQUENCE
 * forever). A coalesced request spans many partitions, so one leader change spreads it across the
 * cluster. Without idempotence a retry can only write a record twice, which the consumers absorb:
 * session-service derives its event ids from the envelope id (unique `event_id`), billing keeps
 * one charge per session (unique index). One request in flight keeps each partition's order.
 * `idempotent: true` is kept for the failover benchmark's comparison only.
 */
export function publisherProducerConfig(options: { idempotent?: boolean } = {}): ProducerConfig {
  return {
    idempotent: options.idempotent ?? false,
    maxInFlightRequests: 1,
    // murmur2 on the key, the same partition the Java client picks: per-key order holds across producers.
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
  };
}

export class PublishTimeoutError extends Error {
  constructor(ms: number) {
    super(`Kafka did not acknowledge the record within ${ms} ms`);
  }
}

interface Pending {
  record: OutgoingRecord;
  enqueuedAt: number;
  resolve: () => void;
  reject: (e: Error) => void;
  settled: boolean;
}

/**
 * acks=all producer (settings: `publisherProducerConfig`) that coalesces concurrent publishes into one `sendBatch`
 * (group commit): while one request is in flight, new records queue up and leave together in
 * the next one. A caller's promise resolves only when the broker acknowledged its record, so
 * "reply after durable" costs about one round trip however many callers wait at once.
 * One request in flight at a time keeps per-partition order without relying on client internals:
 * the next batch leaves only after the previous one was acknowledged or given up, so a retried
 * batch (kafkajs retries inside `sendBatch`) lands before anything published after it.
 * Each batch is a fresh request with no state carried over from a failed one, so a failed or
 * timed-out send never keeps the next one from going out.
 */
export class KafkaPublisher {
  private readonly producer: Producer;
  private readonly maxBatchSize: number;
  private readonly maxBatchBytes: number;
  private readonly sendTimeoutMs: number;
  private readonly compression: CompressionTypes;
  private readonly unhealthyAfterMs: number;
  private queue: Pending[] = [];
  private inFlight: Promise<void> | null = null;
  private inFlightCount = 0;
  /** Enqueue time of the oldest record published since the last acknowledgement; null when all are acknowledged. */
  private unackedSince: number | null = null;
  private lastFailureAt: number | null = null;
  private lastAck: number | null = null;
  private connected = false;
  /** The connection attempt under way, if any: batches sent meanwhile wait for it. */
  private connecting: Promise<void> | null = null;
  private closing = false;

  constructor(kafka: Kafka, options: PublisherOptions = {}) {
    this.maxBatchSize = options.maxBatchSize ?? 1000;
    this.maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 5000;
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.unhealthyAfterMs = options.unhealthyAfterMs ?? 10_000;
    this.producer = kafka.producer(publisherProducerConfig({ idempotent: options.idempotent }));
  }

  /**
   * One connection attempt. Records published while it is under way are not failed with "the
   * producer is disconnected": their batch waits for this attempt (each record still bounded by its
   * send timeout), so an app can listen before Kafka answers without turning its first CALLs away.
   */
  async connect(): Promise<void> {
    const attempt = this.producer.connect().then(() => {
      this.connected = true;
    });
    this.connecting = attempt;
    try {
      await attempt;
    } finally {
      if (this.connecting === attempt) this.connecting = null;
    }
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** When the broker last acknowledged a batch (epoch ms), null before the first. */
  get lastAckAt(): number | null {
    return this.lastAck;
  }

  /**
   * Not ok while records have waited longer than `unhealthyAfterMs` without an acknowledgement.
   * When every waiting record has failed and nothing new arrives, it stays not ok for
   * `unhealthyAfterMs` after the last failure and then says ok again: a replica taken out of
   * service gets traffic again to prove itself, instead of staying unready for lack of traffic.
   */
  health(now = Date.now()): PublisherHealth {
    if (this.unackedSince === null || now - this.unackedSince <= this.unhealthyAfterMs) return { ok: true };
    const waiting = this.queue.length + this.inFlightCount;
    if (waiting === 0 && (this.lastFailureAt === null || now - this.lastFailureAt > this.unhealthyAfterMs))
      return { ok: true };
    const since = Math.round((now - this.unackedSince) / 1000);
    return { ok: false, reason: `Kafka has acknowledged no record for ${since} s (${waiting} waiting)` };
  }

  isHealthy(now = Date.now()): boolean {
    return this.health(now).ok;
  }

  /** Resolves when the record is acknowledged by all in-sync replicas. */
  publish(record: OutgoingRecord): Promise<void> {
    if (this.closing) return Promise.reject(new Error('publisher is shutting down'));
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { record, enqueuedAt: Date.now(), resolve, reject, settled: false };
      this.unackedSince ??= pending.enqueuedAt;
      const timer = setTimeout(() => {
        if (pending.settled) return;
        pending.settled = true;
        reject(new PublishTimeoutError(this.sendTimeoutMs));
      }, this.sendTimeoutMs);
      pending.resolve = () => {
        clearTimeout(timer);
        if (!pending.settled) {
          pending.settled = true;
          resolve();
        }
      };
      pending.reject = (e) => {
        clearTimeout(timer);
        if (!pending.settled) {
          pending.settled = true;
          reject(e);
        }
      };
      this.queue.push(pending);
      this.pump();
    });
  }

  /** Publishes several records; resolves when all are acknowledged. */
  async publishAll(records: OutgoingRecord[]): Promise<void> {
    await Promise.all(records.map((r) => this.publish(r)));
  }

  private pump(): void {
    if (this.inFlight || this.queue.length === 0) return;
    // Timed-out records are still sent: the caller was told "unknown", and at-least-once is our contract.
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && count < this.maxBatchSize) {
      const size =
        Buffer.byteLength(this.queue[count].record.value) + Buffer.byteLength(this.queue[count].record.key);
      if (count > 0 && bytes + size > this.maxBatchBytes) break;
      bytes += size;
      count++;
    }
    const batch = this.queue.splice(0, count);
    this.inFlightCount = batch.length;
    this.inFlight = this.send(batch).finally(() => {
      this.inFlight = null;
      this.inFlightCount = 0;
      this.pump();
    });
  }

  private async send(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { record } of batch) {
      let messages = byTopic.get(record.topic);
      if (!messages) byTopic.set(record.topic, (messages = []));
      messages.push({ key: record.key, value: record.value, headers: record.headers });
    }
    try {
      // Between connection attempts the batch fails at once (as kafkajs would); during one it waits.
      if (!this.connected && this.connecting) await this.connecting;
      await this.producer.sendBatch({
        acks: -1,
        compression: this.compression,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      this.lastAck = Date.now();
      // Records queued behind this batch have not been acknowledged yet: the clock restarts at the oldest.
      this.unackedSince = this.queue[0]?.enqueuedAt ?? null;
      for (const p of batch) p.resolve();
    } catch (e) {
      this.lastFailureAt = Date.now();
      for (const p of batch) p.reject(e as Error);
    }
  }

  /** Waits for queued records, then disconnects. */
  async disconnect(): Promise<void> {
    this.closing = true;
    while (this.inFlight || this.queue.length > 0) {
      if (this.inFlight) await this.inFlight;
      else this.pump();
    }
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }
}
