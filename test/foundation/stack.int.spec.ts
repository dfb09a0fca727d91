import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { APPS, REPO_ROOT, createTestDatabase, migrateApp } from '@app/testing';

describe('migrations', () => {
  it.each(APPS.map((a) => a.name))('%s: run on an empty database, then are a no-op', async (app) => {
    const db = await createTestDatabase(`mig_${app.replace(/-/g, '_')}`);
    try {
      const first = await migrateApp(app, db.url);
      expect(first.length).toBeGreaterThan(0);
      const second = await migrateApp(app, db.url);
      expect(second).toEqual([]);
      const client = new Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query('select name from typeorm_migrations order by id');
      await client.end();
      expect(rows.map((r) => r.name)).toEqual(first);
    } finally {
      await db.drop();
    }
  });
});

describe('bad configuration', () => {
  it.each([
    ['ocpp-gateway', { PORT: 'not-a-port' }, 'PORT'],
    ['session-service', { KAFKA_BROKERS: 'no-port-here' }, 'KAFKA_BROKERS'],
    ['billing-service', { DATABASE_URL: 'mysql://db/billing' }, 'DATABASE_URL'],
  ])('%s stops with one line naming %j', (app, env, variable) => {
    const result = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'scripts/run-ts.mjs'), path.join(REPO_ROOT, 'apps', app, 'src/main.ts')],
      { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 },
    );
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid configuration: ${Object.keys(env)[0]} `));
    expect(lines[0]).toContain(variable);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
