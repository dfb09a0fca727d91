import fs from 'node:fs';
import { ConfigError, env, loadConfig, type ConfigOf } from '@app/config';
import { SASL_MECHANISMS, type KafkaSecurity, type SaslMechanism } from './client';

/**
 * The variables every app reads for Kafka TLS and SASL (spread into each app's config schema).
 * Files rather than inline values for certificates and the password, so that Kubernetes Secrets
 * can be mounted as they are.
 */
export const kafkaSecurityConfig = {
  KAFKA_SSL: env.bool(false),
  KAFKA_SSL_CA_FILE: env.optionalString(),
  KAFKA_SSL_CERT_FILE: env.optionalString(),
  KAFKA_SSL_KEY_FILE: env.optionalString(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: env.bool(true),
  KAFKA_SASL_MECHANISM: env.optionalString(),
  KAFKA_SASL_USERNAME: env.optionalString(),
  KAFKA_SASL_PASSWORD: env.optionalString(),
  KAFKA_SASL_PASSWORD_FILE: env.optionalString(),
};
export type KafkaSecurityEnv = ConfigOf<typeof kafkaSecurityConfig>;

type ReadFile = (file: string) => string;
const readUtf8: ReadFile = (file) => fs.readFileSync(file, 'utf8');

function readVariableFile(variable: string, file: string, read: ReadFile): string {
  try {
    return read(file);
  } catch (e) {
    throw new ConfigError(
      variable,
      `names a file that cannot be read (${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/**
 * Turns the parsed variables into the client's security settings, reading the files they name.
 * Every inconsistency throws a ConfigError naming the variable, so an app refuses to start with a
 * half-configured listener instead of failing on its first connection.
 */
export function kafkaSecurityFromEnv(config: KafkaSecurityEnv, read: ReadFile = readUtf8): KafkaSecurity {
  const security: KafkaSecurity = {};
  const tlsFiles = ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const;
  if (!config.KAFKA_SSL) {
    const stray = tlsFiles.find((name) => config[name] !== undefined);
    if (stray) throw new ConfigError(stray, 'is set but KAFKA_SSL is not true');
  } else {
    if (Boolean(config.KAFKA_SSL_CERT_FILE) !== Boolean(config.KAFKA_SSL_KEY_FILE)) {
      throw new ConfigError(
        config.KAFKA_SSL_CERT_FILE ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE',
        'must be set together with the other client certificate file (mutual TLS)',
      );
    }
    security.ssl = { rejectUnauthorized: config.KAFKA_SSL_REJECT_UNAUTHORIZED };
    if (config.KAFKA_SSL_CA_FILE)
      security.ssl.ca = readVariableFile('KAFKA_SSL_CA_FILE', config.KAFKA_SSL_CA_FILE, read);
    if (config.KAFKA_SSL_CERT_FILE)
      security.ssl.cert = readVariableFile('KAFKA_SSL_CERT_FILE', config.KAFKA_SSL_CERT_FILE, read);
    if (config.KAFKA_SSL_KEY_FILE)
      security.ssl.key = readVariableFile('KAFKA_SSL_KEY_FILE', config.KAFKA_SSL_KEY_FILE, read);
  }

  const mechanism = config.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (mechanism === undefined) {
    const stray = (['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const).find(
      (name) => config[name] !== undefined,
    );
    if (stray) throw new ConfigError(stray, 'is set but KAFKA_SASL_MECHANISM is not');
    return security;
  }
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new ConfigError(
      'KAFKA_SASL_MECHANISM',
      `must be one of ${SASL_MECHANISMS.join(', ')}, got "${config.KAFKA_SASL_MECHANISM}"`,
    );
  }
  if (!config.KAFKA_SASL_USERNAME)
    throw new ConfigError('KAFKA_SASL_USERNAME', `is required with KAFKA_SASL_MECHANISM=${mechanism}`);
  if (config.KAFKA_SASL_PASSWORD !== undefined && config.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    throw new ConfigError('KAFKA_SASL_PASSWORD_FILE', 'must not be set together with KAFKA_SASL_PASSWORD');
  }
  // A mounted Secret usually ends with a newline that is not part of the password.
  const password =
    config.KAFKA_SASL_PASSWORD ??
    (config.KAFKA_SASL_PASSWORD_FILE === undefined
      ? undefined
      : readVariableFile('KAFKA_SASL_PASSWORD_FILE', config.KAFKA_SASL_PASSWORD_FILE, read).replace(
          /\r?\n$/,
          '',
        ));
  if (!password)
    throw new ConfigError(
      'KAFKA_SASL_PASSWORD',
      `(or KAFKA_SASL_PASSWORD_FILE) is required with KAFKA_SASL_MECHANISM=${mechanism}`,
    );
  if (mechanism === 'plain' && !security.ssl) {
    // PLAIN sends the password as it is: refuse it over an unencrypted connection.
    throw new ConfigError(
      'KAFKA_SASL_MECHANISM',
      'plain needs KAFKA_SSL=true (it sends the password in clear text)',
    );
  }
  security.sasl = { mechanism: mechanism as SaslMechanism, username: config.KAFKA_SASL_USERNAME, password };
  return security;
}

/** Parses and checks the security variables of `source` (tools and tests that have no app config). */
export function loadKafkaSecurity(
  source: Record<string, string | undefined> = process.env,
  read: ReadFile = readUtf8,
): KafkaSecurity {
  return kafkaSecurityFromEnv(loadConfig(kafkaSecurityConfig, source), read);
}
