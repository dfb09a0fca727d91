/**
 * Runs one app's TypeORM migrations against its DATABASE_URL, then exits. The deployment's
 * migration step (compose service `migrate-<app>`, Kubernetes Job `<app>-migrate`):
 *   node dist/scripts/migrate.js <ocpp-gateway|session-service|billing-service|access> [--create-database]
 *   (in the image: `chargebill-entrypoint migrate <app>`; from a checkout: node scripts/run-ts.mjs scripts/migrate.ts <app>)
 * `access` is the credentials database every app shares (API keys, audit log), at AUTH_DATABASE_URL.
 * The app may also come from env APP. DATABASE_URL is read and validated exactly as the app reads it
 * (same default, same error naming the variable). `--create-database` (or MIGRATE_CREATE_DATABASE=true)
 * creates the database first when the role may do so.
 * A Postgres advisory lock serialises concurrent runs against one database (a Job retried while
 * an earlier pod still runs, two operators), so a migration never runs twice at once.
 *
 * `--wait` changes nothing: it waits until every migration of the app is applied (by the migration
 * Job), then exits 0; after MIGRATE_WAIT_TIMEOUT_S (default 600) it exits 1 naming what is missing.
 * The Deployments run it as an init container, so a pod never starts on an old schema, and it
 * needs no DDL rights.
 */
import { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { ConfigError, type EnvField } from '@app/config';
import { APPS, migrateApp, type AppSpec } from '@app/testing/stack/apps';
import { authConfigSchema, authDataSourceOptions, migrateAuthDatabase } from '@app/auth';
import { createDatabase } from '@app/testing/stack/postgres';
import { ocppGatewayConfigSchema } from '../apps/ocpp-gateway/src/config';
import { sessionServiceConfigSchema } from '../apps/session-service/src/config';
import { billingServiceConfigSchema } from '../apps/billing-service/src/config';
import { dataSourceOptions as ocppGatewayDataSource } from '../apps/ocpp-gateway/src/infrastructure/database/data-source';
import { dataSourceOptions as sessionServiceDataSource } from '../apps/session-service/src/infrastructure/database/data-source';
import { dataSourceOptions as billingServiceDataSource } from '../apps/billing-service/src/infrastructure/database/data-source';

/** An app's own database, or the credentials database all apps share. */
type Target = AppSpec['name'] | 'access';
const urlVariable = (t: Target) => (t === 'access' ? 'AUTH_DATABASE_URL' : 'DATABASE_URL');

const DATABASE_URL_FIELDS: Record<Target, EnvField<string>> = {
  access: authConfigSchema.AUTH_DATABASE_URL,
  'ocpp-gateway': ocppGatewayConfigSchema.DATABASE_URL,
  'session-service': sessionServiceConfigSchema.DATABASE_URL,
  'billing-service': billingServiceConfigSchema.DATABASE_URL,
};

const DATA_SOURCES: Record<Target, (url: string) => DataSourceOptions> = {
  access: authDataSourceOptions,
  'ocpp-gateway': ocppGatewayDataSource,
  'session-service': sessionServiceDataSource,
  'billing-service': billingServiceDataSource,
};

/** Any constant fits: it only has to be the same for every run of this script. */
const MIGRATION_LOCK_KEY = 0x6d696772; // "migr"

class UsageError extends Error {}

const OPTIONS = ['--create-database', '--wait'];

function parseArgs(argv: string[]): { app: Target; createDb: boolean; wait: boolean } {
  const positional = argv.filter((a) => !a.startsWith('--'));
  const unknown = argv.filter((a) => a.startsWith('--') && !OPTIONS.includes(a));
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown[0]}`);
  const name = positional[0] ?? process.env.APP;
  const app = name === 'access' ? 'access' : APPS.find((a) => a.name === name)?.name;
  if (!app) {
    throw new UsageError(
      `name the app whose migrations to run (${APPS.map((a) => a.name).join(', ')}, access), got ${name === undefined ? 'none' : `"${name}"`}`,
    );
  }
  const createDb =
    argv.includes('--create-database') || /^(true|1|yes)$/i.test(process.env.MIGRATE_CREATE_DATABASE ?? '');
  const wait = argv.includes('--wait');
  if (wait && createDb) throw new UsageError('--wait changes nothing; it does not go with --create-database');
  return { app, createDb, wait };
}

/** The app's migrations not yet recorded in its migrations table (read-only). */
async function pendingMigrations(app: Target, url: string): Promise<string[]> {
  const options = DATA_SOURCES[app](url);
  const table = options.migrationsTableName ?? 'migrations';
  const names = ((options.migrations ?? []) as Array<new () => { name?: string }>).map(
    (M) => new M().name ?? M.name,
  );
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query<{ t: string | null }>('select to_regclass($1) as t', [table]);
    if (!found.rows[0].t) return names;
    const { rows } = await client.query<{ name: string }>(
      `select name from ${client.escapeIdentifier(table)}`,
    );
    const done = new Set(rows.map((r) => r.name));
    return names.filter((n) => !done.has(n));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitForMigrations(app: Target, url: string, where: string): Promise<void> {
  const timeoutS = Number(process.env.MIGRATE_WAIT_TIMEOUT_S ?? '600');
  if (!Number.isInteger(timeoutS) || timeoutS < 0)
    throw new UsageError(
      `MIGRATE_WAIT_TIMEOUT_S must be a whole number of seconds, got "${process.env.MIGRATE_WAIT_TIMEOUT_S}"`,
    );
  const deadline = Date.now() + timeoutS * 1000;
  let last = '';
  for (let attempt = 0; ; attempt++) {
    try {
      const pending = await pendingMigrations(app, url);
      if (pending.length === 0) {
        console.log(`[migrate] ${app}: every migration is applied on ${where}`);
        return;
      }
      last = `not applied yet: ${pending.join(', ')} (run the ${app} migration Job)`;
    } catch (e) {
      last = `database not reachable: ${(e as Error).message}`;
    }
    if (attempt === 0) console.log(`[migrate] ${app}: waiting; ${last}`);
    if (Date.now() >= deadline) throw new Error(`gave up after ${timeoutS} s; ${last}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function withMigrationLock<T>(url: string, work: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await work();
  } finally {
    // Closing the session releases the lock even if the unlock fails.
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const { app, createDb, wait } = parseArgs(process.argv.slice(2));
  const url = DATABASE_URL_FIELDS[app].parse(process.env[urlVariable(app)], urlVariable(app));
  const target = new URL(url);
  const where = `${target.host}${target.pathname}`;
  if (wait) return waitForMigrations(app, url, where);
  if (createDb) await createDatabase(url, decodeURIComponent(target.pathname.slice(1)));
  const started = Date.now();
  const applied = await withMigrationLock(url, () =>
    app === 'access' ? migrateAuthDatabase(url) : migrateApp(app, url),
  );
  const list = applied.length > 0 ? ` (${applied.join(', ')})` : '';
  console.log(
    `[migrate] ${app}: ${applied.length} new migrations on ${where}${list} in ${Date.now() - started} ms`,
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    if (e instanceof ConfigError || e instanceof UsageError) {
      process.stderr.write(`[migrate] ${e.message}\n`);
      process.exit(e instanceof UsageError ? 64 : 1);
    }
    process.stderr.write(`[migrate] failed: ${(e as Error).message ?? String(e)}\n`);
    process.exit(1);
  },
);
