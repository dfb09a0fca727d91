import { ApiKeyVerifier } from './api-key-verifier';
import { hashApiKey, type ApiKeyRecord, type ApiKeyStore } from './api-keys';
import { Authenticator } from './authenticator';
import { AuthError } from './errors';

const KEY = 'sk_valid-key-0123456789abcdef';

function fakeStore(records: Record<string, ApiKeyRecord>) {
  const calls = { find: 0, touch: 0 };
  const store = {
    findByHash: async (hash: string) => {
      calls.find++;
      return records[hash] ?? null;
    },
    touch: async () => {
      calls.touch++;
    },
  } as unknown as ApiKeyStore;
  return { store, calls };
}

const record: ApiKeyRecord = {
  id: '6f1c1a52-5c43-4b4a-9d8e-2b1f0e7d9a10',
  name: 'fleet one',
  roles: ['fleet'],
  fleet: 'fleet-1',
  createdAt: new Date(0),
  lastUsedAt: null,
  revokedAt: null,
};

describe('ApiKeyVerifier', () => {
  it('asks the store once per key within the cache time, valid or not', async () => {
    let now = 0;
    const { store, calls } = fakeStore({ [hashApiKey(KEY)]: record });
    const v = new ApiKeyVerifier(store, { cacheMs: 1000, now: () => now });
    expect(await v.verify(KEY)).toMatchObject({ kind: 'api_key', id: record.id, fleet: 'fleet-1' });
    expect(await v.verify(KEY)).not.toBeNull();
    expect(await v.verify('sk_unknown-key-0123456789')).toBeNull();
    expect(await v.verify('sk_unknown-key-0123456789')).toBeNull();
    expect(calls.find).toBe(2);
    now = 1000;
    await v.verify(KEY);
    expect(calls.find).toBe(3);
  });

  it('shares one lookup between concurrent requests with the same key', async () => {
    const { store, calls } = fakeStore({ [hashApiKey(KEY)]: record });
    const v = new ApiKeyVerifier(store);
    await Promise.all(Array.from({ length: 20 }, () => v.verify(KEY)));
    expect(calls.find).toBe(1);
  });

  it('refuses malformed lengths without a lookup', async () => {
    const { store, calls } = fakeStore({});
    const v = new ApiKeyVerifier(store);
    expect(await v.verify('short')).toBeNull();
    expect(await v.verify('x'.repeat(16 * 1024))).toBeNull();
    expect(calls.find).toBe(0);
  });

  it('keeps memory bounded under a flood of fresh invalid keys, and keeps the valid ones', async () => {
    const { store, calls } = fakeStore({ [hashApiKey(KEY)]: record });
    const v = new ApiKeyVerifier(store, { maxValid: 10, maxInvalid: 50, cacheMs: 60_000 });
    await v.verify(KEY);
    for (let i = 0; i < 500; i++) await v.verify(`sk_junk-${i}-${'x'.repeat(200)}`);
    const internal = v as unknown as { invalid: { size: number }; valid: { size: number } };
    expect(internal.invalid.size).toBe(50);
    const before = calls.find;
    expect(await v.verify(KEY)).not.toBeNull();
    expect(calls.find).toBe(before); // still cached
  });

  it('writes last_used_at at most once per key and interval', async () => {
    let now = 0;
    const { store, calls } = fakeStore({ [hashApiKey(KEY)]: record });
    const v = new ApiKeyVerifier(store, { cacheMs: 10, touchIntervalMs: 60_000, now: () => now });
    for (let i = 0; i < 100; i++) {
      now += 20;
      await v.verify(KEY);
    }
    expect(calls.touch).toBe(1);
    now += 60_000;
    await v.verify(KEY);
    expect(calls.touch).toBe(2);
  });
});

describe('Authenticator', () => {
  const { store } = fakeStore({ [hashApiKey(KEY)]: record });
  const auth = new Authenticator(new ApiKeyVerifier(store), null);
  const code = async (headers: Record<string, string | string[]>) =>
    auth.authenticate(headers).then(
      () => 'ok',
      (e: AuthError) => `${e.status} ${e.message}`,
    );

  it('accepts a valid key', async () => {
    expect(await code({ 'x-api-key': KEY })).toBe('ok');
  });

  it('answers 401 naming what is wrong', async () => {
    expect(await code({})).toMatch(/^401 a credential is required/);
    expect(await code({ 'x-api-key': 'sk_not-a-known-key-000' })).toBe('401 x-api-key is not valid');
    expect(await code({ 'x-api-key': [KEY, KEY] })).toMatch(/^401 x-api-key must be given once/);
    expect(await code({ 'x-api-key': KEY, authorization: 'Bearer abc' })).toMatch(/^401 send one credential/);
    expect(await code({ authorization: 'Basic YTpi' })).toMatch(/^401 Authorization must be "Bearer/);
    expect(await code({ authorization: 'Bearer a.b.c' })).toMatch(/^401 bearer tokens are not accepted here/);
  });

  it('answers 503 when the store cannot be asked', async () => {
    const failing = {
      findByHash: async () => Promise.reject(new Error('ECONNREFUSED')),
    } as unknown as ApiKeyStore;
    const down = new Authenticator(new ApiKeyVerifier(failing), null);
    await expect(down.authenticate({ 'x-api-key': KEY })).rejects.toMatchObject({
      status: 503,
      code: 'AUTH_UNAVAILABLE',
    });
  });
});
