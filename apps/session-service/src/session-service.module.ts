import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { KAFKA_CLIENT, KafkaModule, KafkaPublisher, KafkaReadiness, kafkaSecurityFromEnv } from '@app/kafka';
import { ObservabilityModule, PostgresReadiness } from '@app/observability';
import { AUTH_POOL, AuthModule, AuthReadiness } from '@app/auth';
import { AuditController } from '@app/auth/nest/audit.controller';
import { SessionsController } from './api/sessions.controller';
import { ChargersAdminController } from './api/chargers-admin.controller';
import { ChargersController } from './api/chargers.controller';
import { ReadChargers } from './application/charger-view';
import { IdTagsController } from './api/id-tags.controller';
import { ManageChargerRegistry } from './application/charger-registry';
import { WebhooksController } from './api/webhooks.controller';
import { SessionsErrorFilter } from './api/error.filter';
import { SESSION_SERVICE_CONFIG, type SessionServiceConfig } from './config';
import { dataSourceOptions } from './infrastructure/database/data-source';
import { SessionServiceComposition } from './composition';
import { PostgresCommandAudit } from './infrastructure/command-audit';
import { webhookSettingsFromConfig } from './infrastructure/webhook-delivery';
import { StartSession } from './application/start-session';
import { StopSession } from './application/stop-session';
import { SendChargerCommand } from './application/send-charger-command';
import { PushLocalList } from './application/push-local-list';
import { ChargerCommandsController } from './api/charger-commands.controller';
import { ReadSessions } from './application/read-sessions';
import { ManageWebhooks } from './application/webhooks';

/** Starts the consumers, relay and timers after Nest is up; stops them first at shutdown (publisher still connected). */
@Injectable()
class SessionServiceLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SessionService');
  constructor(
    private readonly runtime: SessionServiceComposition,
    @Inject(SESSION_SERVICE_CONFIG) private readonly config: SessionServiceConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The consumers join their groups in the background: the API listens at once.
    await this.runtime.start({ waitForGroups: false });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}

/** Readiness: down while a consumer cannot make progress (not a member, or records waiting and none folded). */
@Injectable()
class SessionConsumersReadiness {
  readonly name = 'consumers';
  constructor(private readonly runtime: SessionServiceComposition) {}
  async check(): Promise<void> {
    const health = this.runtime.consumersHealth();
    if (!health.ok) throw new Error(health.reason ?? 'no progress');
  }
}

@Module({})
export class SessionServiceModule {
  static forRoot(config: SessionServiceConfig): DynamicModule {
    return {
      module: SessionServiceModule,
      imports: [
        AuthModule.forRoot(config),
        ObservabilityModule.forRoot({
          service: 'session-service',
          logLevel: config.LOG_LEVEL,
          readinessTokens: [PostgresReadiness, KafkaReadiness, SessionConsumersReadiness, AuthReadiness],
        }),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.DATABASE_URL), migrationsRun: false }),
        KafkaModule.forRoot({
          clientId: config.KAFKA_CLIENT_ID ?? 'session-service',
          brokers: config.KAFKA_BROKERS,
          security: kafkaSecurityFromEnv(config),
        }),
      ],
      controllers: [
        AuditController,
        SessionsController,
        WebhooksController,
        ChargersAdminController,
        ChargersController,
        IdTagsController,
        ChargerCommandsController,
      ],
      providers: [
        { provide: SESSION_SERVICE_CONFIG, useValue: config },
        PostgresReadiness,
        {
          provide: SessionServiceComposition,
          inject: [KAFKA_CLIENT, KafkaPublisher, AUTH_POOL],
          useFactory: (kafka: Kafka, publisher: KafkaPublisher, authPool: Pool) => {
            const logger = new Logger('SessionService');
            return new SessionServiceComposition({
              databaseUrl: config.DATABASE_URL,
              poolSize: config.DATABASE_POOL_SIZE,
              kafka,
              publisher,
              topicPrefix: config.KAFKA_TOPIC_PREFIX,
              consumerGroup: config.CONSUMER_GROUP ?? `${config.KAFKA_TOPIC_PREFIX}session-service`,
              timers: {
                stopGraceMinutes: config.STOP_GRACE_MINUTES,
                startTimeoutSeconds: config.START_TIMEOUT_SECONDS,
              },
              commandTimeoutSeconds: config.COMMAND_TIMEOUT_SECONDS,
              stopWaitSeconds: config.STOP_WAIT_SECONDS,
              commandWaitSeconds: config.COMMAND_WAIT_SECONDS,
              registryApplyWaitSeconds: config.REGISTRY_APPLY_WAIT_SECONDS,
              timerIntervalMs: config.TIMER_INTERVAL_MS,
              sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
              ocppConsumers: config.OCPP_CONSUMERS,
              webhooks: webhookSettingsFromConfig(config),
              commandAudit: new PostgresCommandAudit(authPool),
              log: (level, msg, extra) =>
                level === 'error'
                  ? logger.error(msg, extra)
                  : level === 'warn'
                    ? logger.warn(msg, extra)
                    : logger.log(msg, extra),
            });
          },
        },
        // The use cases the controllers call, by class token.
        {
          provide: StartSession,
          inject: [SessionServiceComposition],
          useFactory: (r: SessionServiceComposition) => r.startSession,
        },
        {
          provide: StopSession,
          inject: [SessionServiceComposition],
          useFactory: (r: SessionServiceComposition) => r.stopSession,
        },
        {
          provide: SendChargerCommand,
          inject: [SessionServiceComposition],
          useFactory: (r: SessionServiceComposition) => r.sendChargerCommand,
        },
        {
          provide: PushLocalList,
          inject: [SessionServiceComposition],
          useFactory: (r: SessionServiceComposition) => r.pushLocalList,
        },
        {
          provide: ReadSessions,
          inject: [SessionServiceComposition],
          useFactory: (r: SessionServiceComposition) => r.readSessions,
        },
        {
          provide: ManageWebhooks,
          inject: [SessionServiceComposition],
          useFactory: (r: SessionServiceComposition) => r.manageWebhooks,
        },
        {
          provide: ManageChargerRegistry,
          inject: [SessionServiceComposition],
          useFactory: (r: SessionServiceComposition) => r.chargerRegistry,
        },
        {
          provide: ReadChargers,
          inject: [SessionServiceComposition],
          useFactory: (r: SessionServiceComposition) => r.readChargers,
        },
        SessionServiceLifecycle,
        SessionConsumersReadiness,
        // Unknown routes and body-parser errors get the same `{ error: { code, message } }` shape.
        { provide: APP_FILTER, useClass: SessionsErrorFilter },
      ],
      exports: [SESSION_SERVICE_CONFIG],
    };
  }
}
