import { commonConfig, env, loadConfig, type ConfigOf } from '@app/config';
import { httpConfig } from '@app/http';
import { webhookConfigSchema } from './infrastructure/webhook-delivery';
import { authConfigSchema, checkAuthConfig } from '@app/auth';
import { kafkaSecurityConfig, kafkaSecurityFromEnv } from '@app/kafka/security';

export const sessionServiceConfigSchema = {
  ...commonConfig,
  ...httpConfig,
  ...kafkaSecurityConfig,
  ...authConfigSchema,
  ...webhookConfigSchema,
  PORT: env.port(3001),
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/charging_sessions', ['postgres', 'postgresql']),
  /** A connector back to Available with no StopTransaction is closed after this many minutes. */
  STOP_GRACE_MINUTES: env.int(10, 1, 24 * 60),
  /** A remote start with no StartTransaction after this many seconds fails (START_TIMEOUT). */
  START_TIMEOUT_SECONDS: env.int(120, 5, 3600),
  /** Deadline given to RemoteStartTransaction commands (the gateway answers Timeout then). */
  COMMAND_TIMEOUT_SECONDS: env.int(30, 1, 300),
  /**
   * POST /v1/sessions/:id/stop answers within this many seconds of its arrival: 504 CHARGER_TIMEOUT
   * when the charger has not answered by then. Its RemoteStopTransaction gets a deadline one second
   * earlier, so the gateway's Timeout (or a last-moment answer) still arrives in time. Below 30 s
   * by default: many HTTP clients give up at 30 s.
   */
  STOP_WAIT_SECONDS: env.int(25, 2, 300),
  /**
   * POST /v1/chargers/:id/commands/:action (and /local-list) answers within this many seconds of
   * its arrival: 504 CHARGER_TIMEOUT when the charger has not answered by then. The command's
   * deadline is one second earlier, as for the stop.
   */
  COMMAND_WAIT_SECONDS: env.int(30, 2, 300),
  TIMER_INTERVAL_MS: env.int(5000, 50, 600000),
  /**
   * Kafka consumer group prefix (one group per consumed topic set). Default
   * `<KAFKA_TOPIC_PREFIX>session-service`, so two stacks sharing a cluster never share a group.
   */
  CONSUMER_GROUP: env.optionalString(),
  /**
   * Kafka consumer session timeout: how long a member killed without leaving (kill -9, OOM) holds
   * its partitions; a restarted process joins after it. Also bounds how long a consumer may make no
   * progress before readiness says so (this + 10 s).
   */
  KAFKA_SESSION_TIMEOUT_MS: env.int(10000, 6000, 300000),
  /** Partitions of ocpp.v16.events folded in parallel per process (one transaction each). */
  OCPP_CONSUMERS: env.int(12, 1, 64),
  /** Pool size for the event store connections. */
  DATABASE_POOL_SIZE: env.int(20, 2, 200),
  /**
   * POST /v1/chargers/:id/password and DELETE /v1/chargers/:id answer once a gateway replica applied
   * the change (every replica refuses the old password / the charger then), within this many
   * seconds; 504 REGISTRY_NOT_APPLIED after it (the change stays stored and applies later).
   */
  REGISTRY_APPLY_WAIT_SECONDS: env.int(10, 1, 300),
};
export type SessionServiceConfig = ConfigOf<typeof sessionServiceConfigSchema>;
export const SESSION_SERVICE_CONFIG = Symbol('SESSION_SERVICE_CONFIG');

export function loadSessionServiceConfig(source = process.env): SessionServiceConfig {
  const config = loadConfig(sessionServiceConfigSchema, source);
  // Reads the certificate and password files now, so a bad one stops the start with its variable's name.
  kafkaSecurityFromEnv(config);
  checkAuthConfig(config);
  return config;
}
