import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { Counter } from 'prom-client';
import { deadLetterTopicName, topicName } from '@app/contracts';
import { inTransactionWithRetry, processBatchOnce } from '@app/event-store';
import { BatchConsumer, KAFKA_CLIENT, KafkaPublisher } from '@app/kafka';
import { metricsRegistry } from '@app/observability';
import { recordSessionEvents } from '../application/record-session-events';
import { BILLING_SERVICE_CONFIG, type BillingServiceConfig } from '../config';
import { PG_POOL } from './database/pool';
import { BillingOutbox } from './outbox';

/** The consumer group; a topic prefix (tests, shared clusters) namespaces it like the topics. */
export const sessionsGroupId = (prefix: string) => `${prefix}billing-service.sessions`;

const charged = new Counter({
  name: 'billing_charges_total',
  help: 'Charges stored from SessionCompleted',
  registers: [metricsRegistry],
});
const anomalies = new Counter({
  name: 'billing_anomalies_total',
  help: 'Session records that produced an anomaly instead of a charge',
  registers: [metricsRegistry],
});
const duplicates = new Counter({
  name: 'billing_redelivered_sessions_total',
  help: 'SessionCompleted already billed (redelivery)',
  registers: [metricsRegistry],
});

/**
 * Creates the consumer of `charging.sessions.v1`. Each batch is one Postgres transaction: the
 * charges, anomalies, outbox events and the partition's next offset commit together, so a crash at
 * any point neither loses a bill nor books one twice; the Kafka commit afterwards is only a hint.
 */
export function createSessionsConsumer(
  kafka: Kafka,
  pool: Pool,
  publisher: KafkaPublisher,
  prefix: string,
  opts: { onCommitted?: () => void; log?: (m: string) => void; sessionTimeoutMs?: number } = {},
): BatchConsumer {
  const topic = topicName('chargingSessions', prefix);
  const groupId = sessionsGroupId(prefix);
  return new BatchConsumer(kafka, {
    groupId,
    topics: [topic],
    fromBeginning: true,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    // Postgres holds the offsets (consumer_offsets, in each batch's transaction): the Kafka commit
    // is a hint, sent in the background, so a coordinator that moved never holds up billing.
    commitIntervalMs: 1000,
    onEvent: (m) => opts.log?.(m),
    deadLetter: { publisher, topicFor: deadLetterTopicName },
    onError: (e, info) =>
      opts.log?.(
        `sessions batch ${info.topic}[${info.partition}]@${info.offset} attempt ${info.attempt}: ${(e as Error).message}`,
      ),
    handleBatch: async ({ topic: t, partition, messages }) => {
      const records = messages.map((m) => ({ topic: t, partition, offset: m.offset, value: m.value }));
      const result = await inTransactionWithRetry(pool, async (c) => {
        let outcome = { charged: 0, anomalies: 0, duplicates: 0 };
        await processBatchOnce(c, groupId, t, partition, records, async (fresh) => {
          const r = await recordSessionEvents(c, fresh);
          outcome = { charged: r.charged.length, anomalies: r.anomalies, duplicates: r.duplicates };
        });
        return outcome;
      });
      charged.inc(result.charged);
      anomalies.inc(result.anomalies);
      duplicates.inc(result.duplicates);
      if (result.charged > 0) opts.onCommitted?.();
    },
  });
}

/** Runs the consumer for the app's lifetime; also its readiness check (`consumer`). */
@Injectable()
export class SessionsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = 'consumer';
  private readonly logger = new Logger('SessionsConsumer');
  private readonly consumer: BatchConsumer;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(PG_POOL) pool: Pool,
    publisher: KafkaPublisher,
    outbox: BillingOutbox,
    @Inject(BILLING_SERVICE_CONFIG) config: BillingServiceConfig,
  ) {
    this.consumer = createSessionsConsumer(kafka, pool, publisher, config.KAFKA_TOPIC_PREFIX, {
      onCommitted: () => outbox.wake(),
      log: (m) => this.logger.warn(m),
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    });
  }

  /**
   * Joins the group in the background: the app listens at once, whatever the group is doing (a
   * member killed with SIGKILL holds it for a session timeout).
   */
  onApplicationBootstrap(): void {
    void this.consumer.start();
  }

  /** Readiness: down while the consumer cannot make progress (see BatchConsumer.health). */
  async check(): Promise<void> {
    const health = this.consumer.health();
    if (!health.ok) throw new Error(health.reason ?? 'no progress');
  }

  /** Finishes the batch in progress (its transaction commits), then leaves the group. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
