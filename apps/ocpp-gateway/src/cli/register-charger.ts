/**
 * Registers a charger (or updates it: a new password replaces the old one at once, so the old one
 * is refused from the next handshake), and optionally id tags of its fleet.
 *
 *   npm run -s charger:register -- --id CP-1 --fleet acme --password 's3cret-at-least-16' \
 *     [--evse 1=DE*2GO*EMCD1311*1A*2 --evse 2=...] [--id-tag AABBCCDD ...]
 *
 * The password may come from env CHARGER_PASSWORD instead of the command line (keeps it out of
 * shell history). DATABASE_URL defaults to the dev stack's ocpp_gateway database.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, env } from '@app/config';
import { hashChargerPassword } from '@app/ocpp/charger-password';
import { isValidChargePointId } from '../domain/charge-point-id';
import { createDataSource } from '../infrastructure/database/data-source';
import { PgChargerRepository } from '../infrastructure/database/repositories/pg-charger.repository';

export class UsageError extends Error {}

export interface RegisterChargerInput {
  id: string;
  fleetId: string;
  password: string;
  evseIds: Record<string, string>;
  idTags: string[];
}

export function parseRegisterArgs(
  argv: string[],
  environment: Record<string, string | undefined>,
): RegisterChargerInput {
  const { values } = parseArgs({
    args: argv,
    options: {
      id: { type: 'string' },
      fleet: { type: 'string' },
      password: { type: 'string' },
      evse: { type: 'string', multiple: true },
      'id-tag': { type: 'string', multiple: true },
    },
    strict: true,
  });
  if (!values.id || !isValidChargePointId(values.id))
    throw new UsageError('--id: 1-48 printable ASCII characters without "/" required');
  if (!values.fleet || !/^[A-Za-z0-9._-]{1,64}$/.test(values.fleet))
    throw new UsageError('--fleet: 1-64 characters of A-Z a-z 0-9 . _ - required');
  const password = values.password ?? environment.CHARGER_PASSWORD;
  // OCPP 1.6 security whitepaper: the AuthorizationKey is 16 to 40 characters.
  if (!password || password.length < 16 || password.length > 40)
    throw new UsageError('--password (or CHARGER_PASSWORD): 16 to 40 characters required');
  const evseIds: Record<string, string> = {};
  for (const spec of values.evse ?? []) {
    const match = /^(\d{1,3})=(.{1,64})$/.exec(spec);
    if (!match || Number(match[1]) < 1)
      throw new UsageError(`--evse "${spec}": expected <connectorId ≥ 1>=<EVSE id>`);
    evseIds[String(Number(match[1]))] = match[2];
  }
  const idTags = values['id-tag'] ?? [];
  for (const tag of idTags)
    if (tag.length === 0 || tag.length > 20) throw new UsageError(`--id-tag "${tag}": 1-20 characters`);
  return { id: values.id, fleetId: values.fleet, password, evseIds, idTags };
}

async function main(): Promise<void> {
  let input: RegisterChargerInput;
  let url: string;
  try {
    input = parseRegisterArgs(process.argv.slice(2), process.env);
    url = env
      .url('postgres://postgres@127.0.0.1:5432/ocpp_gateway', ['postgres', 'postgresql'])
      .parse(process.env.DATABASE_URL, 'DATABASE_URL');
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof ConfigError ||
      (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`charger:register: ${(e as Error).message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const db = createDataSource(url);
  await db.initialize();
  try {
    await db.runMigrations({ transaction: 'each' });
    const repo = new PgChargerRepository(db);
    await repo.upsert({
      id: input.id,
      fleetId: input.fleetId,
      passwordHash: await hashChargerPassword(input.password),
      evseIds: input.evseIds,
    });
    for (const tag of input.idTags)
      await repo.upsertIdTag(input.fleetId, tag, { status: 'Accepted', expiryDate: null, parentIdTag: null });
    process.stdout.write(
      `${JSON.stringify({ registered: input.id, fleet: input.fleetId, evseIds: input.evseIds, idTags: input.idTags })}\n`,
    );
  } finally {
    await db.destroy();
  }
}

// Run only as a command (scripts/run-ts.mjs sets argv[1] to this file), not when a test imports it.
if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  main().catch((e) => {
    process.stderr.write(`charger:register failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
