import { ConfigError, commonConfig, env, loadConfig, type ConfigOf } from '@app/config';
import { httpConfig } from '@app/http';
import { authConfigSchema, checkAuthConfig } from '@app/auth';
import { kafkaSecurityConfig, kafkaSecurityFromEnv } from '@app/kafka/security';
import type { DatevSettings } from './domain/exports/datev';
import type { OcpiSettings } from './domain/exports/ocpi-cdr';

const account = (fallback: number) => env.int(fallback, 1, 999_999_999);

export const billingServiceConfigSchema = {
  ...commonConfig,
  ...httpConfig,
  ...kafkaSecurityConfig,
  ...authConfigSchema,
  /**
   * Kafka consumer session timeout: how long a member killed without leaving (kill -9, OOM) holds
   * its partitions; a restarted process joins after it. Also bounds how long a consumer may make no
   * progress before readiness says so (this + 10 s).
   */
  KAFKA_SESSION_TIMEOUT_MS: env.int(10000, 6000, 300000),
  PORT: env.port(3002),
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/billing', ['postgres', 'postgresql']),
  /** The books' time zone: DATEV booking periods (months) and document dates. */
  BILLING_TIMEZONE: env.string('Europe/Berlin'),
  /** Rows per cursor fetch of an export (memory is bounded by this, not by the export size). */
  EXPORT_BATCH_ROWS: env.int(500, 10, 100_000),
  DATEV_CONSULTANT_NUMBER: env.int(1001, 1001, 9_999_999),
  DATEV_CLIENT_NUMBER: env.int(1, 1, 99_999),
  DATEV_ACCOUNT_LENGTH: env.int(4, 4, 9),
  DATEV_FISCAL_YEAR_START_MONTH: env.int(1, 1, 12),
  /** SKR03 defaults: 1400 receivables, 8200 revenue (no automatic VAT: VAT is booked explicitly), 1776/1771 VAT 19 %/7 %. */
  DATEV_RECEIVABLE_ACCOUNT: account(1400),
  DATEV_REVENUE_ACCOUNT: account(8200),
  DATEV_VAT_19_ACCOUNT: account(1776),
  DATEV_VAT_7_ACCOUNT: account(1771),
  OCPI_COUNTRY_CODE: env.string('DE'),
  OCPI_PARTY_ID: env.string('CBL'),
  // Charger addresses are not modelled yet: every CDR carries this location (see README).
  OCPI_LOCATION_ADDRESS: env.string('unknown'),
  OCPI_LOCATION_CITY: env.string('unknown'),
  OCPI_LOCATION_POSTAL_CODE: env.string('00000'),
  OCPI_LOCATION_COUNTRY: env.string('DEU'),
  OCPI_LOCATION_LATITUDE: env.string('0.000000'),
  OCPI_LOCATION_LONGITUDE: env.string('0.000000'),
};
export type BillingServiceConfig = ConfigOf<typeof billingServiceConfigSchema>;
export const BILLING_SERVICE_CONFIG = Symbol('BILLING_SERVICE_CONFIG');

export function loadBillingServiceConfig(
  source: Record<string, string | undefined> = process.env,
): BillingServiceConfig {
  const config = loadConfig(billingServiceConfigSchema, source);
  // Reads the certificate and password files now, so a bad one stops the start with its variable's name.
  kafkaSecurityFromEnv(config);
  checkAuthConfig(config);
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.BILLING_TIMEZONE });
  } catch {
    throw new ConfigError(
      'BILLING_TIMEZONE',
      `must be an IANA time zone such as Europe/Berlin, got "${config.BILLING_TIMEZONE}"`,
    );
  }
  for (const [name, pattern, example] of [
    ['OCPI_COUNTRY_CODE', /^[A-Z]{2}$/, 'DE'],
    ['OCPI_PARTY_ID', /^[A-Z0-9]{3}$/, 'CBL'],
    ['OCPI_LOCATION_COUNTRY', /^[A-Z]{3}$/, 'DEU'],
    ['OCPI_LOCATION_LATITUDE', /^-?[0-9]{1,2}\.[0-9]{5,7}$/, '52.520008'],
    ['OCPI_LOCATION_LONGITUDE', /^-?[0-9]{1,3}\.[0-9]{5,7}$/, '13.404954'],
  ] as const) {
    if (!pattern.test(String(config[name])))
      throw new ConfigError(name, `must look like "${example}", got "${config[name]}"`);
  }
  return config;
}

/** DATEV settings; any DATEV_VAT_<rate>_ACCOUNT (e.g. DATEV_VAT_7_5_ACCOUNT for 7.5 %) adds a VAT rate. */
export function datevSettings(
  config: BillingServiceConfig,
  source: Record<string, string | undefined> = process.env,
): DatevSettings {
  const vatAccounts: Record<string, string> = {
    '19': String(config.DATEV_VAT_19_ACCOUNT),
    '7': String(config.DATEV_VAT_7_ACCOUNT),
  };
  for (const [name, value] of Object.entries(source)) {
    const m = /^DATEV_VAT_(\d+(?:_\d+)?)_ACCOUNT$/.exec(name);
    if (!m || m[1] === '19' || m[1] === '7' || !value) continue;
    if (!/^\d{1,9}$/.test(value)) throw new ConfigError(name, `must be an account number, got "${value}"`);
    vatAccounts[m[1]] = value;
  }
  return {
    consultantNumber: String(config.DATEV_CONSULTANT_NUMBER),
    clientNumber: String(config.DATEV_CLIENT_NUMBER),
    accountLength: config.DATEV_ACCOUNT_LENGTH,
    fiscalYearStartMonth: config.DATEV_FISCAL_YEAR_START_MONTH,
    receivableAccount: String(config.DATEV_RECEIVABLE_ACCOUNT),
    revenueAccount: String(config.DATEV_REVENUE_ACCOUNT),
    vatAccounts,
    exportedBy: 'billing-service',
  };
}

export function ocpiSettings(config: BillingServiceConfig): OcpiSettings {
  return {
    countryCode: config.OCPI_COUNTRY_CODE,
    partyId: config.OCPI_PARTY_ID,
    location: {
      address: config.OCPI_LOCATION_ADDRESS,
      city: config.OCPI_LOCATION_CITY,
      postalCode: config.OCPI_LOCATION_POSTAL_CODE,
      country: config.OCPI_LOCATION_COUNTRY,
      latitude: config.OCPI_LOCATION_LATITUDE,
      longitude: config.OCPI_LOCATION_LONGITUDE,
      connectorStandard: 'IEC_62196_T2',
      connectorFormat: 'SOCKET',
      connectorPowerType: 'AC_3_PHASE',
    },
  };
}
