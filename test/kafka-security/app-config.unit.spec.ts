/**
 * Every app reads the Kafka security variables and refuses a bad one at start, naming it
 * (the parser itself is tested in libs/kafka/src/security.unit.spec.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@app/config';
import { kafkaSecurityFromEnv } from '@app/kafka';
import { loadOcppGatewayConfig } from '../../apps/ocpp-gateway/src/config';
import { loadSessionServiceConfig } from '../../apps/session-service/src/config';
import { loadBillingServiceConfig } from '../../apps/billing-service/src/config';

const LOADERS = {
  'ocpp-gateway': loadOcppGatewayConfig,
  'session-service': loadSessionServiceConfig,
  'billing-service': loadBillingServiceConfig,
} as const;

describe.each(Object.entries(LOADERS))('%s Kafka security configuration', (_app, load) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-sec-'));
  const ca = path.join(dir, 'ca.pem');
  const passwordFile = path.join(dir, 'password');
  fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  fs.writeFileSync(passwordFile, 's3cret\n');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('connects in plaintext by default and with TLS + SCRAM when told to', () => {
    expect(kafkaSecurityFromEnv(load({}))).toEqual({});
    const config = load({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'app',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    });
    expect(kafkaSecurityFromEnv(config)).toEqual({
      ssl: { ca: fs.readFileSync(ca, 'utf8'), rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 's3cret' },
    });
  });

  it.each<[string, Record<string, string>]>([
    ['KAFKA_SSL', { KAFKA_SSL: 'sometimes' }],
    ['KAFKA_SSL_CA_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }],
    [
      'KAFKA_SASL_MECHANISM',
      { KAFKA_SASL_MECHANISM: 'kerberos', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
    ],
    [
      'KAFKA_SASL_PASSWORD_FILE',
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: '/nonexistent/pw',
      },
    ],
    ['KAFKA_SASL_USERNAME', { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: 'p' }],
  ])('stops at load with a ConfigError naming %s', (variable, source) => {
    let error: unknown;
    try {
      load(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(new RegExp(`^invalid configuration: ${variable} `));
  });
});
