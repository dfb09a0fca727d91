/**
 * The service as a process: OCPP records produced exactly as the gateway does, `kill -9` in the
 * middle of the stream, restart, then count: every record in, every event out exactly once, every
 * session CLOSED in the API, the outbox complete, and a rebuild of the projection equal to live.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Pool } from 'pg';
import { provisionApiKeys } from '@app/auth/testing';
import { topicName } from '@app/contracts';
import {
  createTestDatabase,
  createTestKafka,
  freePort,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { compareRebuilt, rebuildSessions } from './infrastructure/database/rebuild-sessions';
import { GatewayRecords } from './testing/gateway-records';
import { migrate, readTopic, waitFor } from './testing/harness';

const ROOT = path.resolve(__dirname, '../../..');
const CHARGERS = 120;
const METER_VALUES = 5;

describe('session-service process: kill -9 mid-stream loses and doubles nothing', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let pool: Pool;
  let child: ChildProcess | null = null;
  let port = 0; // from the OS in beforeAll; both starts use it
  let managementPort = 0;
  const apiKey = 'sk_demo_' + randomUUID();
  const group = 'sessions-' + randomUUID().slice(0, 8);

  const startService = async () => {
    child = spawn(
      process.execPath,
      [path.join(ROOT, 'scripts/run-ts.mjs'), 'apps/session-service/src/main.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          KAFKA_TOPIC_PREFIX: tk.prefix,
          KAFKA_BROKERS: tk.brokers.join(','),
          PORT: String(port),
          MANAGEMENT_PORT: String(managementPort),
          CONSUMER_GROUP: group,
          AUTH_DATABASE_URL: db.url,
          LOG_LEVEL: 'warn',
          KAFKA_SESSION_TIMEOUT_MS: '6000',
          TIMER_INTERVAL_MS: '600000',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    await waitFor(
      async () => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
        } catch {
          return false;
        }
      },
      60000,
      'service ready',
    );
  };

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('sess_crash'), createTestKafka('sess_crash')]);
    await migrate(db.url);
    await provisionApiKeys(db.url, [{ key: apiKey, name: 'test', roles: ['fleet'], fleet: 'fleet-k' }]);
    pool = new Pool({ connectionString: db.url, max: 3 });
    port = await freePort();
    managementPort = await freePort();
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await pool?.end();
    await db?.drop();
  });

  it('processes every record exactly once across a crash, and a rebuild equals the live projection', async () => {
    await startService();
    const producer = tk.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const topic = topicName('ocppEvents', tk.prefix);
    const t0 = new Date('2026-05-01T08:00:00Z').getTime();
    // One charger's records in order; chargers interleaved, in waves, so the crash hits mid-session.
    const perCharger = Array.from({ length: CHARGERS }, (_, i) => {
      const g = new GatewayRecords(`CP-K-${i}`, 'fleet-k');
      const at = (min: number) => new Date(t0 + min * 60_000);
      const tx = 1000 + i;
      return [
        g.connected({ '1': `DE*K*E${i}` }),
        g.startTransaction(1, tx, 100 * i, at(0)),
        ...Array.from({ length: METER_VALUES }, (_, m) =>
          g.meterValues(1, tx, 100 * i + 1000 * (m + 1), at(5 * (m + 1))),
        ),
        g.stopTransaction(tx, 100 * i + 1000 * METER_VALUES + 7, at(30)),
      ];
    });
    const waves = perCharger[0].length;
    let produced = 0;
    const produceWave = async (w: number) => {
      const msgs = perCharger.map((records) => records[w]);
      await producer.send({ topic, acks: -1, messages: msgs });
      produced += msgs.length;
    };
    // Produce the whole stream in waves while the service consumes; crash in the middle of it.
    const producing = (async () => {
      for (let w = 0; w < waves; w++) {
        await produceWave(w);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const totalEvents = CHARGERS * (2 + METER_VALUES);
    await waitFor(
      async () => (await pool.query('select count(*)::int as n from events')).rows[0].n > totalEvents / 5,
      30000,
      'some events',
    );
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const atCrash = (await pool.query('select count(*)::int as n from events')).rows[0].n;
    expect(atCrash).toBeLessThan(totalEvents); // the crash really happened mid-stream
    await producing;
    await producer.disconnect();

    await startService();
    await waitFor(
      async () =>
        (await pool.query(`select count(*)::int as n from sessions where status = 'CLOSED'`)).rows[0].n ===
        CHARGERS,
      60000,
      'all sessions CLOSED',
    );

    // Records in = offsets stored; events out = exactly one per fact.
    const offsets = await pool.query(
      `select coalesce(sum(next_offset), 0)::int as n from consumer_offsets where group_id = $1`,
      [group],
    );
    expect(offsets.rows[0].n).toBe(produced);
    const events = await pool.query(
      // The session streams (the chargers' status streams publish once per changed batch, however batched).
      `select e.type, count(*)::int as n from events e join streams s using (stream_id)
       where s.stream_type = 'session' group by e.type order by e.type`,
    );
    expect(events.rows).toEqual([
      { type: 'SessionCompleted', n: CHARGERS },
      { type: 'SessionMeterUpdated', n: CHARGERS * METER_VALUES },
      { type: 'SessionStarted', n: CHARGERS },
    ]);
    const bad = await pool.query(
      `select count(*)::int as n from sessions
       where coalesce((state->'stop'->>'meterStopWh')::int - (state->'start'->>'meterStartWh')::int, -1) <> $1`,
      [1000 * METER_VALUES + 7],
    );
    expect(bad.rows[0].n).toBe(0);

    // The API shows them, for the demo fleet's key.
    const list = await fetch(`http://127.0.0.1:${port}/v1/sessions?status=CLOSED&limit=200`, {
      headers: { 'x-api-key': apiKey },
    });
    const body = (await list.json()) as { sessions: { energy_in_kwh: number; evse: string }[] };
    expect(body.sessions).toHaveLength(CHARGERS);
    expect(body.sessions.every((s) => s.energy_in_kwh === 5.007)).toBe(true);

    // The service's own figures are on /metrics (the management port).
    const metrics = await (await fetch(`http://127.0.0.1:${managementPort}/metrics`)).text();
    expect(
      Number(/^sessions_ocpp_records_folded_total(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1] ?? 0),
    ).toBeGreaterThan(0);
    expect(metrics).toContain('sessions_fold_lag_seconds_bucket');

    // The outbox published every event (at least once; ids are the event ids).
    const total = CHARGERS * (2 + METER_VALUES);
    const published = await readTopic(tk.kafka, topicName('chargingSessions', tk.prefix), total, 30000);
    const ids = new Set(published.map((p) => p.value.id));
    const stored = await pool.query(
      `select event_id::text as id from events join streams using (stream_id) where stream_type = 'session'`,
    );
    expect(ids).toEqual(new Set(stored.rows.map((r) => r.id)));

    // Rebuild equals live.
    child!.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    const rebuilt = await rebuildSessions(pool, { stopGraceMinutes: 10, startTimeoutSeconds: 120 });
    expect(rebuilt).toBe(CHARGERS);
    expect(await compareRebuilt(pool)).toEqual({ checked: CHARGERS, equal: CHARGERS, differing: [] });
  });
});
