/**
 * npm run bench:session: OCPP event streams of 10,000 chargers' sessions (BENCH_QUICK=1: 1,000)
 * through the real broker into the session service (its own process, real Postgres).
 *
 * 1. throughput: every charger's session (ChargerConnected, StatusNotifications, StartTransaction,
 *    MeterValues, StopTransaction, Heartbeats) is produced to `ocpp.v16.events` as fast as the
 *    broker takes it, once the service is up and idle; events/s = OCPP records folded and committed (offsets stored in Postgres in
 *    the same transaction) per second, from the first record produced to the last one committed.
 * 2. projection lag at half that rate: new sessions' MeterValues produced open-loop; for a sample,
 *    time from Kafka's ack of the record to the API (GET /v1/sessions/:id) showing its energy.
 * 3. the authenticated API: GET /v1/sessions/:id with a valid fleet key, closed loop with
 *    API_CONCURRENCY clients (requests/s and p99); and the guard's overhead: p99 of a guarded route
 *    that does no other work (GET /v1/sessions/not-a-uuid with the key: the guard passes, the
 *    handler answers 404 without a query) minus p99 of the unguarded /health/live, both
 *    interleaved by one client in the same run.
 * 4. baselines on the same Postgres and the same table shape (`events`): raw COPY of the rows
 *    phase 1 appended, and one-row-per-transaction INSERTs for a fixed time.
 * Last line: {"bench":"session","events_per_s",..,"baseline_copy_rows_per_s",..,"baseline_insert_rows_per_s",..,"projection_lag_p99_ms",..,"api_rps",..,"api_p99_ms",..,"auth_overhead_p99_ms",..}
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { provisionApiKeys } from '@app/auth/testing';
import { topicName } from '@app/contracts';
import { createDatabase, databaseUrl, dropDatabase, freePort, uniqueSuffix } from '@app/testing';
import { nameUuid } from '../apps/session-service/src/application/ids';
import { createDataSource } from '../apps/session-service/src/infrastructure/database/data-source';
import { GatewayRecords, type GatewayRecord } from '../apps/session-service/src/testing/gateway-records';
import { QUICK, benchStack } from './lib/stack';
import { closedLoop, expectOnly } from './lib/http-load';
import { finish, percentile, report } from './lib/stats';

const CHARGERS = Number(process.env.BENCH_CHARGERS ?? (QUICK ? 1000 : 10000));
const METER_VALUES = QUICK ? 4 : 6;
const LAG_SECONDS = QUICK ? 6 : 20;
const API_SECONDS = QUICK ? 5 : 15;
const API_CONCURRENCY = Number(process.env.BENCH_API_CONCURRENCY ?? 16);
const INSERT_SECONDS = QUICK ? 3 : 8;
const DEADLINE = Date.now() + (QUICK ? 3 : 8) * 60_000;
const ROOT = path.resolve(__dirname, '..');
const SERVICE_LOG =
  process.env.BENCH_SERVICE_LOG ?? path.join(os.tmpdir(), `bench-session-service-${process.pid}.log`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sessionRecords(g: GatewayRecords, i: number, t0: number): GatewayRecord[] {
  const at = (min: number) => new Date(t0 + min * 60_000);
  const tx = 10_000 + i;
  const start = 1000 * i;
  return [
    g.connected({ '1': `DE*BEN*E${i}*1` }),
    g.status(1, 'Preparing', at(0)),
    g.startTransaction(1, tx, start, at(0.1)),
    g.status(1, 'Charging', at(0.2)),
    ...Array.from({ length: METER_VALUES }, (_, m) =>
      g.meterValues(1, tx, start + 1500 * (m + 1), at(5 * (m + 1))),
    ),
    g.heartbeat(at(31)),
    g.status(1, 'Finishing', at(40)),
    g.stopTransaction(tx, start + 1500 * METER_VALUES + 11, at(40.1)),
    g.status(1, 'Available', at(41)),
  ];
}

async function recordsProcessed(pool: Pool, group: string): Promise<number> {
  const { rows } = await pool.query(
    `select coalesce(sum(next_offset), 0)::bigint as n from consumer_offsets where group_id = $1`,
    [group],
  );
  return Number(rows[0].n);
}

/** The parts of node-pg's connection a COPY submittable talks to. */
interface CopyConnection {
  query(sql: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** COPY ... FROM STDIN through node-pg's submittable interface (no extra dependency). */
function copyFrom(client: Client, sql: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed: Error | null = null;
    const submittable = {
      submit: (con: CopyConnection) => con.query(sql),
      handleCopyInResponse: (con: CopyConnection) => {
        for (let i = 0; i < data.length; i += 1 << 20) con.sendCopyFromChunk(data.subarray(i, i + (1 << 20)));
        con.endCopyFrom();
      },
      handleCommandComplete: () => undefined,
      handleReadyForQuery: () => (failed ? reject(failed) : resolve()),
      handleError: (e: Error) => {
        failed = e;
      },
    };
    (client as unknown as { query(s: typeof submittable): void }).query(submittable);
  });
}

const copyText = (v: string) =>
  v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

async function main(): Promise<void> {
  const stack = await benchStack('session');
  const dbName = `bench_session_${uniqueSuffix()}`;
  await createDatabase(stack.serverUrl, dbName);
  const dbUrl = databaseUrl(stack.serverUrl, dbName);
  let child: ChildProcess | null = null;
  const pool = new Pool({ connectionString: dbUrl, max: 4 });
  try {
    const ds = createDataSource(dbUrl);
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
    report(
      `chargers ${CHARGERS}, ${METER_VALUES} MeterValues per session, broker ${stack.brokers.join(',')}, database ${dbName}`,
    );

    // ---------------------------------------------------------------- 1. throughput
    const topic = topicName('ocppEvents', stack.prefix);
    const producer = stack.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const serviceLog = fs.openSync(SERVICE_LOG, 'w');
    const group = `bench-sessions-${randomUUID().slice(0, 8)}`;
    // From the OS: a random port in 32000-34000 collided with ephemeral ports of outgoing connections.
    const port = await freePort();
    const managementPort = await freePort();
    const apiKey = 'sk_bench_' + randomUUID();
    // The app never creates keys itself: the bench's fleet key goes into its credentials (same database).
    await provisionApiKeys(dbUrl, [{ key: apiKey, name: 'bench', roles: ['fleet'], fleet: 'bench' }]);
    child = spawn(
      process.execPath,
      [
        // e.g. BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the service
        ...(process.env.BENCH_SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        path.join(ROOT, 'scripts/run-ts.mjs'),
        'apps/session-service/src/main.ts',
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: dbUrl,
          KAFKA_TOPIC_PREFIX: stack.prefix,
          KAFKA_BROKERS: stack.brokers.join(','),
          PORT: String(port),
          MANAGEMENT_PORT: String(managementPort),
          // One client polling as fast as it can is what this measures, not abuse.
          RATE_LIMIT_PER_IP: '0',
          RATE_LIMIT_PER_CREDENTIAL: '0',
          CONSUMER_GROUP: group,
          AUTH_DATABASE_URL: dbUrl,
          LOG_LEVEL: 'info',
          TIMER_INTERVAL_MS: '600000',
        },
        // The service's JSON log goes to a file (BENCH_SERVICE_LOG), not into the figures.
        stdio: ['ignore', serviceLog, 'inherit'],
      },
    );
    report(`service log: ${SERVICE_LOG}`);
    const base = `http://127.0.0.1:${port}`;
    for (;;) {
      try {
        if ((await fetch(`${base}/health/ready`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null)
        throw new Error(`the service exited (${child.exitCode}) before it was ready; see ${SERVICE_LOG}`);
      if (Date.now() > DEADLINE) throw new Error('the service did not become ready');
      await sleep(200);
    }

    // Warm-up: one record per charger-key until every partition has been served once, so group
    // joins and rebalances are over before the clock starts.
    const warmup = Array.from({ length: 48 }, (_, i) =>
      new GatewayRecords(`CP-WARM-${i}`, 'bench').heartbeat(),
    );
    await producer.send({ topic, acks: -1, messages: warmup });
    while ((await recordsProcessed(pool, group)) < warmup.length) {
      if (Date.now() > DEADLINE) throw new Error('warm-up records were not folded');
      await sleep(100);
    }
    await sleep(2000);

    const t0 = Date.parse('2026-06-01T08:00:00Z');
    const perCharger = Array.from({ length: CHARGERS }, (_, i) =>
      sessionRecords(new GatewayRecords(`CP-BEN-${i}`, 'bench'), i, t0),
    );
    const total = perCharger.reduce((n, r) => n + r.length, 0);
    const produceStart = Date.now();
    const firstAt = produceStart;
    const first = warmup.length;
    // Wave by wave: every charger's first record, then every second one...: sessions overlap as in a real fleet.
    for (let w = 0; w < perCharger[0].length; w++) {
      const wave = perCharger.map((r) => r[w]);
      for (let i = 0; i < wave.length; i += 2000)
        await producer.send({ topic, acks: -1, messages: wave.slice(i, i + 2000) });
    }
    report(`produced ${total} OCPP records in ${((Date.now() - produceStart) / 1000).toFixed(1)} s`);

    let done = 0;
    let last = Date.now();
    let lastN = 0;
    for (;;) {
      const n = await recordsProcessed(pool, group);
      if (Date.now() - last >= 5000) {
        report(
          `  folded ${n - first}/${total} records (${Math.round(((n - lastN) * 1000) / (Date.now() - last))}/s)`,
        );
        last = Date.now();
        lastN = n;
      }
      if (n >= total + first) {
        done = Date.now();
        break;
      }
      if (Date.now() > DEADLINE) throw new Error(`only ${n} of ${total} records folded before the deadline`);
      await sleep(50);
    }
    // From the first record produced to the last one committed (production is much faster than folding).
    const eventsPerS = Math.round((total * 1000) / Math.max(1, done - firstAt));
    const appended = Number((await pool.query('select count(*)::bigint as n from events')).rows[0].n);
    const closed = Number(
      (await pool.query(`select count(*)::bigint as n from sessions where status = 'CLOSED'`)).rows[0].n,
    );
    report(
      `throughput: ${eventsPerS} OCPP records/s folded and committed (${appended} domain events appended, ${closed}/${CHARGERS} sessions CLOSED)`,
    );
    if (closed !== CHARGERS) throw new Error(`expected ${CHARGERS} CLOSED sessions, found ${closed}`);

    // ---------------------------------------------------------------- 2. projection lag at half rate
    const rate = Math.max(50, Math.floor(eventsPerS / 2));
    const lagChargers = Math.min(2000, CHARGERS);
    const lag = Array.from({ length: lagChargers }, (_, i) => new GatewayRecords(`CP-LAG-${i}`, 'bench'));
    const lagStart = Date.now();
    const sessions = new Map<number, { id: string; tx: number; start: number; wh: number; minute: number }>();
    const warm: GatewayRecord[] = [];
    lag.forEach((g, i) => {
      warm.push(g.connected());
      const start = g.startTransaction(1, 90_000 + i, 500, new Date(lagStart));
      warm.push(start);
      sessions.set(i, {
        id: nameUuid('local-session', JSON.parse(start.value).id),
        tx: 90_000 + i,
        start: 500,
        wh: 500,
        minute: 0,
      });
    });
    for (let i = 0; i < warm.length; i += 2000)
      await producer.send({ topic, acks: -1, messages: warm.slice(i, i + 2000) });
    while ((await recordsProcessed(pool, group)) < first + total + warm.length) {
      if (Date.now() > DEADLINE) throw new Error('lag warm-up did not finish');
      await sleep(50);
    }
    report(`lag phase: ${rate} records/s for ${LAG_SECONDS} s over ${lagChargers} active sessions`);

    const lags: number[] = [];
    const polls: Promise<void>[] = [];
    const headers = { 'x-api-key': apiKey };
    const probe = async (sessionId: string, expectedKwh: number, ackAt: number) => {
      for (;;) {
        const res = await fetch(`${base}/v1/sessions/${sessionId}`, { headers });
        const body = (await res.json()) as { session?: { energy_in_kwh: number } };
        if (body.session && body.session.energy_in_kwh >= expectedKwh) {
          lags.push(performance.now() - ackAt);
          return;
        }
        if (performance.now() - ackAt > 30_000) return;
        await sleep(5);
      }
    };
    const tick = 20;
    const perTick = Math.max(1, Math.round((rate * tick) / 1000));
    const endAt = Date.now() + LAG_SECONDS * 1000;
    let next = 0;
    let sent = 0;
    let nextTickAt = performance.now();
    const sampleEvery = Math.max(1, Math.round(rate / 15)); // ~15 probes per second
    while (Date.now() < endAt) {
      const batch: GatewayRecord[] = [];
      let sample: { id: string; kwh: number } | null = null;
      for (let k = 0; k < perTick; k++) {
        const s = sessions.get(next)!;
        next = (next + 1) % lagChargers;
        s.wh += 250;
        s.minute += 1;
        batch.push(
          lag[next === 0 ? lagChargers - 1 : next - 1].meterValues(
            1,
            s.tx,
            s.wh,
            new Date(lagStart + s.minute * 1000),
          ),
        );
        sent++;
        if (sent % sampleEvery === 0 && !sample) sample = { id: s.id, kwh: (s.wh - s.start) / 1000 };
      }
      // Open loop: do not wait for the ack before the next tick (only for the probe's start time).
      const sending = producer.send({ topic, acks: -1, messages: batch });
      if (sample) {
        const smp = sample;
        polls.push(sending.then(() => probe(smp.id, smp.kwh, performance.now())));
      } else {
        sending.catch(() => undefined);
      }
      nextTickAt += tick;
      const wait = nextTickAt - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(polls);
    await producer.disconnect();
    const lagP50 = percentile(lags, 50);
    const lagP99 = percentile(lags, 99);
    report(
      `projection lag (Kafka ack → visible in GET /v1/sessions/:id): p50 ${lagP50} ms, p99 ${lagP99} ms over ${lags.length} probes, ${sent} records sent`,
    );

    // ---------------------------------------------------------------- 3. authenticated API
    const noKey = await fetch(`${base}/v1/sessions/${sessions.get(0)!.id}`);
    if (noKey.status !== 401)
      throw new Error(`GET /v1/sessions/:id without a key answered ${noKey.status}, not 401`);
    const [api] = await closedLoop(
      [{ url: `${base}/v1/sessions/${sessions.get(0)!.id}`, headers }],
      API_SECONDS,
      API_CONCURRENCY,
    );
    expectOnly(api, 200, 'GET /v1/sessions/:id with a valid key');
    report(
      `API GET /v1/sessions/:id with a valid key: ${api.rps} requests/s, p50 ${api.p50_ms} ms, p99 ${api.p99_ms} ms (${API_CONCURRENCY} clients, ${api.requests} requests)`,
    );
    const [open, guarded] = await closedLoop(
      [{ url: `${base}/health/live` }, { url: `${base}/v1/sessions/not-a-uuid`, headers }],
      API_SECONDS,
      1,
    );
    expectOnly(open, 200, '/health/live');
    expectOnly(guarded, 404, 'GET /v1/sessions/not-a-uuid with a valid key');
    const authOverheadP99 = Math.round((guarded.p99_ms - open.p99_ms) * 100) / 100;
    report(
      `guard overhead: p99 ${guarded.p99_ms} ms guarded (p50 ${guarded.p50_ms}) vs ${open.p99_ms} ms unguarded /health/live (p50 ${open.p50_ms}) = ${authOverheadP99} ms (goal ≤ 1 ms), ${guarded.requests} requests each`,
    );

    if (process.env.BENCH_METRICS_FILE)
      fs.writeFileSync(
        process.env.BENCH_METRICS_FILE,
        await (await fetch(`http://127.0.0.1:${managementPort}/metrics`)).text(),
      );
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    child = null;

    // ---------------------------------------------------------------- 4. baselines, same Postgres, same table shape
    const c = new Client({ connectionString: dbUrl });
    await c.connect();
    await c.query('create table baseline_copy (like events including all)');
    await c.query('create table baseline_insert (like events including all)');
    const { rows } = await c.query<{
      stream_id: string;
      stream_position: string;
      event_id: string;
      type: string;
      data: unknown;
      metadata: unknown;
    }>(
      'select stream_id, stream_position, event_id::text, type, data, metadata from events order by global_position',
    );
    const tsv = Buffer.from(
      rows
        .map((r) =>
          [
            r.stream_id,
            r.stream_position,
            r.event_id,
            r.type,
            JSON.stringify(r.data),
            JSON.stringify(r.metadata),
          ]
            .map(copyText)
            .join('\t'),
        )
        .join('\n') + '\n',
    );
    const copyStart = performance.now();
    await copyFrom(
      c,
      'copy baseline_copy (stream_id, stream_position, event_id, type, data, metadata) from stdin',
      tsv,
    );
    const copyMs = performance.now() - copyStart;
    const copyRowsPerS = Math.round((rows.length * 1000) / copyMs);
    report(`baseline COPY: ${rows.length} rows in ${copyMs.toFixed(0)} ms = ${copyRowsPerS} rows/s`);

    let inserted = 0;
    const insEnd = performance.now() + INSERT_SECONDS * 1000;
    const insStart = performance.now();
    while (performance.now() < insEnd) {
      const r = rows[inserted % rows.length];
      await c.query(
        'insert into baseline_insert (stream_id, stream_position, event_id, type, data, metadata) values ($1, $2, $3, $4, $5, $6)',
        [
          r.stream_id,
          r.stream_position,
          randomUUID(),
          r.type,
          JSON.stringify(r.data),
          JSON.stringify(r.metadata),
        ],
      );
      inserted++;
    }
    const insertRowsPerS = Math.round((inserted * 1000) / (performance.now() - insStart));
    report(`baseline INSERT, one row per transaction: ${insertRowsPerS} rows/s`);
    await c.end();

    report(
      `events/s vs COPY rows/s: ${((eventsPerS / copyRowsPerS) * 100).toFixed(1)}% (goal ≥ 40%); vs single-row INSERT: ${(eventsPerS / insertRowsPerS).toFixed(1)}× (goal ≥ 20×); lag p99 ${lagP99} ms (goal ≤ 250)`,
    );
    finish({
      bench: 'session',
      events_per_s: eventsPerS,
      baseline_copy_rows_per_s: copyRowsPerS,
      baseline_insert_rows_per_s: insertRowsPerS,
      projection_lag_p99_ms: lagP99,
      projection_lag_p50_ms: lagP50,
      lag_rate_per_s: rate,
      lag_probes: lags.length,
      api_rps: api.rps,
      api_p99_ms: api.p99_ms,
      api_p50_ms: api.p50_ms,
      api_concurrency: API_CONCURRENCY,
      auth_overhead_p99_ms: authOverheadP99,
      // p99 of one client is at the scheduler's mercy on a loaded machine; p50 shows the typical cost.
      auth_overhead_p50_ms: Math.round((guarded.p50_ms - open.p50_ms) * 100) / 100,
      auth_guarded_p99_ms: guarded.p99_ms,
      auth_unguarded_p99_ms: open.p99_ms,
      chargers: CHARGERS,
      ocpp_records: total,
      domain_events: appended,
      quick: QUICK,
    });
  } finally {
    if (child) child.kill('SIGKILL');
    await pool.end().catch(() => undefined);
    // BENCH_KEEP_DB=1 leaves the database for inspection (EXPLAIN of the service's statements).
    if (process.env.BENCH_KEEP_DB !== '1') await dropDatabase(stack.serverUrl, dbName).catch(() => undefined);
    else console.error(`kept database ${dbName}`);
    await stack.stop();
  }
}

main().catch((e) => {
  console.error(`bench:session failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
