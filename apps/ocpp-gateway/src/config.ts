import os from 'node:os';
import { ConfigError, commonConfig, env, loadConfig, type ConfigOf } from '@app/config';
import { httpConfig } from '@app/http';
import { authConfigSchema, checkAuthConfig } from '@app/auth';
import { kafkaSecurityConfig, kafkaSecurityFromEnv } from '@app/kafka/security';
import { CHARGER_PROTOCOLS } from './domain/subprotocol';

export const ocppGatewayConfigSchema = {
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
  PORT: env.port(9000),
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/ocpp_gateway', ['postgres', 'postgresql']),
  /** Dev stack only: any charger id may connect without a password and joins DEMO_FLEET_ID. */
  OCPP_ALLOW_UNREGISTERED: env.bool(false),
  DEMO_FLEET_ID: env.string('demo'),
  /** A CALL whose record Kafka has not acknowledged by then is answered InternalError. */
  OCPP_KAFKA_TIMEOUT_MS: env.int(5000, 100, 120000),
  /** Heartbeat interval told to chargers in BootNotification.conf, seconds. */
  OCPP_HEARTBEAT_INTERVAL_S: env.int(300, 1, 86400),
  /** At most one Heartbeat per connection per this many seconds goes to Kafka (0: every one). */
  OCPP_HEARTBEAT_SAMPLE_S: env.int(300, 0, 86400),
  /** WebSocket ping interval; a charger that misses two pongs is disconnected (0: off). */
  OCPP_PING_INTERVAL_S: env.int(60, 0, 3600),
  /** DataTransfer vendorIds we accept (comma-separated); any other gets UnknownVendorId. */
  OCPP_DATA_TRANSFER_VENDORS: env.string(''),
  /** Largest WebSocket message accepted, bytes (signed meter values can be a few KB). */
  OCPP_MAX_MESSAGE_BYTES: env.int(262144, 1024, 16 * 1024 * 1024),
  /** This replica's id (connections table, command consumer group). Defaults to host-pid. */
  GATEWAY_ID: env.string(`${os.hostname()}-${process.pid}`),
  /** Security profile 2: WSS on TLS_PORT with this certificate/key (PEM files). */
  TLS_CERT_FILE: env.optionalString(),
  TLS_KEY_FILE: env.optionalString(),
  TLS_PORT: env.port(9443),
  /**
   * The subprotocol a charger gets when it offers both `ocpp1.6` and `ocpp2.0.1` at the handshake
   * (one that offers only one gets that one, whatever this says).
   */
  OCPP_PREFERRED_PROTOCOL: env.enumOf(CHARGER_PROTOCOLS, 'ocpp2.0.1'),
  /** Consume ocpp.v16.commands and ocpp.v201.commands (off only for tests/benchmarks that need no commands). */
  OCPP_COMMANDS_ENABLED: env.bool(true),
  /**
   * Read the charger registry from chargers.registry.v1 into the gateway database, and close local
   * connections of deactivated chargers and rotated passwords. Off only for tests and benchmarks
   * that write the gateway's chargers table themselves: without it, registry changes never apply.
   */
  OCPP_REGISTRY_ENABLED: env.bool(true),
};
export type OcppGatewayConfig = ConfigOf<typeof ocppGatewayConfigSchema>;
export const OCPP_GATEWAY_CONFIG = Symbol('OCPP_GATEWAY_CONFIG');

export function loadOcppGatewayConfig(source = process.env): OcppGatewayConfig {
  const config = loadConfig(ocppGatewayConfigSchema, source);
  // Reads the certificate and password files now, so a bad one stops the start with its variable's name.
  kafkaSecurityFromEnv(config);
  checkAuthConfig(config);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(config.GATEWAY_ID)) {
    throw new ConfigError('GATEWAY_ID', 'must be 1-100 characters of A-Z a-z 0-9 . _ -');
  }
  if (Boolean(config.TLS_CERT_FILE) !== Boolean(config.TLS_KEY_FILE)) {
    throw new ConfigError(
      config.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE',
      'must be set together with the other TLS file',
    );
  }
  return config;
}

export function dataTransferVendors(config: OcppGatewayConfig): Set<string> {
  return new Set(
    config.OCPP_DATA_TRANSFER_VENDORS.split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0),
  );
}
