import { ConfigError } from '@app/config';
import { kafkajsSecurityOptions } from './client';
import { loadKafkaSecurity } from './security';

const FILES: Record<string, string> = {
  '/s/ca.pem': 'CA PEM',
  '/s/client.pem': 'CLIENT CERT',
  '/s/client.key': 'CLIENT KEY',
  '/s/password': 'from-a-secret\n',
};
const read = (file: string): string => {
  const content = FILES[file];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  return content;
};

function refusal(source: Record<string, string>): { variable: string; message: string } {
  try {
    loadKafkaSecurity(source, read);
  } catch (e) {
    if (e instanceof ConfigError) return { variable: e.variable, message: e.message };
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(source)}`);
}

describe('Kafka security from the environment', () => {
  it('is plaintext without authentication when nothing is set', () => {
    expect(loadKafkaSecurity({}, read)).toEqual({});
    expect(kafkajsSecurityOptions(loadKafkaSecurity({}, read))).toEqual({});
  });

  it('reads the CA, the client certificate and a password file (without its trailing newline)', () => {
    const security = loadKafkaSecurity(
      {
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: '/s/ca.pem',
        KAFKA_SSL_CERT_FILE: '/s/client.pem',
        KAFKA_SSL_KEY_FILE: '/s/client.key',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'ocpp-gateway',
        KAFKA_SASL_PASSWORD_FILE: '/s/password',
      },
      read,
    );
    expect(security).toEqual({
      ssl: { ca: 'CA PEM', cert: 'CLIENT CERT', key: 'CLIENT KEY', rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'ocpp-gateway', password: 'from-a-secret' },
    });
    expect(kafkajsSecurityOptions(security)).toEqual({
      ssl: { ca: 'CA PEM', cert: 'CLIENT CERT', key: 'CLIENT KEY', rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'ocpp-gateway', password: 'from-a-secret' },
    });
  });

  it('trusts the system CAs when only KAFKA_SSL is set, and can skip verification on request', () => {
    expect(loadKafkaSecurity({ KAFKA_SSL: 'true' }, read)).toEqual({ ssl: { rejectUnauthorized: true } });
    expect(loadKafkaSecurity({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }, read)).toEqual({
      ssl: { rejectUnauthorized: false },
    });
  });

  it.each(['scram-sha-256', 'scram-sha-512'])(
    'accepts SASL %s without TLS (the password never crosses the wire)',
    (mechanism) => {
      expect(
        loadKafkaSecurity(
          { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
          read,
        ),
      ).toEqual({
        sasl: { mechanism, username: 'u', password: 'p' },
      });
    },
  );

  it.each<[string, Record<string, string>, RegExp]>([
    ['KAFKA_SSL', { KAFKA_SSL: 'maybe' }, /must be true or false/],
    [
      'KAFKA_SSL_REJECT_UNAUTHORIZED',
      { KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'nope' },
      /must be true or false/,
    ],
    ['KAFKA_SSL_CA_FILE', { KAFKA_SSL_CA_FILE: '/s/ca.pem' }, /KAFKA_SSL is not true/],
    [
      'KAFKA_SSL_CA_FILE',
      { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/s/missing.pem' },
      /cannot be read \(\/s\/missing.pem: ENOENT\)/,
    ],
    ['KAFKA_SSL_KEY_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/s/client.pem' }, /together/],
    ['KAFKA_SSL_CERT_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_KEY_FILE: '/s/client.key' }, /together/],
    [
      'KAFKA_SASL_MECHANISM',
      { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      /must be one of scram-sha-512, scram-sha-256, plain, got "gssapi"/,
    ],
    [
      'KAFKA_SASL_USERNAME',
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'p' },
      /is required/,
    ],
    [
      'KAFKA_SASL_PASSWORD',
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' },
      /is required/,
    ],
    [
      'KAFKA_SASL_PASSWORD_FILE',
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: '/s/none',
      },
      /cannot be read/,
    ],
    [
      'KAFKA_SASL_PASSWORD_FILE',
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_SASL_PASSWORD_FILE: '/s/password',
      },
      /not be set together/,
    ],
    ['KAFKA_SASL_USERNAME', { KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_MECHANISM is not/],
    [
      'KAFKA_SASL_MECHANISM',
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      /needs KAFKA_SSL=true/,
    ],
  ])('refuses a bad %s by name', (variable, source, message) => {
    const got = refusal(source);
    expect(got.variable).toBe(variable);
    expect(got.message).toMatch(new RegExp(`^invalid configuration: ${variable} `));
    expect(got.message).toMatch(message);
  });

  it('accepts PLAIN over TLS', () => {
    expect(
      loadKafkaSecurity(
        {
          KAFKA_SSL: 'true',
          KAFKA_SASL_MECHANISM: 'plain',
          KAFKA_SASL_USERNAME: 'u',
          KAFKA_SASL_PASSWORD: 'p',
        },
        read,
      ).sasl,
    ).toEqual({ mechanism: 'plain', username: 'u', password: 'p' });
  });
});
