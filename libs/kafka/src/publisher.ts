import type { Kafka, Producer, Message } from 'kafkajs';
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
}

export class PublishTimeoutError extends Error {
  constructor(ms: number) {
    super(`Kafka did not acknowledge the record within ${ms} ms`);
  }
}

interface Pending {
  record: OutgoingRecord;
  resolve: () => void;
  reject: (e: Error) => void;
  settled: boolean;
}

/**
 * Idempotent, acks=all producer that coalesces concurrent publishes into one `sendBatch`
 * (group commit): while one request is in flight, new records queue up and leave together in
 * the next one. A caller's promise resolves only when the broker acknowledged its record, so
 * "reply after durable" costs about one round trip however many callers wait at once.
 * One request in flight at a time keeps per-partition order without relying on client internals.
 */
export class KafkaPublisher {
  private readonly producer: Producer;
  private readonly maxBatchSize: number;
  private readonly maxBatchBytes: number;
  private readonly sendTimeoutMs: number;
  private readonly compression: CompressionTypes;
  private queue: Pending[] = [];
  private inFlight: Promise<void> | null = null;
  private connected = false;
  private closing = false;

  constructor(kafka: Kafka, options: PublisherOptions = {}) {
    this.maxBatchSize = options.maxBatchSize ?? 1000;
    this.maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 5000;
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // murmur2 on the key, the same partition the Java client picks: per-key order holds across producers.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Resolves when the record is acknowledged by all in-sync replicas. */
  publish(record: OutgoingRecord): Promise<void> {
    if (this.closing) return Promise.reject(new Error('publisher is shutting down'));
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { record, resolve, reject, settled: false };
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
      const size = Buffer.byteLength(this.queue[count].record.value) + Buffer.byteLength(this.queue[count].record.key);
      if (count > 0 && bytes + size > this.maxBatchBytes) break;
      bytes += size;
      count++;
    }
    const batch = this.queue.splice(0, count);
    this.inFlight = this.send(batch).finally(() => {
      this.inFlight = null;
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
      await this.producer.sendBatch({
        acks: -1,
        compression: this.compression,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      for (const p of batch) p.resolve();
    } catch (e) {
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
