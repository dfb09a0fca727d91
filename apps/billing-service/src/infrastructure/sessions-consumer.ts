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
import { topicName } from '@app/contracts';
import { BatchConsumer, KAFKA_CLIENT, KafkaPublisher, transactionalConsumer } from '@app/kafka';
import { metricsRegistry } from '@app/observability';
import { RecordSessionEvents } from '../application/record-session-events';
import { sessionEnvelopeProblems } from '../application/session-envelope-problems';
import { BILLING_SERVICE_CONFIG, type BillingServiceConfig } from '../config';
import { chargeRepository } from './charge-repository';
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
 * Creates the consumer of `charging.sessions.v1` on the shared transactional consumer: each batch
 * is one Postgres transaction, so the charges, anomalies, outbox events and the partition's next
 * offset commit together, and a crash at any point neither loses a bill nor books one twice; the
 * Kafka commit afterwards is only a hint. Envelopes billing must not act on
 * (`sessionEnvelopeProblems`) go to the dead-letter topic with the reason.
 */
export function createSessionsConsumer(
  kafka: Kafka,
  pool: Pool,
  publisher: KafkaPublisher,
  prefix: string,
  opts: { onCommitted?: () => void; log?: (m: string) => void; sessionTimeoutMs?: number } = {},
): BatchConsumer {
  const record = new RecordSessionEvents(chargeRepository);
  return transactionalConsumer(kafka, pool, {
    groupId: sessionsGroupId(prefix),
    topics: [topicName('chargingSessions', prefix)],
    fromBeginning: true,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    deadLetter: publisher,
    validate: sessionEnvelopeProblems,
    onEvent: (m) => opts.log?.(m),
    onError: (e, info) =>
      opts.log?.(
        `sessions batch ${info.topic}[${info.partition}]@${info.offset} attempt ${info.attempt}: ${(e as Error).message}`,
      ),
    handle: (client, topic, records) =>
      record.handle(
        client,
        records.map((r) => ({
          position: `${topic}:${r.partition}:${r.offset}`,
          envelope: r.envelope,
          unreadable: r.unreadable,
          value: r.value,
        })),
      ),
    afterCommit: (result) => {
      charged.inc(result.charged.length);
      anomalies.inc(result.anomalies);
      duplicates.inc(result.duplicates);
      if (result.charged.length > 0) opts.onCommitted?.();
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
