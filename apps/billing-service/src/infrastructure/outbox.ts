import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Pool } from 'pg';
import {
  BILLING_SOURCE,
  CHARGE_CALCULATED_SCHEMA,
  TARIFF_PUBLISHED_SCHEMA,
  topicName,
  type ChargeCalculated,
  type TariffPublished,
} from '@app/contracts';
import { OutboxRelay, type OutboxRoute, type RecordedEvent } from '@app/event-store';
import { KafkaPublisher } from '@app/kafka';
import { BILLING_SERVICE_CONFIG, type BillingServiceConfig } from '../config';
import { PG_POOL } from './database/pool';
import { CHARGE_CALCULATED_TYPE } from './charge-repository';
import { TARIFF_PUBLISHED_TYPE } from './tariff-repository';

/** Where billing's stored events go: charges by session, tariffs (compacted) by tariff. */
export function billingRoute(prefix: string) {
  return (event: RecordedEvent): OutboxRoute | null => {
    if (event.type === CHARGE_CALCULATED_TYPE) {
      return {
        topic: topicName('sessionCharges', prefix),
        key: (event.data as ChargeCalculated).sessionId,
        schema: CHARGE_CALCULATED_SCHEMA,
      };
    }
    if (event.type === TARIFF_PUBLISHED_TYPE) {
      return {
        topic: topicName('tariffs', prefix),
        key: (event.data as TariffPublished).tariffId,
        schema: TARIFF_PUBLISHED_SCHEMA,
      };
    }
    return null;
  };
}

export function createBillingOutboxRelay(
  pool: Pool,
  publisher: KafkaPublisher,
  prefix: string,
  onError?: (e: unknown) => void,
): OutboxRelay {
  return new OutboxRelay(pool, publisher, {
    name: 'billing-outbox',
    source: BILLING_SOURCE,
    route: billingRoute(prefix),
    pollIntervalMs: 50,
    onError,
  });
}

/** Runs the relay for the app's lifetime; stops it before the Kafka publisher disconnects. */
@Injectable()
export class BillingOutbox implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BillingOutbox');
  readonly relay: OutboxRelay;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    publisher: KafkaPublisher,
    @Inject(BILLING_SERVICE_CONFIG) config: BillingServiceConfig,
  ) {
    this.relay = createBillingOutboxRelay(pool, publisher, config.KAFKA_TOPIC_PREFIX, (e) =>
      this.logger.warn(`outbox relay: ${(e as Error).message} (retrying)`),
    );
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  wake(): void {
    this.relay.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
