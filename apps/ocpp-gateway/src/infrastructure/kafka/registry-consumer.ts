import type { Kafka, KafkaMessage } from 'kafkajs';
import { Counter } from 'prom-client';
import { BatchConsumer } from '@app/kafka';
import { parseEnvelope, topicName, type ChargerRegistryEnvelope } from '@app/contracts';
import { createTopicValidator } from '@app/contracts/schemas';
import { metricsRegistry } from '@app/observability';
import type { ApplyRegistryRecords, RegistryRecord } from '../../application/apply-registry-records';
import type { Logger } from '../websocket/ocpp-websocket.server';

const metrics = {
  records: new Counter({
    name: 'ocpp_registry_records_total',
    help: 'chargers.registry.v1 records read by this replica, by result (applied: passed the edge check; skipped: not a valid registry envelope)',
    labelNames: ['result'],
    registers: [metricsRegistry],
  }),
};

/**
 * Reads the compacted `chargers.registry.v1` whole, in this replica's own consumer group
 * (`<KAFKA_TOPIC_PREFIX>ocpp-gateway-<GATEWAY_ID>:registry`; ':' never occurs in a GATEWAY_ID, so
 * it cannot meet another replica's command group): a new replica starts at the topic's
 * beginning, a restarted one where it left off. Every replica must see every record, because
 * each closes its own connections of deactivated chargers and of those whose password changed;
 * the database copy they all write is shared (see ApplyRegistryRecords).
 *
 * The edge check: a record that is not a valid `chargers.registration/v1` or `chargers.id-tag/v1`
 * envelope is skipped with a warning (counted in ocpp_registry_records_total{result="skipped"}).
 * The gateway dead-letters nothing: each replica reads the topic in its own group, so a dead
 * letter would be written once per replica; session-service validates what it publishes.
 * Every other failure (database, Kafka) is retried for as long as it lasts: a valid registry
 * record is never skipped, its partition waits (readiness reports a consumer making no progress).
 */
export class RegistryConsumer {
  private readonly consumer: BatchConsumer;
  private readonly check = createTopicValidator('chargerRegistry');
  readonly topic: string;

  constructor(
    kafka: Kafka,
    private readonly options: {
      gatewayId: string;
      topicPrefix: string;
      apply: ApplyRegistryRecords;
      logger: Logger;
      sessionTimeoutMs?: number;
    },
  ) {
    this.topic = topicName('chargerRegistry', options.topicPrefix);
    this.consumer = new BatchConsumer(kafka, {
      groupId: `${options.topicPrefix}ocpp-gateway-${options.gatewayId}:registry`,
      topics: [this.topic],
      fromBeginning: true,
      sessionTimeoutMs: options.sessionTimeoutMs,
      // Every partition at once: a new replica catches up on the whole registry quickly.
      partitionsConsumedConcurrently: 3,
      isTransient: () => true,
      handleBatch: async ({ messages }) => {
        const records = messages.flatMap((m) => this.parse(m));
        if (records.length > 0) await options.apply.execute(records);
      },
      onError: (e, info) =>
        options.logger.warn('registry batch failed; retrying', { ...info, error: (e as Error).message }),
      onEvent: (m) => options.logger.warn(m),
    });
  }

  private parse(message: KafkaMessage): RegistryRecord[] {
    // A tombstone (null value) removes a key at compaction; the registry deactivates instead.
    if (message.value === null) return [];
    try {
      const envelope = parseEnvelope(message.value);
      const defect = this.check(envelope);
      if (defect) throw new Error(defect);
      metrics.records.inc({ result: 'applied' });
      const typed = envelope as ChargerRegistryEnvelope;
      return [
        typed.type === 'ChargerRegistered'
          ? { type: 'ChargerRegistered', data: typed.data }
          : { type: 'IdTagRegistered', data: typed.data },
      ];
    } catch (e) {
      metrics.records.inc({ result: 'skipped' });
      this.options.logger.warn('unusable registry record skipped', {
        key: message.key?.toString('utf8'),
        offset: message.offset,
        error: (e as Error).message,
      });
      return [];
    }
  }

  /** Resolves once the group is joined and the first fetch ran. */
  whenReady(): Promise<void> {
    return this.consumer.whenFetching();
  }

  /** Starts consuming in the background; never throws (the consumer retries until it runs). */
  start(): void {
    void this.consumer.start();
  }

  /** Readiness: whether the consumer can make progress (see BatchConsumer.health). */
  health(): { ok: boolean; reason?: string } {
    return this.consumer.health();
  }

  /** Finishes the batch in progress and leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.stop();
  }
}
