import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { ApiKeyStore, ApiKeyVerifier, Authenticator, migrateAuthDatabase } from '@app/auth';
import { createTestDatabase, type TestDatabase } from '@app/testing';

/**
 * The old guard cached raw, attacker-chosen keys (up to 10,000 × 16 KB) and asked the database for
 * each new one. Now: oversized keys cost nothing, the caches hold hashes within their bound, and a
 * repeated invalid key costs one query per cache period, against the real credentials table.
 */
describe('API key caches under attacker-chosen keys (real Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let queries = 0;
  let auth: Authenticator;
  let verifier: ApiKeyVerifier;

  beforeAll(async () => {
    db = await createTestDatabase('sec_key_cache');
    await migrateAuthDatabase(db.url);
    pool = new Pool({ connectionString: db.url, max: 3 });
    const counting = {
      query: (text: string, values?: unknown[]) => {
        queries++;
        return pool.query(text, values);
      },
    };
    const store = new ApiKeyStore(counting as unknown as Pool);
    await store.create({ key: 'sk_cache_valid_key_0123456789', name: 'valid', roles: ['finance'] });
    verifier = new ApiKeyVerifier(store, { cacheMs: 60_000, maxValid: 100, maxInvalid: 500 });
    auth = new Authenticator(verifier, null);
    queries = 0;
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const attempt = (key: string) =>
    auth.authenticate({ 'x-api-key': key }).then(
      () => 200,
      (e: { status: number }) => e.status,
    );

  it('refuses 3,000 keys of 16 KB without a query or a cache entry', async () => {
    const before = queries;
    for (let i = 0; i < 3000; i++) expect(await attempt(randomBytes(8 * 1024).toString('hex'))).toBe(401);
    expect(queries - before).toBe(0);
    expect((verifier as unknown as { invalid: { size: number } }).invalid.size).toBe(0);
  });

  it('answers a repeated invalid key from the cache, and keeps the negative cache at its bound', async () => {
    const before = queries;
    for (let i = 0; i < 1000; i++) expect(await attempt('sk_the_same_wrong_key_0123456789')).toBe(401);
    expect(queries - before).toBe(1);
    for (let i = 0; i < 2000; i++) await attempt(`sk_fresh_${i}_${randomBytes(90).toString('hex')}`);
    const caches = verifier as unknown as { invalid: { size: number }; valid: { size: number } };
    expect(caches.invalid.size).toBe(500);
    // The flood evicted nothing the valid key needs: it is still answered without a query.
    await attempt('sk_cache_valid_key_0123456789');
    const afterValid = queries;
    expect(await attempt('sk_cache_valid_key_0123456789')).toBe(200);
    expect(queries).toBe(afterValid);
  });
});
