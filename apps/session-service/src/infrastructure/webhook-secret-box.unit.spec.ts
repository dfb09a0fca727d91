import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { parseSecretKey, WebhookSecretBox } from './webhook-secret-box';

describe('webhook secret box (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const box = new WebhookSecretBox(key);
  const id = '7d4f3a0e-9c1b-4a57-8d2e-1f6b5c3a9e00';

  it('opens what it sealed, never stores the plaintext, and uses a new nonce each time', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (secret) => {
        const a = box.seal(secret, id);
        const b = box.seal(secret, id);
        expect(a).not.toBe(b);
        expect(a).not.toContain(Buffer.from(secret).toString('base64url'));
        expect(box.open(a, id)).toBe(secret);
        expect(box.open(b, id)).toBe(secret);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a tampered ciphertext, another row id, and an unknown key', () => {
    const sealed = box.seal('whsec_abc', id);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([...parts.slice(0, 3), flipped.toString('base64url')].join('.'), id)).toThrow();
    expect(() => box.open(sealed, '00000000-0000-4000-8000-000000000000')).toThrow();
    expect(() => new WebhookSecretBox(randomBytes(32)).open(sealed, id)).toThrow('unknown key');
    expect(() => box.open('plaintext-secret', id)).toThrow('not a sealed');
  });

  it('a rotation keeps the previous key for opening and marks its rows stale', () => {
    const next = new WebhookSecretBox(randomBytes(32), [key]);
    const old = box.seal('whsec_old', id);
    expect(next.open(old, id)).toBe('whsec_old');
    expect(next.isStale(old)).toBe(true);
    expect(next.isStale(next.seal('whsec_new', id))).toBe(false);
  });

  it('WEBHOOK_SECRET_KEY is 32 bytes of base64', () => {
    const k = randomBytes(32);
    expect(parseSecretKey(k.toString('base64'))).toEqual(k);
    expect(parseSecretKey(k.toString('base64url'))).toEqual(k);
    expect(parseSecretKey(randomBytes(16).toString('base64'))).toBeNull();
    expect(parseSecretKey('x'.repeat(44))).toBeNull();
    expect(parseSecretKey('')).toBeNull();
  });
});
