/**
 * The deployment's migration step (`node dist/scripts/migrate.js <app>`; compose `migrate-<app>`,
 * Kubernetes Job `<app>-migrate`), run as a process from source against real Postgres.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import {
  createTestDatabase,
  databaseUrl,
  dropDatabase,
  testServerUrl,
  uniqueSuffix,
  type TestDatabase,
} from '@app/testing';
import { MIGRATIONS as BILLING_MIGRATIONS } from '../../apps/billing-service/src/infrastructure/database/migrations';
import { MIGRATIONS as SESSION_MIGRATIONS } from '../../apps/session-service/src/infrastructure/database/migrations';

const ROOT = path.resolve(__dirname, '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the command; `output()` is what it printed so far. */
function startMigrate(args: string[], env: Record<string, string>): { done: Promise<Run>; output(): string } {
  const script = [path.join(ROOT, 'scripts/run-ts.mjs'), path.join(ROOT, 'scripts/migrate.ts')];
  const child = spawn(process.execPath, [...script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { done, output: () => stdout };
}

const migrate = (args: string[], env: Record<string, string>): Promise<Run> => startMigrate(args, env).done;

const appliedCount = (run: Run) => Number(/: (\d+) new migrations/.exec(run.stdout)?.[1] ?? NaN);

async function migrationRows(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>('select name from typeorm_migrations order by id');
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string | null }>('select to_regclass($1) as t', [table]);
    return rows[0].t !== null;
  } finally {
    await client.end();
  }
}

describe('migrate command', () => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it('applies every migration of the app once, and nothing on a second run', async () => {
    const db = await createTestDatabase('deploy_migrate');
    dbs.push(db);
    const first = await migrate(['billing-service'], { DATABASE_URL: db.url });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(appliedCount(first)).toBe(BILLING_MIGRATIONS.length);
    expect(await migrationRows(db.url)).toEqual(BILLING_MIGRATIONS.map((m) => m.name));

    const again = await migrate([], { APP: 'billing-service', DATABASE_URL: db.url });
    expect(again.code).toBe(0);
    expect(appliedCount(again)).toBe(0);
  });

  it('serialises concurrent runs against one database (each migration applied exactly once)', async () => {
    const db = await createTestDatabase('deploy_migrate_race');
    dbs.push(db);
    const runs = await Promise.all(
      [1, 2, 3].map(() => migrate(['session-service'], { DATABASE_URL: db.url })),
    );
    for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(runs.map(appliedCount).sort()).toEqual([0, 0, SESSION_MIGRATIONS.length]);
    expect(await migrationRows(db.url)).toEqual(SESSION_MIGRATIONS.map((m) => m.name));
  });

  it('creates the database first with --create-database', async () => {
    const name = `t_deploy_create_${uniqueSuffix()}`;
    const url = databaseUrl(testServerUrl(), name);
    try {
      const run = await migrate(['session-service', '--create-database'], { DATABASE_URL: url });
      expect(run.code).toBe(0);
      expect(await migrationRows(url)).toHaveLength(SESSION_MIGRATIONS.length);
    } finally {
      await dropDatabase(testServerUrl(), name);
    }
  });

  it('--wait changes nothing, and returns once the migrations are applied', async () => {
    const db = await createTestDatabase('deploy_migrate_wait');
    dbs.push(db);
    const impatient = await migrate(['ocpp-gateway', '--wait'], {
      DATABASE_URL: db.url,
      MIGRATE_WAIT_TIMEOUT_S: '0',
    });
    expect(impatient.code).toBe(1);
    expect(impatient.stderr).toMatch(
      /gave up after 0 s; not applied yet: .*\(run the ocpp-gateway migration Job\)/,
    );
    expect(await tableExists(db.url, 'typeorm_migrations')).toBe(false);

    const waiting = startMigrate(['ocpp-gateway', '--wait'], {
      DATABASE_URL: db.url,
      MIGRATE_WAIT_TIMEOUT_S: '60',
    });
    let exited = false;
    void waiting.done.then(() => (exited = true));
    // Migrate only once the waiter has seen the migrations pending.
    while (!exited && !waiting.output().includes('waiting; not applied yet'))
      await new Promise((r) => setTimeout(r, 100));
    expect(exited).toBe(false);
    expect((await migrate(['ocpp-gateway'], { DATABASE_URL: db.url })).code).toBe(0);
    const done = await waiting.done;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/ocpp-gateway: every migration is applied/);
  });

  it('fails with one line naming the problem', async () => {
    const [noApp, badUrl, noServer] = await Promise.all([
      migrate([], { DATABASE_URL: 'postgres://127.0.0.1:1/x' }),
      migrate(['ocpp-gateway'], { DATABASE_URL: 'mysql://db/ocpp_gateway' }),
      migrate(['ocpp-gateway'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/ocpp_gateway' }),
    ]);
    expect(noApp.code).toBe(64);
    expect(noApp.stderr.trim().split('\n')).toEqual([
      '[migrate] name the app whose migrations to run (ocpp-gateway, session-service, billing-service, access), got none',
    ]);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr.trim()).toBe(
      '[migrate] invalid configuration: DATABASE_URL must use postgres or postgresql, got "mysql:"',
    );
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/^\[migrate\] failed: .*ECONNREFUSED/);
    expect(noServer.stderr.trim().split('\n')).toHaveLength(1);
  });
});
