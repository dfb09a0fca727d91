import { spawn } from 'node:child_process';
import path from 'node:path';
import { Pool } from 'pg';
import { ApiKeyExistsError, ApiKeyStore, migrateAuthDatabase } from '@app/auth';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { http, startBilling, type RunningBilling } from '../../apps/billing-service/test/billing-app';

const ROOT = path.resolve(__dirname, '../..');

/** `npm run -s apikey:<command> -- args` against the credentials database, as an operator runs it. */
function apikey(
  command: string,
  args: string[],
  url: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'scripts/run-ts.mjs'), 'libs/auth/src/cli/apikey.ts', command, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, AUTH_DATABASE_URL: url },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * The key lifecycle across two replicas sharing one credentials database: created by the CLI,
 * accepted by both, revoked by the CLI and refused by both within 2 s, never valid again.
 */
describe('API key lifecycle (CLI, two replicas, real Postgres)', () => {
  let creds: TestDatabase;
  let pool: Pool;
  let replicas: RunningBilling[] = [];
  const totals = (b: RunningBilling) => `${b.url}/v1/exports/charges/totals?from=2024-01-01&to=2024-02-01`;

  beforeAll(async () => {
    creds = await createTestDatabase('sec_keys');
    await migrateAuthDatabase(creds.url);
    pool = new Pool({ connectionString: creds.url, max: 2 });
    replicas = await Promise.all(
      ['sec_keys_a', 'sec_keys_b'].map((label) =>
        startBilling(label, { AUTH_DATABASE_URL: creds.url, RATE_LIMIT_AUTH_FAILURES: '0' }),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(replicas.map((b) => b.stop()));
    await pool?.end();
    await creds?.drop();
  });

  it('creates, lists and revokes; the revocation holds on every replica within 2 s; a revoked key never comes back', async () => {
    const created = await apikey(
      'create',
      ['--', '--name', 'finance bot', '--role', 'finance', '--actor', 'alice'],
      creds.url,
    );
    expect(created.code).toBe(0);
    const lines = created.stdout.trim().split('\n');
    const out = JSON.parse(lines[lines.length - 1]) as {
      id: string;
      key: string;
      roles: string[];
      fleet: string | null;
    };
    expect(out).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: expect.stringMatching(/^sk_/),
      roles: ['finance'],
      fleet: null,
    });

    for (const b of replicas) expect((await http('GET', totals(b), undefined, out.key)).status).toBe(200);

    const listed = await apikey('list', [], creds.url);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(out.key);
    const entry = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((k) => k.id === out.id);
    expect(entry).toMatchObject({
      name: 'finance bot',
      roles: ['finance'],
      revoked_at: null,
      last_used_at: expect.any(String),
    });

    // Requests keep flowing on both replicas while the CLI revokes, so their caches are warm.
    const firstRefusal: Array<number | null> = replicas.map(() => null);
    let polling = true;
    const pollers = replicas.map(async (b, i) => {
      while (polling && firstRefusal[i] === null) {
        const { status } = await http('GET', totals(b), undefined, out.key);
        if (status === 401) firstRefusal[i] = Date.now();
        else expect(status).toBe(200);
        await new Promise((r) => setTimeout(r, 10));
      }
    });
    const revoked = await apikey('revoke', ['--', '--id', out.id], creds.url);
    expect(revoked.code).toBe(0);
    const revokedAt = new Date(JSON.parse(revoked.stdout.trim()).revoked_at as string).getTime();
    await new Promise((r) => setTimeout(r, 2500));
    polling = false;
    await Promise.all(pollers);
    const refusedAfterMs = firstRefusal.map((t) => (t === null ? Infinity : t - revokedAt));
    process.stdout.write(
      `revocation (${new Date(revokedAt).toISOString()}) refused by the replicas after ${refusedAfterMs.join(' ms, ')} ms\n`,
    );
    for (const ms of refusedAfterMs) expect(ms).toBeLessThan(2000);

    // Both changes are in the audit log, with who made them, and without key material.
    const audit = await pool.query(
      `select action, actor_kind, actor_id, target_id, details from auth_audit_log where target_id = $1 order by seq`,
      [out.id],
    );
    expect(audit.rows.map((r) => [r.action, r.actor_kind, r.actor_id])).toEqual([
      ['api_key.created', 'cli', 'alice'],
      ['api_key.revoked', 'cli', expect.any(String)],
    ]);
    expect(JSON.stringify(audit.rows)).not.toContain(out.key);
    // Revoking again changes nothing and records nothing.
    expect((await apikey('revoke', ['--', '--id', out.id], creds.url)).code).toBe(0);
    expect(
      (await pool.query(`select count(*)::int as n from auth_audit_log where target_id = $1`, [out.id]))
        .rows[0].n,
    ).toBe(2);

    // Creating the same key again is refused, and it stays refused.
    await expect(
      new ApiKeyStore(pool).create({ key: out.key, name: 'again', roles: ['finance'] }),
    ).rejects.toThrow(ApiKeyExistsError);
    await expect(
      new ApiKeyStore(pool).ensure({ key: out.key, name: 'again', roles: ['finance'] }),
    ).rejects.toMatchObject({ revoked: true });
    await new Promise((r) => setTimeout(r, 1100)); // past every cache
    for (const b of replicas) expect((await http('GET', totals(b), undefined, out.key)).status).toBe(401);
  });

  it('refuses bad arguments with exit 2 and a line saying what is wrong', async () => {
    const noFleet = await apikey('create', ['--', '--name', 'x', '--role', 'fleet'], creds.url);
    expect({ code: noFleet.code, stderr: noFleet.stderr.trim() }).toEqual({
      code: 2,
      stderr: 'role fleet needs a fleet',
    });
    const badRole = await apikey('create', ['--', '--name', 'x', '--role', 'root'], creds.url);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/unknown role "root"/);
    const unknown = await apikey('revoke', ['--', '--id', '00000000-0000-4000-8000-000000000000'], creds.url);
    expect(unknown.code).toBe(2);
  });
});
