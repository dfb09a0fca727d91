/**
 * Sets a fleet's webhook endpoint and prints the signing secret (X-Hub-Signature-256).
 *   node scripts/run-ts.mjs apps/session-service/src/cli/set-webhook.ts <fleetId> <url> [secret]
 */
import { Client } from 'pg';
import { ConfigError } from '@app/config';
import { setWebhookEndpoint } from '../application/webhooks';
import { loadSessionServiceConfig } from '../config';

async function main(): Promise<void> {
  const [fleetId, url, secret] = process.argv.slice(2).filter((a) => a !== '--');
  if (!fleetId || !url) {
    process.stderr.write('usage: set-webhook.ts <fleetId> <url> [secret]\n');
    process.exit(2);
  }
  const client = new Client({ connectionString: loadSessionServiceConfig().DATABASE_URL });
  await client.connect();
  try {
    const s = await setWebhookEndpoint(client, fleetId, url, secret);
    process.stdout.write(JSON.stringify({ fleet_id: fleetId, url, secret: s }) + '\n');
  } finally {
    await client.end();
  }
}

main().catch((e) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : `could not set the webhook: ${(e as Error).message}`}\n`,
  );
  process.exit(1);
});
