import type { Pool } from 'pg';
import { AddTariffVersion } from './application/add-tariff-version';
import { AssignTariff, ListAssignments, UnassignTariff } from './application/assign-tariff';
import type { AuditTrail } from './application/change-context';
import { CorrectCharge } from './application/correct-charge';
import { CreateTariff } from './application/create-tariff';
import { ExportCharges, type ExportSettings } from './application/export-charges';
import type { OutboxSignal } from './application/ports';
import { GetCharge, ListAnomalies, ListSessionCharges } from './application/read-charges';
import { GetTariff, ListTariffs, ResolveTariff } from './application/read-tariffs';
import { datevSettings, ocpiSettings, type BillingServiceConfig } from './config';
import { chargeRepository } from './infrastructure/charge-repository';
import { PgDatabase } from './infrastructure/database/pg-database';
import { PostgresChargeExportSource } from './infrastructure/exports/charge-export-reader';
import { tariffRepository } from './infrastructure/tariff-repository';

/** What billing's use cases are wired to: the module, the CLIs and tests build them here. */
export interface BillingAdapters {
  pool: Pool;
  /** Exports stream through their own connections (see PG_EXPORT_POOL). */
  exportPool: Pool;
  audit: AuditTrail;
  outbox: OutboxSignal;
  exportSettings: ExportSettings;
}

/**
 * The composition root of billing-service: every use case with its Postgres adapters. The Nest
 * module registers these instances as providers (controllers get them injected by class).
 */
export function billingUseCases(a: BillingAdapters) {
  const db = new PgDatabase(a.pool);
  const tariffs = tariffRepository;
  const charges = chargeRepository;
  return {
    createTariff: new CreateTariff(db, tariffs, a.audit),
    addTariffVersion: new AddTariffVersion(db, tariffs, a.audit),
    assignTariff: new AssignTariff(db, tariffs, a.audit),
    unassignTariff: new UnassignTariff(db, tariffs, a.audit),
    listAssignments: new ListAssignments(db, tariffs),
    getTariff: new GetTariff(db, tariffs),
    listTariffs: new ListTariffs(db, tariffs),
    resolveTariff: new ResolveTariff(db, tariffs),
    listSessionCharges: new ListSessionCharges(db, charges),
    getCharge: new GetCharge(db, charges),
    listAnomalies: new ListAnomalies(db, charges, a.exportSettings.timeZone),
    correctCharge: new CorrectCharge(db, charges, a.audit, a.outbox),
    exportCharges: new ExportCharges(new PostgresChargeExportSource(a.exportPool), a.exportSettings),
  };
}

export type BillingUseCases = ReturnType<typeof billingUseCases>;

/** The export settings of a config (the DATEV ones may read the environment for overrides). */
export function exportSettingsOf(
  config: BillingServiceConfig,
  env: Record<string, string | undefined> = process.env,
): ExportSettings {
  return {
    timeZone: config.BILLING_TIMEZONE,
    batchRows: config.EXPORT_BATCH_ROWS,
    datev: datevSettings(config, env),
    ocpi: ocpiSettings(config),
  };
}
