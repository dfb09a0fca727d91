import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { KafkaModule, KafkaReadiness, kafkaSecurityFromEnv } from '@app/kafka';
import { AUTH_POOL, AuthModule, AuthReadiness } from '@app/auth';
import { AuditController } from '@app/auth/nest/audit.controller';
import { ObservabilityModule, PostgresReadiness } from '@app/observability';
import { ChargesController } from './api/charges.controller';
import { ExportsController } from './api/exports.controller';
import { BillingErrorFilter } from './api/error.filter';
import { TariffsController } from './api/tariffs.controller';
import { AddTariffVersion } from './application/add-tariff-version';
import { AssignTariff, ListAssignments, UnassignTariff } from './application/assign-tariff';
import type { AuditTrail } from './application/change-context';
import { CorrectCharge } from './application/correct-charge';
import { CreateTariff } from './application/create-tariff';
import { ExportCharges } from './application/export-charges';
import { GetCharge, ListAnomalies, ListSessionCharges } from './application/read-charges';
import { GetTariff, ListTariffs, ResolveTariff } from './application/read-tariffs';
import { billingUseCases, exportSettingsOf, type BillingUseCases } from './composition';
import { BILLING_SERVICE_CONFIG, type BillingServiceConfig } from './config';
import { dataSourceOptions } from './infrastructure/database/data-source';
import { PG_EXPORT_POOL, PG_POOL, PoolLifecycle, createPool } from './infrastructure/database/pool';
import { AUDIT_TRAIL, PostgresAuditTrail } from './infrastructure/audit-trail';
import { BillingOutbox } from './infrastructure/outbox';
import { SessionsConsumer } from './infrastructure/sessions-consumer';

const BILLING_USE_CASES = Symbol('BILLING_USE_CASES');

/** Every use case under its class, so a controller gets it injected by type. */
const USE_CASES: { [K in keyof BillingUseCases]: Type<BillingUseCases[K]> } = {
  createTariff: CreateTariff,
  addTariffVersion: AddTariffVersion,
  assignTariff: AssignTariff,
  unassignTariff: UnassignTariff,
  listAssignments: ListAssignments,
  getTariff: GetTariff,
  listTariffs: ListTariffs,
  resolveTariff: ResolveTariff,
  listSessionCharges: ListSessionCharges,
  getCharge: GetCharge,
  listAnomalies: ListAnomalies,
  correctCharge: CorrectCharge,
  exportCharges: ExportCharges,
};

const useCaseProviders: Provider[] = Object.entries(USE_CASES).map(([name, type]) => ({
  provide: type,
  inject: [BILLING_USE_CASES],
  useFactory: (u: BillingUseCases) => u[name as keyof BillingUseCases],
}));

@Module({})
export class BillingServiceModule {
  static forRoot(config: BillingServiceConfig): DynamicModule {
    return {
      module: BillingServiceModule,
      imports: [
        AuthModule.forRoot(config),
        ObservabilityModule.forRoot({
          service: 'billing-service',
          logLevel: config.LOG_LEVEL,
          readinessTokens: [PostgresReadiness, KafkaReadiness, SessionsConsumer, AuthReadiness],
        }),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.DATABASE_URL), migrationsRun: false }),
        KafkaModule.forRoot({
          clientId: config.KAFKA_CLIENT_ID ?? 'billing-service',
          brokers: config.KAFKA_BROKERS,
          security: kafkaSecurityFromEnv(config),
        }),
      ],
      controllers: [AuditController, TariffsController, ChargesController, ExportsController],
      providers: [
        { provide: BILLING_SERVICE_CONFIG, useValue: config },
        { provide: PG_POOL, useFactory: () => createPool(config.DATABASE_URL) },
        { provide: PG_EXPORT_POOL, useFactory: () => createPool(config.DATABASE_URL, 4, false) },
        { provide: APP_FILTER, useClass: BillingErrorFilter },
        {
          provide: AUDIT_TRAIL,
          inject: [AUTH_POOL],
          useFactory: (pool: Pool) => new PostgresAuditTrail(pool),
        },
        {
          provide: BILLING_USE_CASES,
          inject: [PG_POOL, PG_EXPORT_POOL, AUDIT_TRAIL, BillingOutbox],
          useFactory: (pool: Pool, exportPool: Pool, audit: AuditTrail, outbox: BillingOutbox) =>
            billingUseCases({ pool, exportPool, audit, outbox, exportSettings: exportSettingsOf(config) }),
        },
        ...useCaseProviders,
        PoolLifecycle,
        PostgresReadiness,
        BillingOutbox,
        SessionsConsumer,
      ],
      exports: [BILLING_SERVICE_CONFIG],
    };
  }
}
