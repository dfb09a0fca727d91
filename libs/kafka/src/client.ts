import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';

// No '@app/...' imports here: jest's global teardown loads this file without the path aliases.

export const SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** How a client authenticates to the cluster and protects the connection; nothing set = PLAINTEXT. */
export interface KafkaSecurity {
  /** TLS to the brokers. `ca` unset trusts the system's CAs; `cert`/`key` set = mutual TLS. */
  ssl?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** TLS and SASL; unset = PLAINTEXT without authentication (the dev stack). */
  security?: KafkaSecurity;
  /** Where kafkajs log lines go; defaults to JSON on stderr for warnings and errors only. */
  log?: (entry: { level: string; message: string; extra: Record<string, unknown> }) => void;
}

const LEVEL_NAMES: Record<number, string> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(options: KafkaClientOptions): Kafka {
  // We choose the partitioner explicitly (kafkajs' default, murmur2 like the Java client), so the
  // v2 migration notice is noise.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const sink =
    options.log ??
    ((e) => process.stderr.write(JSON.stringify({ level: e.level, msg: e.message, ...e.extra }) + '\n'));
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkajsSecurityOptions(options.security),
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        sink({ level: LEVEL_NAMES[level] ?? 'info', message: `kafkajs: ${message}`, extra });
      },
  });
}

/** The kafkajs `ssl`/`sasl` options for `security`. */
export function kafkajsSecurityOptions(security: KafkaSecurity | undefined): {
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
} {
  const out: { ssl?: ConnectionOptions; sasl?: SASLOptions } = {};
  if (security?.ssl) {
    const { ca, cert, key, rejectUnauthorized } = security.ssl;
    out.ssl = {
      rejectUnauthorized,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
    };
  }
  if (security?.sasl) {
    const { mechanism, username, password } = security.sasl;
    out.sasl = { mechanism, username, password } as SASLOptions;
  }
  return out;
}
