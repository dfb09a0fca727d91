import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '@app/event-store';

/**
 * API keys: 32 random bytes (base64url, prefixed "sk_"). Only the sha256 is stored: with 256 bits
 * of entropy a fast hash is enough (no dictionary to attack), and lookups stay one index probe.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return 'sk_' + randomBytes(32).toString('base64url');
}

export async function createApiKey(
  client: Queryable,
  fleetId: string,
  name: string,
  key = generateApiKey(),
): Promise<string> {
  if (!fleetId.trim()) throw new Error('fleet id is empty');
  if (key.length < 16) throw new Error('an API key must be at least 16 characters');
  await client.query(
    `insert into api_keys (key_hash, fleet_id, name) values ($1, $2, $3)
     on conflict (key_hash) do update set revoked_at = null where api_keys.fleet_id = excluded.fleet_id`,
    [hashApiKey(key), fleetId, name],
  );
  const { rows } = await client.query<{ fleet_id: string }>(
    'select fleet_id from api_keys where key_hash = $1',
    [hashApiKey(key)],
  );
  if (rows[0]?.fleet_id !== fleetId) throw new Error('this key already belongs to another fleet');
  return key;
}

/** The fleet a key belongs to, or null (unknown or revoked). */
export async function fleetOfApiKey(client: Queryable, key: string): Promise<string | null> {
  const { rows } = await client.query<{ fleet_id: string }>(
    'select fleet_id from api_keys where key_hash = $1 and revoked_at is null',
    [hashApiKey(key)],
  );
  return rows[0]?.fleet_id ?? null;
}
