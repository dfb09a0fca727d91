import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { createKafka, type KafkaSecurity } from './client';
import { kafkaReachable } from './admin';
import { KafkaPublisher } from './publisher';
import { backoffMs } from './supervision';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

export interface KafkaModuleOptions {
  clientId: string;
  brokers: string[];
  security?: KafkaSecurity;
  sendTimeoutMs?: number;
}

/**
 * Connects the shared publisher at start; flushes and disconnects it last at shutdown. The start
 * does not wait for Kafka: the connection is made, and retried with backoff, in the background,
 * so a broker that does not answer neither stops the app nor delays its listening. A record
 * published while an attempt is under way waits for it (bounded by the send timeout); between
 * attempts publishes fail, and readiness says Kafka is down.
 */
@Injectable()
export class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('KafkaLifecycle');
  private stopped = false;

  constructor(private readonly publisher: KafkaPublisher) {}

  onModuleInit(): void {
    void this.connectUntilDone();
  }

  private async connectUntilDone(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.publisher.connect();
        if (attempt > 1) this.logger.log(`Kafka publisher connected (attempt ${attempt})`);
        return;
      } catch (e) {
        this.logger.warn(
          `Kafka publisher cannot connect (attempt ${attempt}): ${(e as Error).message}; retrying`,
        );
        await new Promise((r) =>
          setTimeout(r, backoffMs(attempt, { initialMs: 500, maxMs: 10_000 }, Math.random())),
        );
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true; // a connection still being retried gives up at its next attempt
    await this.publisher.disconnect();
  }
}

/** Readiness: a broker answers a metadata request. */
@Injectable()
export class KafkaReadiness {
  readonly name = 'kafka';
  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}
  async check(): Promise<void> {
    if (!(await kafkaReachable(this.kafka, 1500))) throw new Error('no broker answers');
  }
}

/** Thin Nest wrapper around the framework-free client and publisher. */
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    const kafka = createKafka({
      brokers: options.brokers,
      clientId: options.clientId,
      security: options.security,
    });
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: KAFKA_CLIENT, useValue: kafka },
        {
          provide: KafkaPublisher,
          useFactory: () => new KafkaPublisher(kafka, { sendTimeoutMs: options.sendTimeoutMs }),
        },
        KafkaLifecycle,
        KafkaReadiness,
      ],
      exports: [KAFKA_CLIENT, KafkaPublisher, KafkaReadiness],
    };
  }
}
