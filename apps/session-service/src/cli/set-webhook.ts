/**
 * Webhooks from the command line (fleets use `POST /v1/webhooks`; this is for support and for
 * moving a pump integration over with its existing secret):
 *   node scripts/run-ts.mjs apps/session-service/src/cli/set-webhook.ts <fleetId> <url> [secret]
 *     adds a webhook to the fleet and prints {"id","fleet_id","url","secret"} (the only time the secret is shown)
 *   node scripts/run-ts.mjs apps/session-service/src/cli/set-webhook.ts --reseal
 *     seals plaintext secrets of the old CLI and rows of a previous key with WEBHOOK_SECRET_KEY
 * Every change is audited with the actor {kind: "cli", id: <OS user or --actor NAME>}.
 */
import { userInfo } from 'node:os';
import { Pool } from 'pg';
import { ConfigError, loadConfig } from '@app/config';
import { cliActor, recordAudit } from '@app/auth/audit';
import { authConfigSchema } from '@app/auth/config';
import { ManageWebhooks, WebhookOutbox } from '../application/webhooks';
import { loadSessionServiceConfig } from '../config';
import { webhookDelivery, webhookSettingsFromConfig } from '../infrastructure/webhook-delivery';
import { PostgresTransactionRunner } from '../infrastructure/database/transaction-runner';
import { PostgresWebhookStore, sealWebhookSecrets } from '../infrastructure/database/webhook-store';

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const actor = cliActor(argv, () => userInfo().username);
  const at = argv.indexOf('--actor');
  const args = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv;
  const config = loadSessionServiceConfig();
  const auth = loadConfig({ AUTH_DATABASE_URL: authConfigSchema.AUTH_DATABASE_URL });
  if (!config.WEBHOOK_SECRET_KEY) throw new ConfigError('WEBHOOK_SECRET_KEY', 'is required but not set');
  const [fleetId, url, secret] = args;
  if (args[0] !== '--reseal' && (!fleetId || !url)) {
    process.stderr.write('usage: set-webhook.ts <fleetId> <url> [secret] [--actor NAME] | --reseal\n');
    process.exit(2);
  }
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 2 });
  const auditPool = new Pool({ connectionString: auth.AUTH_DATABASE_URL, max: 1 });
  try {
    const { transport, box } = webhookDelivery(webhookSettingsFromConfig(config));
    const store = new PostgresWebhookStore(pool);
    const manage = new ManageWebhooks(
      new PostgresTransactionRunner(pool),
      store,
      box,
      transport,
      new WebhookOutbox(store),
    );
    if (args[0] === '--reseal') {
      const n = await sealWebhookSecrets(pool, box!);
      process.stdout.write(JSON.stringify({ resealed: n }) + '\n');
      return;
    }
    const input = manage.validate({ url });
    const created = await manage.create(
      fleetId,
      input,
      (webhook) =>
        recordAudit(auditPool, {
          actor,
          action: 'webhook.created',
          target: { type: 'webhook', id: webhook.id },
          service: 'session-service',
          details: {
            fleet: fleetId,
            origin: new URL(webhook.url).origin,
            events: webhook.events,
            via: 'set-webhook',
          },
        }),
      secret,
    );
    process.stdout.write(
      JSON.stringify({ id: created.webhook.id, fleet_id: fleetId, url, secret: created.secret }) + '\n',
    );
  } finally {
    await pool.end();
    await auditPool.end();
  }
}

main().catch((e) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : `could not set the webhook: ${(e as Error).message}`}\n`,
  );
  process.exit(1);
});
