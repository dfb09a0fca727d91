import { randomBytes } from 'node:crypto';
import { loadConfig } from '@app/config';
import { webhookConfigSchema, webhookDelivery, webhookSettingsFromConfig } from './webhook-delivery';

describe('WEBHOOK_* configuration', () => {
  const load = (env: Record<string, string>) =>
    webhookSettingsFromConfig(loadConfig(webhookConfigSchema, env));

  it('defaults to production: https only, no exempt address, no key (no new webhooks)', () => {
    const s = load({});
    expect(s).toMatchObject({
      allowHttp: false,
      allowedAddresses: [],
      secretKey: undefined,
      previousSecretKeys: [],
    });
    const { transport, box } = webhookDelivery(s);
    expect(box).toBeNull();
    expect(() => transport.checkUrl('http://hooks.example.com/')).toThrow('https');
    expect(() => transport.checkUrl('https://127.0.0.1/')).toThrow('non-public');
  });

  it('reads the key and the dev-stack exceptions', () => {
    const key = randomBytes(32);
    const s = load({
      WEBHOOK_SECRET_KEY: key.toString('base64'),
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1, ::1,10.9.0.0/16',
    });
    expect(s.secretKey).toEqual(key);
    expect(s.allowedAddresses).toEqual(['127.0.0.1', '::1', '10.9.0.0/16']);
    expect(webhookDelivery(s).transport.checkUrl('http://127.0.0.1:8080/x').port).toBe('8080');
  });

  it.each([
    ['WEBHOOK_SECRET_KEY', 'c2hvcnQ='],
    ['WEBHOOK_SECRET_KEY', 'not base64 at all, not base64 at all, not b'],
    ['WEBHOOK_SECRET_PREVIOUS_KEYS', `${randomBytes(32).toString('base64')},abc`],
    ['WEBHOOK_ALLOWED_ADDRESSES', '127.0.0.1,localhost'],
    ['WEBHOOK_ALLOWED_ADDRESSES', '10.0.0.0/40'],
    ['WEBHOOK_ALLOW_HTTP', 'maybe'],
    ['WEBHOOK_TIMEOUT_MS', '0'],
    ['WEBHOOK_MAX_RESPONSE_BYTES', '-1'],
  ])('a bad %s stops the app with a message naming it', (name, value) => {
    expect(() => load({ [name]: value })).toThrow(`invalid configuration: ${name} `);
  });
});
