/**
 * `node scripts/run-ts.mjs apps/billing-service/src/cli/correct-charge.ts <chargeId> [--actor NAME] < correction.json`
 *
 * Books a correction from the command line, as POST /v1/charges/:id/corrections does (same use
 * case): the reversal of the charge and, unless `"cancel": true`, a new charge priced from the
 * original inputs with the corrected ones, both with the reason. stdin:
 * `{ "reason": "meter replaced", "meter_stop": 16000 }` or `{ "reason": "...", "cancel": true }`.
 * Prints `{ "reversal": {...}, "charge": {...} }`. The running service's outbox relay publishes
 * both ChargeCalculated records (they are stored in the same transaction). Both, and the audit log
 * entry, name the actor `{ kind: 'cli', id }`: `--actor NAME`, or the operating-system user.
 * Config: DATABASE_URL, AUTH_DATABASE_URL (the audit log).
 */
import os from 'node:os';
import { Pool } from 'pg';
import { cliActor } from '@app/auth/audit';
import { ConfigError, env, loadConfig } from '@app/config';
import { billingUseCases, exportSettingsOf } from '../composition';
import { loadBillingServiceConfig } from '../config';
import { toChargeView } from '../domain/charge-view';
import { BillingError } from '../domain/errors';
import { PostgresAuditTrail } from '../infrastructure/audit-trail';
import { createPool } from '../infrastructure/database/pool';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const actorAt = args.indexOf('--actor');
  const [chargeId] = args.filter((_, i) => actorAt < 0 || (i !== actorAt && i !== actorAt + 1));
  if (!chargeId || process.stdin.isTTY) {
    process.stderr.write(
      'usage: correct-charge.ts <chargeId> [--actor NAME] < {"reason": "...", "meter_stop": 16000 | "tariff": {...} | "cancel": true}\n',
    );
    return 2;
  }
  let actor;
  try {
    actor = cliActor(args, () => os.userInfo().username);
  } catch (e) {
    process.stderr.write(`correct-charge: ${(e as Error).message}\n`);
    return 2;
  }
  let body: unknown;
  try {
    body = JSON.parse(await readStdin());
  } catch (e) {
    process.stderr.write(`correct-charge: stdin is not JSON: ${(e as Error).message}\n`);
    return 2;
  }
  let pool;
  let auditPool: Pool | undefined;
  try {
    const config = loadBillingServiceConfig();
    pool = createPool(config.DATABASE_URL, 1);
    const { AUTH_DATABASE_URL } = loadConfig(
      { AUTH_DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/access', ['postgres', 'postgresql']) },
      process.env,
    );
    auditPool = new Pool({ connectionString: AUTH_DATABASE_URL, max: 1 });
    const { correctCharge } = billingUseCases({
      pool,
      exportPool: pool,
      audit: new PostgresAuditTrail(auditPool),
      // No relay runs here: the running service's relay publishes the committed charges.
      outbox: { wake: () => undefined },
      exportSettings: exportSettingsOf(config),
    });
    const result = await correctCharge.execute(chargeId, body, actor);
    process.stdout.write(
      JSON.stringify(
        { reversal: toChargeView(result.reversal), charge: result.charge && toChargeView(result.charge) },
        null,
        2,
      ) + '\n',
    );
    return 0;
  } catch (e) {
    if (e instanceof BillingError || e instanceof ConfigError) {
      process.stderr.write(`correct-charge: ${e.message}\n`);
      return e instanceof BillingError && e.status === 404 ? 3 : 2;
    }
    throw e;
  } finally {
    await pool?.end();
    await auditPool?.end();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`correct-charge failed: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);
