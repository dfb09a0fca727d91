import { Client } from 'pg';
import { ApiKeyStore, type NewApiKey } from './api-keys';
import { migrateAuthDatabase } from './database/data-source';
import type { Role } from './principal';

/**
 * Migrates a credentials database and ensures the given keys in it: for tests, benches and the
 * dev stack, which choose their keys (production keys come from `npm run apikey:create`).
 */
export async function provisionApiKeys(url: string, keys: Array<NewApiKey & { key: string }>): Promise<void> {
  await migrateAuthDatabase(url);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const store = new ApiKeyStore(client);
    for (const key of keys) await store.ensure(key);
  } finally {
    await client.end();
  }
}

/** One key per single role (fleet keys bound to `fleet`), the way the route walk calls every route. */
export function keysPerRole(prefix: string, fleet: string): Record<Role, NewApiKey & { key: string }> {
  const make = (role: Role): NewApiKey & { key: string } => ({
    key: `${prefix}-${role}-0123456789abcdef`,
    name: `test ${role}`,
    roles: [role],
    fleet: role === 'fleet' ? fleet : null,
  });
  return { fleet: make('fleet'), operator: make('operator'), finance: make('finance'), admin: make('admin') };
}
