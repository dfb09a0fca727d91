/**
 * Creates an API key for a fleet and prints it once (only its sha256 is stored).
 *   npm run -s apikey:create -- <fleetId> [name]
 * Uses DATABASE_URL (default: the session-service database).
 */
import { Client } from 'pg';
import { ConfigError } from '@app/config';
import { createApiKey } from '../application/api-keys';
import { loadSessionServiceConfig } from '../config';

async function main(): Promise<void> {
  const [fleetId, name = 'cli'] = process.argv.slice(2).filter((a) => a !== '--');
  if (!fleetId || fleetId.startsWith('-')) {
    process.stderr.write('usage: npm run -s apikey:create -- <fleetId> [name]\n');
    process.exit(2);
  }
  const config = loadSessionServiceConfig();
  const client = new Client({ connectionString: config.DATABASE_URL });
  await client.connect();
  try {
    const key = await createApiKey(client, fleetId, name);
    process.stdout.write(JSON.stringify({ fleet_id: fleetId, name, api_key: key }) + '\n');
  } finally {
    await client.end();
  }
}

main().catch((e) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : `could not create the key: ${(e as Error).message}`}\n`,
  );
  process.exit(1);
});
