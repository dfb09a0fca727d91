/**
 * The API key lifecycle, against the credentials database (AUTH_DATABASE_URL):
 *   npm run -s apikey:create -- --name NAME --role ROLE [--role ROLE2] [--fleet FLEET]
 *   npm run -s apikey:list
 *   npm run -s apikey:revoke -- --id ID
 * create prints the key once; the last line of its stdout is `{"id","key","roles","fleet"}`.
 * A revocation holds on every replica within 2 s (their caches trust a lookup for at most 1 s).
 * create and revoke are audited (`api_key.created`, `api_key.revoked`, actor `cli`: `--actor NAME` or
 * the operating-system user) in the same transaction as the change.
 * Exit codes: 0 done, 1 failed (database, config), 2 bad arguments or refused.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { ConfigError } from '@app/config';
import { isUuid } from '@app/contracts';
import {
  ApiKeyExistsError,
  ApiKeyInputError,
  ApiKeyNotFoundError,
  ApiKeyStore,
  type ApiKeyRecord,
} from '../api-keys';
import { cliActor, recordAudit } from '../audit';
import { authConfigSchema } from '../config';
import { ROLES, type Actor, type Role } from '../principal';

class UsageError extends Error {}

const USAGE = [
  'usage: npm run -s apikey:create -- --name NAME --role ROLE [--role ROLE2] [--fleet FLEET]',
  `       (roles: ${ROLES.join(', ')}; --fleet exactly when --role fleet)`,
  '       npm run -s apikey:list',
  '       npm run -s apikey:revoke -- --id ID',
  '       (create and revoke take --actor NAME for the audit log; default: the OS user)',
].join('\n');

function view(r: ApiKeyRecord) {
  return {
    id: r.id,
    name: r.name,
    roles: r.roles,
    fleet: r.fleet,
    created_at: r.createdAt.toISOString(),
    last_used_at: r.lastUsedAt?.toISOString() ?? null,
    revoked_at: r.revokedAt?.toISOString() ?? null,
  };
}

async function run(argv: string[], out: (line: string) => void): Promise<void> {
  const [command, ...rest] = argv.filter((a) => a !== '--');
  let values: { name?: string; role?: string[]; fleet?: string; id?: string; actor?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        role: { type: 'string', multiple: true },
        fleet: { type: 'string' },
        id: { type: 'string' },
        actor: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!['create', 'list', 'revoke'].includes(command ?? ''))
    throw new UsageError(`unknown command "${command ?? ''}"`);
  let actor: Actor;
  try {
    actor = cliActor(rest, () => os.userInfo().username);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const url = authConfigSchema.AUTH_DATABASE_URL.parse(process.env.AUTH_DATABASE_URL, 'AUTH_DATABASE_URL');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const store = new ApiKeyStore(client);
    if (command === 'create') {
      if (!values.name) throw new UsageError('--name is required');
      if (!values.role?.length) throw new UsageError('at least one --role is required');
      // The key and its audit entry commit together: no key without its record of who made it.
      await client.query('begin');
      const { key, record } = await store.create({
        name: values.name,
        roles: values.role as Role[],
        fleet: values.fleet ?? null,
      });
      await recordAudit(client, {
        actor,
        action: 'api_key.created',
        target: { type: 'api_key', id: record.id },
        service: 'apikey-cli',
        details: { name: record.name, roles: record.roles, fleet: record.fleet },
      });
      await client.query('commit');
      out(`API key "${record.name}" created (${record.roles.join(', ')}). It is shown only now: store it.`);
      out(JSON.stringify({ id: record.id, key, roles: record.roles, fleet: record.fleet }));
    } else if (command === 'list') {
      for (const r of await store.list()) out(JSON.stringify(view(r)));
    } else {
      if (!values.id) throw new UsageError('--id is required');
      if (!isUuid(values.id)) throw new UsageError(`--id must be a uuid, got "${values.id}"`);
      await client.query('begin');
      const before = await client.query<{ revoked_at: Date | null }>(
        'select revoked_at from auth_api_keys where id = $1 for update',
        [values.id],
      );
      const record = await store.revoke(values.id);
      // Revoking again changes nothing, so it records nothing.
      if (before.rows[0] && before.rows[0].revoked_at === null)
        await recordAudit(client, {
          actor,
          action: 'api_key.revoked',
          target: { type: 'api_key', id: record.id },
          service: 'apikey-cli',
          details: { name: record.name },
        });
      await client.query('commit');
      out(JSON.stringify(view(record)));
    }
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    await client.end().catch(() => undefined);
  }
}

run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).then(
  () => process.exit(0),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      process.exit(2);
    }
    if (e instanceof ApiKeyInputError || e instanceof ApiKeyExistsError || e instanceof ApiKeyNotFoundError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `${e instanceof ConfigError ? e.message : `apikey failed: ${(e as Error).message}`}\n`,
    );
    process.exit(1);
  },
);
