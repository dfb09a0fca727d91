import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Server } from 'node:http';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { KAFKA_CLIENT, KafkaModule, KafkaPublisher, KafkaReadiness, kafkaSecurityFromEnv } from '@app/kafka';
import { AuthModule } from '@app/auth';
import { JsonErrorFilter } from '@app/http/nest';
import { ObservabilityModule, PostgresReadiness } from '@app/observability';
import { Ocpp16Validator, Ocpp201Validator } from '@app/ocpp';
import { ApplyRegistryRecords } from './application/apply-registry-records';
import { AuthenticateCharger } from './application/authenticate-charger';
import { DispatchCommand } from './application/dispatch-command';
import { HandleChargerCall } from './application/handle-charger-call';
import { HandleStationCall201 } from './application/handle-station-call-201';
import { dataTransferVendors, OCPP_GATEWAY_CONFIG, type OcppGatewayConfig } from './config';
import { TransactionIdBlocks } from './domain/transaction-id-block';
import { dataSourceOptions } from './infrastructure/database/data-source';
import { PgChargerRepository } from './infrastructure/database/repositories/pg-charger.repository';
import { PgConnectionDirectory } from './infrastructure/database/repositories/pg-connection-directory';
import { PgRegistryCopyStore } from './infrastructure/database/repositories/pg-registry-copy.store';
import {
  PgTransactionRepository,
  TRANSACTION_ID_BLOCK_SIZE,
} from './infrastructure/database/repositories/pg-transaction.repository';
import { GatewayLifecycle, nestLogger } from './infrastructure/gateway-lifecycle';
import { CommandConsumer } from './infrastructure/kafka/command-consumer';
import { KafkaOcppEventSink } from './infrastructure/kafka/kafka-ocpp-event-sink';
import { RegistryConsumer } from './infrastructure/kafka/registry-consumer';
import { OcppWebSocketServer } from './infrastructure/websocket/ocpp-websocket.server';
import { AuthFailureLimiter } from '@app/http';

/** Everything the gateway is made of, built once from the config (framework-free parts). */
export interface OcppGateway {
  server: OcppWebSocketServer;
  commands: CommandConsumer | null;
  registry: RegistryConsumer | null;
  lifecycle: GatewayLifecycle;
  chargers: PgChargerRepository;
}
export const OCPP_GATEWAY = Symbol('OCPP_GATEWAY');

function buildGateway(
  config: OcppGatewayConfig,
  db: DataSource,
  publisher: KafkaPublisher,
  kafka: Kafka,
): OcppGateway {
  const logger = nestLogger('OcppGateway');
  const validator = new Ocpp16Validator();
  const validator201 = new Ocpp201Validator();
  const chargers = new PgChargerRepository(db);
  const transactions = new PgTransactionRepository(db);
  const directory = new PgConnectionDirectory(db);
  const sink = new KafkaOcppEventSink(publisher, config.KAFKA_TOPIC_PREFIX);
  const callSettings = {
    chargers,
    sink,
    gatewayId: config.GATEWAY_ID,
    acceptUnknownIdTags: config.OCPP_ALLOW_UNREGISTERED,
    heartbeatIntervalS: config.OCPP_HEARTBEAT_INTERVAL_S,
    heartbeatSampleMs: config.OCPP_HEARTBEAT_SAMPLE_S * 1000,
    dataTransferVendors: dataTransferVendors(config),
    onError: (error: unknown, context: Record<string, string>) =>
      logger.warn('CALL answered InternalError', { ...context, error: (error as Error).message }),
  };
  const handlers = {
    'ocpp1.6': new HandleChargerCall({
      ...callSettings,
      validator,
      transactions,
      transactionIds: new TransactionIdBlocks(() => transactions.reserveBlock(), TRANSACTION_ID_BLOCK_SIZE),
    }),
    'ocpp2.0.1': new HandleStationCall201({ ...callSettings, validator: validator201 }),
  };
  const server = new OcppWebSocketServer({
    authenticate: new AuthenticateCharger(chargers, {
      allowUnregistered: config.OCPP_ALLOW_UNREGISTERED,
      demoFleetId: config.DEMO_FLEET_ID,
    }),
    handlers,
    sink,
    directory,
    logger,
    options: {
      gatewayId: config.GATEWAY_ID,
      maxMessageBytes: config.OCPP_MAX_MESSAGE_BYTES,
      pingIntervalMs: config.OCPP_PING_INTERVAL_S * 1000,
      preferredProtocol: config.OCPP_PREFERRED_PROTOCOL,
      tls:
        config.TLS_CERT_FILE && config.TLS_KEY_FILE
          ? { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE, port: config.TLS_PORT }
          : undefined,
    },
    authFailures: new AuthFailureLimiter({
      windowS: config.RATE_LIMIT_WINDOW_S,
      authFailures: config.RATE_LIMIT_AUTH_FAILURES,
      authBlockS: config.RATE_LIMIT_AUTH_BLOCK_S,
    }),
  });
  const commands = config.OCPP_COMMANDS_ENABLED
    ? new CommandConsumer(kafka, {
        gatewayId: config.GATEWAY_ID,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        dispatch: new DispatchCommand({
          gatewayId: config.GATEWAY_ID,
          local: server,
          directory,
          sink,
          validators: { 'ocpp1.6': validator, 'ocpp2.0.1': validator201 },
          grants: chargers,
        }),
        logger,
      })
    : null;
  const registry = config.OCPP_REGISTRY_ENABLED
    ? new RegistryConsumer(kafka, {
        gatewayId: config.GATEWAY_ID,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        apply: new ApplyRegistryRecords({
          store: new PgRegistryCopyStore(db),
          local: server,
          sink,
          gatewayId: config.GATEWAY_ID,
        }),
        logger,
      })
    : null;
  const lifecycle = new GatewayLifecycle({
    gatewayId: config.GATEWAY_ID,
    server,
    directory,
    commands,
    registry,
    logger,
    drainMs: Math.max(1000, Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2)),
  });
  return { server, commands, registry, lifecycle, chargers };
}

/**
 * Readiness beyond "a broker answers": down while the publisher cannot get records acknowledged
 * (chargers would only get InternalError) or the commands or registry consumer cannot make
 * progress. Not waiting for their groups' first join: a restarted replica takes chargers at once.
 */
@Injectable()
export class GatewayKafkaReadiness {
  readonly name = 'kafka-flow';
  constructor(
    private readonly publisher: KafkaPublisher,
    @Inject(OCPP_GATEWAY) private readonly gateway: OcppGateway,
  ) {}
  async check(): Promise<void> {
    const published = this.publisher.health();
    if (!published.ok) throw new Error(`publisher: ${published.reason ?? 'records not acknowledged'}`);
    const commands = this.gateway.commands?.health();
    if (commands && !commands.ok) throw new Error(`commands consumer: ${commands.reason ?? 'no progress'}`);
    const registry = this.gateway.registry?.health();
    if (registry && !registry.ok) throw new Error(`registry consumer: ${registry.reason ?? 'no progress'}`);
  }
}

/** Attaches the OCPP endpoint to Nest's HTTP server once it exists; stops it first at shutdown. */
@Injectable()
export class OcppGatewayHooks implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(OCPP_GATEWAY) private readonly gateway: OcppGateway,
    private readonly http: HttpAdapterHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.gateway.lifecycle.start(this.http.httpAdapter.getHttpServer() as Server);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.gateway.lifecycle.stop();
  }
}

@Module({})
export class OcppGatewayModule {
  static forRoot(config: OcppGatewayConfig): DynamicModule {
    return {
      module: OcppGatewayModule,
      imports: [
        // No routes of its own beyond /health yet; the guard keeps any later one closed by default.
        AuthModule.forRoot(config),
        ObservabilityModule.forRoot({
          service: 'ocpp-gateway',
          logLevel: config.LOG_LEVEL,
          readinessTokens: [PostgresReadiness, KafkaReadiness, GatewayKafkaReadiness],
        }),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.DATABASE_URL), migrationsRun: false }),
        KafkaModule.forRoot({
          clientId: config.KAFKA_CLIENT_ID ?? 'ocpp-gateway',
          brokers: config.KAFKA_BROKERS,
          security: kafkaSecurityFromEnv(config),
          sendTimeoutMs: config.OCPP_KAFKA_TIMEOUT_MS,
        }),
      ],
      providers: [
        { provide: OCPP_GATEWAY_CONFIG, useValue: config },
        PostgresReadiness,
        {
          provide: OCPP_GATEWAY,
          inject: [DataSource, KafkaPublisher, KAFKA_CLIENT],
          useFactory: (db: DataSource, publisher: KafkaPublisher, kafka: Kafka) =>
            buildGateway(config, db, publisher, kafka),
        },
        OcppGatewayHooks,
        GatewayKafkaReadiness,
        // Its HTTP errors (an unknown path, a refused credential) in the shape of every app.
        { provide: APP_FILTER, useClass: JsonErrorFilter },
      ],
      exports: [OCPP_GATEWAY_CONFIG, OCPP_GATEWAY],
    };
  }
}
