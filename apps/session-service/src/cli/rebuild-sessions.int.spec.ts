import { spawn } from 'node:child_process';
import path from 'node:path';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { TARIFF_A } from '../domain/session.fixtures.spec';
import { SessionUnitOfWork } from '../application/session-unit-of-work';
import { SessionStore } from '../infrastructure/database/session-store';
import { migrate } from '../testing/harness';

const root = path.resolve(__dirname, '../../../..');
const timers = { stopGraceMinutes: 10, startTimeoutSeconds: 120 };

/** Runs `npm run -s sessions:rebuild` as an operator would (the script's entry point, its own process). */
function rebuildCli(
  url: string,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(root, 'scripts/run-ts.mjs'), 'apps/session-service/src/cli/rebuild-sessions.ts', ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('sessions:rebuild (real Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;
  const ids = ['6f1c3a52-0d9e-4b7a-9c21-1e5f0b7d3a01', '6f1c3a52-0d9e-4b7a-9c21-1e5f0b7d3a02'];

  beforeAll(async () => {
    db = await createTestDatabase('sess_rebuild');
    await migrate(db.url);
    pool = new Pool({ connectionString: db.url, max: 2 });
    // Two sessions written the way the service writes them: events appended with the projection.
    const uow = new SessionUnitOfWork();
    ids.forEach((sessionId, i) => {
      uow.execute(
        sessionId,
        {
          type: 'RecordStartTransaction',
          sessionId,
          fleetId: 'fleet-rb',
          chargePointId: `CP-RB-${i}`,
          connectorId: 1,
          evse: `CP-RB-${i}*1`,
          transactionId: 100 + i,
          idTag: 'RFID-1',
          meterStartWh: 1000,
          timestamp: '2026-01-01T10:00:00.000Z',
          receivedAt: '2026-01-01T10:00:00.000Z',
          tariff: TARIFF_A,
        },
        `rb-start-${i}`,
      );
      uow.execute(
        sessionId,
        {
          type: 'RecordStopTransaction',
          transactionId: 100 + i,
          meterStopWh: 5000,
          timestamp: '2026-01-01T11:00:00.000Z',
          receivedAt: '2026-01-01T11:00:00.000Z',
          reason: 'EVDisconnected',
          signed: [],
          readings: [],
        },
        `rb-stop-${i}`,
      );
    });
    const client = await pool.connect();
    try {
      await client.query('begin');
      await new SessionStore(timers).save(client, uow);
      await client.query('commit');
    } finally {
      client.release();
    }
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('given a projection written with its events, when rebuilt, then every session is equal and the exit code 0', async () => {
    const r = await rebuildCli(db.url);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual({ checked: 2, equal: 2, differing: [] });
  });

  it('given a live row that no longer matches its events, when rebuilt, then its id is reported and the exit code is 1', async () => {
    await pool.query(
      `update sessions set state = jsonb_set(state, '{stop,meterStopWh}', '4999'::jsonb) where session_id = $1`,
      [ids[1]],
    );
    await pool.query(`update sessions set status = 'ACTIVE' where session_id = $1`, [ids[0]]);
    const r = await rebuildCli(db.url);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ checked: 2, equal: 0, differing: [...ids].sort() });
    // The live rows are left as they were (no --replace).
    const { rows } = await pool.query(`select status from sessions where session_id = $1`, [ids[0]]);
    expect(rows[0].status).toBe('ACTIVE');
  });

  it('given differing rows, when rebuilt with --replace, then the live rows are the rebuilt ones and a second check is equal', async () => {
    const r = await rebuildCli(db.url, '--replace');
    expect(r.code).toBe(1); // it reports what it found, then replaced it
    expect(JSON.parse(r.stdout)).toMatchObject({ differing: [...ids].sort(), replaced: true });
    const again = await rebuildCli(db.url);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ checked: 2, equal: 2, differing: [] });
  });
});
