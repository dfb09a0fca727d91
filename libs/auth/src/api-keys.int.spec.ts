import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { ApiKeyExistsError, ApiKeyInputError, ApiKeyStore, hashApiKey } from './api-keys';
import { migrateAuthDatabase } from './database/data-source';

describe('ApiKeyStore (Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: ApiKeyStore;

  beforeAll(async () => {
    db = await createTestDatabase('auth_keys');
    expect(await migrateAuthDatabase(db.url)).toContain('AuthApiKeys1733000000000');
    pool = new Pool({ connectionString: db.url, max: 2 });
    store = new ApiKeyStore(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('stores only the hash and shows the key once', async () => {
    const { key, record } = await store.create({ name: 'ops', roles: ['operator', 'finance'] });
    expect(key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    const { rows } = await pool.query('select * from auth_api_keys where id = $1', [record.id]);
    expect(rows[0].key_hash).toBe(hashApiKey(key));
    expect(JSON.stringify(rows[0])).not.toContain(key);
    expect(await store.findByHash(hashApiKey(key))).toMatchObject({
      roles: ['operator', 'finance'],
      fleet: null,
    });
  });

  it('refuses a fleet role without a fleet, and a fleet without the role', async () => {
    await expect(store.create({ name: 'x', roles: ['fleet'] })).rejects.toThrow(ApiKeyInputError);
    await expect(store.create({ name: 'x', roles: ['admin'], fleet: 'f' })).rejects.toThrow(ApiKeyInputError);
    // The database says the same when our code is bypassed.
    await expect(
      pool.query(
        `insert into auth_api_keys (id, key_hash, name, roles) values (gen_random_uuid(), $1, 'raw', '{fleet}')`,
        ['a'.repeat(64)],
      ),
    ).rejects.toThrow(/auth_api_keys_fleet_iff_fleet_role/);
  });

  it('never makes a revoked key valid again, by create, ensure or SQL', async () => {
    const key = 'chosen-key-0123456789-revoked';
    const record = await store.ensure({ key, name: 'demo', roles: ['fleet'], fleet: 'demo' });
    expect(await store.ensure({ key, name: 'demo', roles: ['fleet'], fleet: 'demo' })).toMatchObject({
      id: record.id,
    });
    const revoked = await store.revoke(record.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect((await store.revoke(record.id)).revokedAt).toEqual(revoked.revokedAt);
    expect(await store.findByHash(hashApiKey(key))).toBeNull();
    await expect(store.create({ key, name: 'demo', roles: ['fleet'], fleet: 'demo' })).rejects.toMatchObject({
      revoked: true,
    });
    await expect(store.ensure({ key, name: 'demo', roles: ['fleet'], fleet: 'demo' })).rejects.toThrow(
      ApiKeyExistsError,
    );
    await expect(
      pool.query('update auth_api_keys set revoked_at = null where id = $1', [record.id]),
    ).rejects.toThrow(/stays revoked/);
    await expect(pool.query('delete from auth_api_keys where id = $1', [record.id])).rejects.toThrow(
      /never deleted/,
    );
    expect(await store.findByHash(hashApiKey(key))).toBeNull();
  });

  it('refuses the same chosen key with other roles', async () => {
    const key = 'chosen-key-0123456789-roles';
    await store.ensure({ key, name: 'a', roles: ['finance'] });
    await expect(store.ensure({ key, name: 'a', roles: ['admin'] })).rejects.toMatchObject({
      revoked: false,
    });
  });

  it('lists keys without their secrets and records their last use', async () => {
    const { record } = await store.create({ name: 'listed', roles: ['admin'] });
    await store.touch(record.id);
    const listed = (await store.list()).find((k) => k.id === record.id)!;
    expect(listed.lastUsedAt).toBeInstanceOf(Date);
    expect(Object.keys(listed).sort()).toEqual([
      'createdAt',
      'fleet',
      'id',
      'lastUsedAt',
      'name',
      'revokedAt',
      'roles',
    ]);
  });
});
