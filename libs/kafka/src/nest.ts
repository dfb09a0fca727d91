import { DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { createKafka, type KafkaSecurity } from './client';
import { kafkaReachable } from './admin';
import { KafkaPublisher } from './publisher';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

export interface KafkaModuleOptions {
  clientId: string;
  brokers: string[];
  security?: KafkaSecurity;
  sendTimeoutMs?: number;
}

/** Connects the shared publisher at start; flushes and disconnects it last at shutdown. */
@Injectable()
export class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly publisher: KafkaPublisher) {}
  async onModuleInit(): Promise<void> {
    await this.publisher.connect();
  }
  async onApplicationShutdown(): Promise<void> {
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
    const kafka = createKafka({ brokers: options.brokers, clientId: options.clientId, security: options.security });
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: KAFKA_CLIENT, useValue: kafka },
        { provide: KafkaPublisher, useFactory: () => new KafkaPublisher(kafka, { sendTimeoutMs: options.sendTimeoutMs }) },
        KafkaLifecycle,
        KafkaReadiness,
      ],
      exports: [KAFKA_CLIENT, KafkaPublisher, KafkaReadiness],
    };
  }
}
