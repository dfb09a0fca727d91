/**
 * npm run bench:gateway: N connected chargers (10,000; BENCH_QUICK=1: 1,000) against the gateway
 * running as its own process, on loopback, with the real broker and Postgres. A share of them
 * (BENCH_V201_SHARE, default 0.5: the issue 13 mix) speak OCPP 2.0.1, the others 1.6J.
 *
 * 1. bare kafkajs baselines (bench:kafka): single acks=all send p50/p99, sendBatch msgs/s;
 * 2. gateway RSS per idle connection: the 1.6 chargers connect first, then the 2.0.1 ones
 *    (BENCH_V201_FIRST=1: the other way round); RSS growth over each wave / its size is that
 *    protocol's figure (`rss_kb_per_connection` for 1.6, `rss_kb_per_connection_v201`; `_all` over
 *    both waves);
 * 3. ramps an open-loop CALL rate (MeterValues, alternately from an idle 1.6 and an idle 2.0.1
 *    charger, one outstanding CALL per charger as OCPP-J requires) and reports, for the highest
 *    rate whose CALL→CALLRESULT p99 stays within 2× the bare send p99 for both protocols:
 *    confirmed calls/s, p50 and p99 per protocol (`calls_per_s`, `p99_ms`... are 1.6's, `_v201`
 *    2.0.1's, `calls_per_s_total` both), and the gateway's CPU per CALL.
 * Each CALL is confirmed only after Kafka acknowledged its record, so this is the durable path.
 * 4. the operator API (issue 12; BENCH_OPERATOR=0 skips it), between 2 and 3: session-service
 *    started as its own process once the N chargers are connected, with an operator key; once it
 *    lists all N online, one client in a closed loop, then BENCH_OPERATOR_CONCURRENCY (4) at once
 *    (`_loaded` keys): `GET /v1/chargers?online=true` pages walking the cursor to the end and
 *    again (p99 per page), `GET /v1/chargers/:id` of random connected chargers (p99); then, for a
 *    sample of chargers (BENCH_STATUS_PROBES at a time), the time from a StatusNotification's
 *    CALLRESULT to the new status (and its info text) being visible through
 *    `GET /v1/chargers/:id`, polled every 10 ms. session-service is stopped before the CALL
 *    ramp, so the ramp measures the gateway alone as before. BENCH_CHARGERS is BENCH_CONNECTIONS.
 */
import fs from 'node:fs';
import os from 'node:os';
import { Client } from 'pg';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  migrateApp,
  startAppProcess,
  testBrokers,
  type AppProcess,
} from '@app/testing';
import { provisionApiKeys } from '@app/auth/testing';
import { OcppClient } from '@app/testing/simulator';
import { topicName } from '@app/contracts';
import { kafkaBaseline } from './lib/kafka-baseline';
import { QUICK, benchStack } from './lib/stack';
import { finish, percentile, report } from './lib/stats';

const CONNECTIONS = Number(
  process.env.BENCH_CONNECTIONS ?? process.env.BENCH_CHARGERS ?? (QUICK ? 1000 : 10000),
);
const V201_SHARE = Number(process.env.BENCH_V201_SHARE ?? 0.5);
if (!(V201_SHARE >= 0 && V201_SHARE <= 1))
  throw new Error(`BENCH_V201_SHARE must be 0..1, not ${process.env.BENCH_V201_SHARE}`);
const CONNECTIONS_V201 = Math.round(CONNECTIONS * V201_SHARE);
const CONNECTIONS_V16 = CONNECTIONS - CONNECTIONS_V201;
/**
 * The first wave also pays for what the process grows once (heap, buffers), so its RSS figure is
 * the higher one: BENCH_V201_FIRST=1 connects the 2.0.1 chargers first, to see each protocol both ways.
 */
const V201_FIRST = process.env.BENCH_V201_FIRST === '1';
type Protocol = 'ocpp1.6' | 'ocpp2.0.1';
const PROTOCOLS: readonly Protocol[] = ['ocpp1.6', 'ocpp2.0.1'];
/** The operator API figures (session-service in the bench); BENCH_OPERATOR=0 leaves them out. */
const OPERATOR = process.env.BENCH_OPERATOR !== '0';
const OPERATOR_KEY = 'bench-gateway-operator-key-0123456789';
/**
 * The list and get figures are one client's (a request's latency, nothing queued before it); then
 * the same reads again with this many clients at once (a console's users and a CPO's tools).
 */
const LOAD_CONCURRENCY = Number(process.env.BENCH_OPERATOR_CONCURRENCY ?? 4);
const OPERATOR_SECONDS = Number(process.env.BENCH_OPERATOR_SECONDS ?? (QUICK ? 5 : 10));
/** Page size of the list walk (the API's default is 50). */
const LIST_LIMIT = Number(process.env.BENCH_LIST_LIMIT ?? 50);
const STATUS_SAMPLE = Number(process.env.BENCH_STATUS_SAMPLE ?? (QUICK ? 60 : 200));
const STATUS_PROBES = Number(process.env.BENCH_STATUS_PROBES ?? 4);
/**
 * BENCH_ANALYZE=1: ANALYZE session-service's charger tables once all N are listed, as a database
 * that has been running a while has planner statistics (by default the reads are measured 20-40 s
 * after the N chargers first connected, before autovacuum analyzed the freshly filled tables).
 */
const ANALYZE = process.env.BENCH_ANALYZE === '1';
const STEP_SECONDS = QUICK ? 3 : 6;
const RATES = QUICK ? [250, 500, 1000, 2000, 3000] : [500, 1000, 2000, 2500, 3000, 4000, 5000, 6000, 8000];
/** The ramp's time budget; the operator phase's own time is added to it. */
let BENCH_DEADLINE = Date.now() + (QUICK ? 3 : 8) * 60_000;

function rssKb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

/** User+system CPU of a process, ms. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ProtocolStep {
  calls_per_s: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  /** Mean / p99 (bucket bound) inside the gateway for this protocol's CALLs. */
  gateway_mean_ms: number;
  gateway_p99_le_ms: number;
}

interface StepResult {
  target: number;
  /** Both protocols together. */
  calls_per_s: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  /** Per protocol (absent for a protocol with no chargers). */
  v16?: ProtocolStep;
  v201?: ProtocolStep;
  gateway_cpu_ms_per_call: number;
  /** Mean time inside the gateway from frame received to CALLRESULT sent (validation + Kafka ack). */
  gateway_mean_ms: number;
  /** p99 inside the gateway, as the upper bound of its histogram bucket. */
  gateway_p99_le_ms: number;
  /** The gateway's event-loop delay during the step (p99, max) and its GC pause time. */
  gateway_loop_lag_p99_ms: number;
  gateway_loop_lag_max_ms: number;
  gateway_gc_ms: number;
}

interface Histogram {
  sum: number;
  count: number;
  /** Cumulative counts by upper bound (seconds). */
  buckets: Array<[number, number]>;
}

interface GatewayHistogram extends Histogram {
  /** The same, by the `protocol` label (a series without one counts as 1.6). */
  byProtocol: Record<Protocol, Histogram>;
  /** Event-loop delay since the previous scrape (prom-client resets it on each scrape), seconds. */
  loopLagP99: number;
  loopLagMax: number;
  /** Total GC pause time so far, seconds. */
  gcSeconds: number;
}

function emptyHistogram(): Histogram {
  return { sum: 0, count: 0, buckets: [] };
}

function addSample(h: Histogram, kind: string, le: string | undefined, value: number): void {
  if (kind === '_sum') h.sum += value;
  else if (kind === '_count') h.count += value;
  else {
    const bound = le === '+Inf' ? Infinity : Number(le);
    const b = h.buckets.find(([x]) => x === bound);
    if (b) b[1] += value;
    else h.buckets.push([bound, value]);
  }
}

/** The gateway's MeterValues CALL-duration histogram (from /metrics), in all and per protocol. */
async function gatewayCallSeconds(managementUrl: string): Promise<GatewayHistogram> {
  const text = await (await fetch(`${managementUrl}/metrics`)).text();
  const all = emptyHistogram();
  const byProtocol = { 'ocpp1.6': emptyHistogram(), 'ocpp2.0.1': emptyHistogram() };
  for (const m of text.matchAll(/^ocpp_call_duration_seconds(_bucket|_sum|_count)\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.action !== 'MeterValues') continue;
    const value = Number(m[3]);
    addSample(all, m[1], labels.le, value);
    addSample(
      labels.protocol === 'ocpp2.0.1' ? byProtocol['ocpp2.0.1'] : byProtocol['ocpp1.6'],
      m[1],
      labels.le,
      value,
    );
  }
  for (const h of [all, ...Object.values(byProtocol)]) h.buckets.sort((a, b) => a[0] - b[0]);
  const gauge = (name: string) =>
    Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  let gcSeconds = 0;
  for (const m of text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm))
    gcSeconds += Number(m[1]);
  return {
    ...all,
    byProtocol,
    loopLagP99: gauge('nodejs_eventloop_lag_p99_seconds'),
    loopLagMax: gauge('nodejs_eventloop_lag_max_seconds'),
    gcSeconds,
  };
}

/** Upper bound (ms) of the bucket holding the p-th percentile of what was observed between two scrapes. */
function bucketPercentileMs(before: Histogram, after: Histogram, p: number): number {
  const total = after.count - before.count;
  if (total <= 0) return NaN;
  for (const [le, cumulative] of after.buckets) {
    const prev = before.buckets.find(([b]) => b === le)?.[1] ?? 0;
    if (cumulative - prev >= (p / 100) * total) return le * 1000;
  }
  return Infinity;
}

function meanMs(before: Histogram, after: Histogram): number {
  const handled = after.count - before.count;
  return handled > 0 ? Math.round(((after.sum - before.sum) / handled) * 1e5) / 100 : NaN;
}

/** A connected bench charger. */
interface BenchClient {
  client: OcppClient;
  protocol: Protocol;
}

/** A MeterValues CALL without a transaction, in the charger's protocol, the register at `wh`. */
function meterValues(protocol: Protocol, wh: number): Record<string, unknown> {
  const timestamp = new Date().toISOString();
  if (protocol === 'ocpp2.0.1')
    return {
      evseId: 1,
      meterValue: [
        {
          timestamp,
          sampledValue: [
            {
              value: wh,
              measurand: 'Energy.Active.Import.Register',
              context: 'Sample.Periodic',
              unitOfMeasure: { unit: 'Wh' },
            },
            { value: 11000, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
          ],
        },
      ],
    };
  return {
    connectorId: 1,
    meterValue: [
      {
        timestamp,
        sampledValue: [
          {
            value: String(wh),
            measurand: 'Energy.Active.Import.Register',
            unit: 'Wh',
            context: 'Sample.Periodic',
          },
          { value: '11000', measurand: 'Power.Active.Import', unit: 'W' },
        ],
      },
    ],
  };
}

async function runStep(
  clients: BenchClient[],
  rate: number,
  seconds: number,
  gateway: AppProcess,
  seq: { n: number },
): Promise<StepResult> {
  const pid = gateway.child.pid!;
  const metricsBefore = await gatewayCallSeconds(gateway.managementUrl);
  // Per protocol: its chargers (indexes into `clients`), which are busy, where the search resumes.
  const groups = PROTOCOLS.map((protocol) => ({
    protocol,
    members: clients.flatMap((c, i) => (c.protocol === protocol ? [i] : [])),
    cursor: 0,
    latencies: [] as number[],
    errors: 0,
  })).filter((g) => g.members.length > 0);
  for (const g of groups) g.cursor = Math.floor(Math.random() * g.members.length);
  const busy = new Uint8Array(clients.length);
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  const cpuBefore = cpuMs(pid);
  const start = Date.now();
  const end = start + seconds * 1000;
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - start) / 1000) * rate) - sent;
    for (let k = 0; k < due; k++) {
      // The protocols take turns (a 50/50 mix of CALLs for a 50/50 fleet, whatever the share).
      const g = groups[sent % groups.length];
      // Next idle charger of that protocol (one outstanding CALL per connection).
      let tries = 0;
      while (busy[g.members[g.cursor]] && tries < g.members.length) {
        g.cursor = (g.cursor + 1) % g.members.length;
        tries++;
      }
      if (tries >= g.members.length) break;
      const i = g.members[g.cursor];
      g.cursor = (g.cursor + 1) % g.members.length;
      busy[i] = 1;
      sent++;
      const t0 = process.hrtime.bigint();
      const p = clients[i].client
        .call('MeterValues', meterValues(g.protocol, 1000 + seq.n), `b${seq.n++}`)
        .then((answer) => {
          if (answer.type === 'result') g.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          else g.errors++;
        })
        .catch(() => {
          g.errors++;
        })
        .finally(() => {
          busy[i] = 0;
          inflight.delete(p);
        });
      inflight.add(p);
    }
    await sleep(2);
  }
  await Promise.all(inflight);
  const elapsed = (Date.now() - start) / 1000;
  const cpu = cpuMs(pid) - cpuBefore;
  const metricsAfter = await gatewayCallSeconds(gateway.managementUrl);
  const latencies = groups.flatMap((g) => g.latencies);
  const perProtocol = (protocol: Protocol): ProtocolStep | undefined => {
    const g = groups.find((x) => x.protocol === protocol);
    if (!g) return undefined;
    const before = metricsBefore.byProtocol[protocol];
    const after = metricsAfter.byProtocol[protocol];
    return {
      calls_per_s: Math.round(g.latencies.length / elapsed),
      p50_ms: percentile(g.latencies, 50),
      p99_ms: percentile(g.latencies, 99),
      errors: g.errors,
      gateway_mean_ms: meanMs(before, after),
      gateway_p99_le_ms: bucketPercentileMs(before, after, 99),
    };
  };
  const v16 = perProtocol('ocpp1.6');
  const v201 = perProtocol('ocpp2.0.1');
  return {
    target: rate,
    calls_per_s: Math.round(latencies.length / elapsed),
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    errors: groups.reduce((n, g) => n + g.errors, 0),
    ...(v16 ? { v16 } : {}),
    ...(v201 ? { v201 } : {}),
    gateway_cpu_ms_per_call: latencies.length ? Math.round((cpu / latencies.length) * 1000) / 1000 : NaN,
    gateway_mean_ms: meanMs(metricsBefore, metricsAfter),
    gateway_p99_le_ms: bucketPercentileMs(metricsBefore, metricsAfter, 99),
    gateway_loop_lag_p99_ms: Math.round(metricsAfter.loopLagP99 * 1e5) / 100,
    gateway_loop_lag_max_ms: Math.round(metricsAfter.loopLagMax * 1e5) / 100,
    gateway_gc_ms: Math.round((metricsAfter.gcSeconds - metricsBefore.gcSeconds) * 1e5) / 100,
  };
}

interface OperatorFigures {
  chargers_online_listed: number;
  /** How long session-service took, after its start, to list every connected charger online. */
  chargers_listed_after_s: number;
  chargers_list_page_size: number;
  chargers_list_pages: number;
  chargers_list_p50_ms: number;
  chargers_list_p99_ms: number;
  charger_get_requests: number;
  charger_get_p50_ms: number;
  charger_get_p99_ms: number;
  status_visible_samples: number;
  status_visible_p50_ms: number;
  status_visible_p99_ms: number;
  status_visible_max_ms: number;
  status_visible_probes: number;
  /** The 2.0.1 chargers among the sample (their StatusNotification is 2.0.1's). */
  status_visible_samples_v201: number;
  status_visible_p99_ms_v201: number;
  /** The host's 1-minute load average at the start and the end of the operator phase (2 cores here). */
  operator_phase_load_avg_1m: number[];
  /** BENCH_ANALYZE=1 ran ANALYZE on the charger tables before the reads. */
  operator_tables_analyzed: boolean;
  /** The same reads with LOAD_CONCURRENCY clients at once (absent when it is 1). */
  operator_load_clients?: number;
  chargers_list_p50_ms_loaded?: number;
  chargers_list_p99_ms_loaded?: number;
  chargers_list_pages_per_s_loaded?: number;
  charger_get_p50_ms_loaded?: number;
  charger_get_p99_ms_loaded?: number;
  charger_get_per_s_loaded?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of the API under test
async function getJson(url: string): Promise<{ status: number; body: any; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { 'x-api-key': OPERATOR_KEY } });
  const text = await res.text();
  const ms = performance.now() - t0;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* kept as text for the error message */
  }
  return { status: res.status, body, ms };
}

/** Walks `GET /v1/chargers?online=true` to its end: the ids listed and each page's latency. */
async function walkOnline(api: string, limit: number): Promise<{ ids: string[]; pageMs: number[] }> {
  const ids: string[] = [];
  const pageMs: number[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await getJson(`${api}/v1/chargers?online=true&limit=${limit}${q}`);
    if (page.status !== 200)
      throw new Error(`GET /v1/chargers answered ${page.status}: ${JSON.stringify(page.body).slice(0, 300)}`);
    pageMs.push(page.ms);
    for (const c of page.body.chargers as Array<{ id: string; online: boolean }>) {
      if (!c.online) throw new Error(`GET /v1/chargers?online=true listed ${c.id} offline`);
      ids.push(c.id);
    }
    cursor = page.body.next_cursor;
  } while (cursor);
  return { ids, pageMs };
}

interface ReadFigures {
  pages: number;
  walks: number;
  listP50: number;
  listP99: number;
  gets: number;
  getP50: number;
  getP99: number;
}

/**
 * `concurrency` clients in a closed loop for OPERATOR_SECONDS each: list pages (each client walks
 * the cursor of `GET /v1/chargers?online=true` to the end and again), then `GET /v1/chargers/:id`
 * of random chargers among `ids`.
 */
async function measureReads(api: string, ids: string[], concurrency: number): Promise<ReadFigures> {
  const pageMs: number[] = [];
  let walks = 0;
  const listEnd = performance.now() + OPERATOR_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < listEnd) {
        let cursor: string | null = null;
        do {
          const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
          const page = await getJson(`${api}/v1/chargers?online=true&limit=${LIST_LIMIT}${q}`);
          if (page.status !== 200) throw new Error(`GET /v1/chargers answered ${page.status}`);
          pageMs.push(page.ms);
          if (!page.body.next_cursor) walks++;
          cursor = performance.now() < listEnd ? page.body.next_cursor : null;
        } while (cursor);
      }
    }),
  );
  const getMs: number[] = [];
  const getEnd = performance.now() + OPERATOR_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < getEnd) {
        const id = ids[Math.floor(Math.random() * ids.length)];
        const res = await getJson(`${api}/v1/chargers/${encodeURIComponent(id)}`);
        if (res.status !== 200 || res.body.id !== id)
          throw new Error(
            `GET /v1/chargers/${id} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`,
          );
        getMs.push(res.ms);
      }
    }),
  );
  const figures = {
    pages: pageMs.length,
    walks,
    listP50: percentile(pageMs, 50),
    listP99: percentile(pageMs, 99),
    gets: getMs.length,
    getP50: percentile(getMs, 50),
    getP99: percentile(getMs, 99),
  };
  report(
    `${concurrency} client(s): GET /v1/chargers?online=true&limit=${LIST_LIMIT}: ${figures.pages} pages (${walks} whole walks), p50 ${figures.listP50} ms, p99 ${figures.listP99} ms; ` +
      `GET /v1/chargers/:id: ${figures.gets} requests, p50 ${figures.getP50} ms, p99 ${figures.getP99} ms`,
  );
  return figures;
}

/** `clients[i]` is the connection of charger `ids[i]`. */
async function operatorFigures(
  sessionService: AppProcess,
  sessionsDbUrl: string,
  clients: BenchClient[],
  ids: string[],
): Promise<OperatorFigures> {
  const api = sessionService.baseUrl;
  // Another job on this machine shows in every latency: the 1-minute load average says how busy it was.
  const loadBefore = os.loadavg()[0];
  const connected = new Set(ids);
  const started = Date.now();
  // session-service folds the N ChargerConnected records first.
  let listed: string[] = [];
  for (;;) {
    listed = (await walkOnline(api, 500)).ids;
    if (listed.length >= connected.size) break;
    if (Date.now() - started > 180_000)
      throw new Error(
        `session-service lists ${listed.length} of ${connected.size} chargers online after 180 s`,
      );
    await sleep(1000);
  }
  const listedAfter = (Date.now() - started) / 1000;
  const unique = new Set(listed);
  const missing = [...connected].filter((id) => !unique.has(id));
  if (unique.size !== listed.length || missing.length > 0 || unique.size !== connected.size)
    throw new Error(
      `the online list walk gave ${listed.length} entries (${unique.size} distinct), missing ${missing.length} connected chargers (e.g. ${missing.slice(0, 3).join(', ')})`,
    );
  report(
    `session-service lists all ${unique.size} connected chargers online ${listedAfter.toFixed(1)} s after its start`,
  );

  if (ANALYZE) {
    const db = new Client({ connectionString: sessionsDbUrl });
    await db.connect();
    await db.query('analyze chargers, connectors, charger_registry').finally(() => db.end());
    report('BENCH_ANALYZE=1: chargers, connectors and charger_registry analyzed before measuring');
  }
  // Unmeasured warm-up of both routes.
  await walkOnline(api, LIST_LIMIT);
  for (let i = 0; i < 200; i++)
    await getJson(`${api}/v1/chargers/${encodeURIComponent(listed[i % listed.length])}`);

  // 1.-2. one client (the latency of a page / a charger), then LOAD_CONCURRENCY clients at once.
  const one = await measureReads(api, listed, 1);
  const loaded = LOAD_CONCURRENCY > 1 ? await measureReads(api, listed, LOAD_CONCURRENCY) : null;

  // 3. StatusNotification confirmed → the new status visible, for a sample of distinct chargers.
  // A uniform shuffle (sort with a random comparator is not one: it kept the 1.6 wave, first in
  // `clients`, mostly in front).
  const shuffled = clients.map((client, i) => ({ client, id: ids[i] }));
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const sample = shuffled.slice(0, Math.min(STATUS_SAMPLE, clients.length));
  const visibleMs: number[] = [];
  const visibleMsV201: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: STATUS_PROBES }, async () => {
      while (next < sample.length) {
        const n = next++;
        const { client, id } = sample[n];
        const status = n % 2 === 0 ? 'Unavailable' : 'Faulted';
        const info = `bench-${n}-${Date.now()}`;
        const timestamp = new Date().toISOString();
        // 2.0.1 has no info text: a sampled charger has reported no status before, so the status alone is new.
        const answer =
          client.protocol === 'ocpp2.0.1'
            ? await client.client.call('StatusNotification', {
                timestamp,
                connectorStatus: status,
                evseId: 1,
                connectorId: 1,
              })
            : await client.client.call('StatusNotification', {
                connectorId: 1,
                errorCode: status === 'Faulted' ? 'OtherError' : 'NoError',
                status,
                info,
                timestamp,
              });
        const confirmedAt = performance.now();
        if (answer.type !== 'result') throw new Error(`StatusNotification answered ${answer.code}`);
        const url = `${api}/v1/chargers/${encodeURIComponent(id)}`;
        for (;;) {
          const res = await getJson(url);
          const c = (
            res.body.connectors as Array<{ connector_id: number; status: string; info: string }>
          )?.find((x) => x.connector_id === 1);
          if (c?.status === status && (client.protocol === 'ocpp2.0.1' || c.info === info)) {
            visibleMs.push(performance.now() - confirmedAt);
            if (client.protocol === 'ocpp2.0.1') visibleMsV201.push(performance.now() - confirmedAt);
            break;
          }
          if (performance.now() - confirmedAt > 30_000)
            throw new Error(`${id}: status ${status} not visible 30 s after its StatusNotification`);
          await sleep(10);
        }
      }
    }),
  );
  const visibleP50 = percentile(visibleMs, 50);
  const visibleP99 = percentile(visibleMs, 99);
  const visibleMax = percentile(visibleMs, 100);
  const visibleP99V201 = percentile(visibleMsV201, 99);
  report(
    `StatusNotification confirmed → visible in GET /v1/chargers/:id: ${visibleMs.length} chargers (${STATUS_PROBES} at a time), p50 ${visibleP50} ms, p99 ${visibleP99} ms, max ${visibleMax} ms; ` +
      `the ${visibleMsV201.length} 2.0.1 ones p99 ${visibleP99V201} ms`,
  );
  return {
    chargers_online_listed: unique.size,
    chargers_listed_after_s: Math.round(listedAfter * 10) / 10,
    chargers_list_page_size: LIST_LIMIT,
    chargers_list_pages: one.pages,
    chargers_list_p50_ms: one.listP50,
    chargers_list_p99_ms: one.listP99,
    charger_get_requests: one.gets,
    charger_get_p50_ms: one.getP50,
    charger_get_p99_ms: one.getP99,
    ...(loaded
      ? {
          operator_load_clients: LOAD_CONCURRENCY,
          chargers_list_p50_ms_loaded: loaded.listP50,
          chargers_list_p99_ms_loaded: loaded.listP99,
          chargers_list_pages_per_s_loaded: Math.round(loaded.pages / OPERATOR_SECONDS),
          charger_get_p50_ms_loaded: loaded.getP50,
          charger_get_p99_ms_loaded: loaded.getP99,
          charger_get_per_s_loaded: Math.round(loaded.gets / OPERATOR_SECONDS),
        }
      : {}),
    status_visible_samples: visibleMs.length,
    status_visible_p50_ms: visibleP50,
    status_visible_p99_ms: visibleP99,
    status_visible_max_ms: visibleMax,
    status_visible_probes: STATUS_PROBES,
    status_visible_samples_v201: visibleMsV201.length,
    status_visible_p99_ms_v201: visibleP99V201,
    operator_phase_load_avg_1m: [loadBefore, os.loadavg()[0]].map((l) => Math.round(l * 100) / 100),
    operator_tables_analyzed: ANALYZE,
  };
}

async function main(): Promise<void> {
  const stack = await benchStack('gateway');
  const dbName = `bench_gateway_${Date.now().toString(36)}`;
  const sessionsDbName = `${dbName}_sessions`;
  let gateway: AppProcess | null = null;
  let sessionService: AppProcess | null = null;
  let operator: OperatorFigures | null = null;
  const clients: BenchClient[] = [];
  const chargerIds: string[] = [];
  try {
    report(
      `broker ${stack.brokers.join(',')}, topic prefix ${stack.prefix}, ${CONNECTIONS} connections (${CONNECTIONS_V16} ocpp1.6, ${CONNECTIONS_V201} ocpp2.0.1)${QUICK ? ' (quick)' : ''}`,
    );
    const baseline = await kafkaBaseline(stack.kafka, topicName('ocppEvents', stack.prefix), {
      sends: QUICK ? 300 : 1000,
      batchSeconds: QUICK ? 5 : 10,
    });

    await createDatabase(stack.serverUrl, dbName);
    const dbUrl = databaseUrl(stack.serverUrl, dbName);
    await migrateApp('ocpp-gateway', dbUrl);
    gateway = await startAppProcess('ocpp-gateway', {
      DATABASE_URL: dbUrl,
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: stack.prefix,
      OCPP_ALLOW_UNREGISTERED: 'true',
      OCPP_COMMANDS_ENABLED: 'false',
      OCPP_PING_INTERVAL_S: '0',
      GATEWAY_ID: 'bench',
      LOG_LEVEL: 'warn',
    });
    const pid = gateway.child.pid!;
    const url = `ws://127.0.0.1:${gateway.port}/ocpp`;

    // Warm the process (JIT, pools) of both protocols before measuring memory.
    for (const protocol of PROTOCOLS) {
      const warm = await OcppClient.connect({
        url,
        chargePointId: `BENCH-WARM-${protocol}`,
        protocols: [protocol],
      });
      for (let i = 0; i < 50; i++) await warm.call('Heartbeat', {});
      await warm.close();
    }
    await sleep(500);
    const rssBefore = rssKb(pid);

    // The 1.6 wave, then the 2.0.1 wave: each one's RSS growth is its protocol's per-connection figure.
    const rssPerConnection: Partial<Record<Protocol, number>> = {};
    const connectStarted = Date.now();
    let rssWave = rssBefore;
    const waves = [
      ['ocpp1.6', CONNECTIONS_V16, 'BENCH-'],
      ['ocpp2.0.1', CONNECTIONS_V201, 'BENCH-V201-'],
    ] as const;
    for (const [protocol, count, idPrefix] of V201_FIRST ? [waves[1], waves[0]] : waves) {
      if (count === 0) continue;
      const waveStarted = Date.now();
      for (let i = 0; i < count; i += 250) {
        const ids = Array.from(
          { length: Math.min(250, count - i) },
          (_, k) => `${idPrefix}${String(i + k).padStart(5, '0')}`,
        );
        const wave = await Promise.all(
          ids.map((chargePointId) =>
            OcppClient.connect({
              url,
              chargePointId,
              protocols: [protocol],
              callTimeoutMs: 30000,
              handshakeTimeoutMs: 30000,
            }),
          ),
        );
        const wrong = wave.find((c) => c.protocol !== protocol);
        if (wrong)
          throw new Error(
            `the gateway agreed on "${wrong.protocol}" with a charger offering only ${protocol}`,
          );
        clients.push(...wave.map((client) => ({ client, protocol })));
        chargerIds.push(...ids);
        if (Date.now() > BENCH_DEADLINE) throw new Error('bench deadline reached while connecting');
      }
      const waveSeconds = (Date.now() - waveStarted) / 1000;
      await sleep(3000);
      const rss = rssKb(pid);
      rssPerConnection[protocol] = Math.round(((rss - rssWave) / count) * 10) / 10;
      report(
        `${count} ${protocol} chargers connected in ${waveSeconds.toFixed(1)} s (${Math.round(count / waveSeconds)} handshakes/s incl. auto-registration); ` +
          `gateway RSS ${Math.round(rssWave / 1024)} → ${Math.round(rss / 1024)} MB: ${rssPerConnection[protocol]} KB per idle ${protocol} connection`,
      );
      rssWave = rss;
    }
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    const rssAfter = rssWave;
    const rssPerConnectionAll = Math.round(((rssAfter - rssBefore) / clients.length) * 10) / 10;
    report(
      `${clients.length} chargers connected in ${connectSeconds.toFixed(1)} s (with the RSS pauses); gateway RSS ${Math.round(rssBefore / 1024)} MB idle → ${Math.round(rssAfter / 1024)} MB: ${rssPerConnectionAll} KB per connection`,
    );

    if (OPERATOR) {
      const operatorStarted = Date.now();
      await createDatabase(stack.serverUrl, sessionsDbName);
      const sessionsDbUrl = databaseUrl(stack.serverUrl, sessionsDbName);
      await migrateApp('session-service', sessionsDbUrl);
      await provisionApiKeys(sessionsDbUrl, [
        { key: OPERATOR_KEY, name: 'bench operator', roles: ['operator'] },
      ]);
      sessionService = await startAppProcess(
        'session-service',
        {
          DATABASE_URL: sessionsDbUrl,
          AUTH_DATABASE_URL: sessionsDbUrl,
          KAFKA_BROKERS: testBrokers().join(','),
          KAFKA_TOPIC_PREFIX: stack.prefix,
          CONSUMER_GROUP: `${stack.prefix}session-service`,
          LOG_LEVEL: 'warn',
          // One client measuring latency, not an abuser: the per-address/per-key limits are off.
          RATE_LIMIT_PER_IP: '0',
          RATE_LIMIT_PER_CREDENTIAL: '0',
        },
        { readyTimeoutMs: 120_000 },
      );
      try {
        operator = await operatorFigures(sessionService, sessionsDbUrl, clients, chargerIds);
      } catch (e) {
        report(`session-service output:\n${sessionService.output().slice(-3000)}`);
        throw e;
      }
      // The CALL ramp measures the gateway alone, as before the operator API existed.
      await sessionService.stop();
      sessionService = null;
      BENCH_DEADLINE += Date.now() - operatorStarted;
    }

    const seq = { n: 0 };
    const rampLoadBefore = os.loadavg()[0];
    // Unmeasured warm-up: JIT of the publish path, the background work of the connection wave.
    await runStep(clients, 250, 3, gateway, seq);
    const limit = baseline.send_p99_ms * 2;
    const steps: StepResult[] = [];
    const describe = (name: string, f: ProtocolStep | undefined) =>
      f
        ? `; ${name} ${f.calls_per_s}/s p50 ${f.p50_ms} ms p99 ${f.p99_ms} ms (inside the gateway mean ${f.gateway_mean_ms} ms, p99 ≤ ${f.gateway_p99_le_ms} ms), ${f.errors} errors`
        : '';
    for (const rate of RATES) {
      if (Date.now() + STEP_SECONDS * 1000 > BENCH_DEADLINE) break;
      const step = await runStep(clients, rate, STEP_SECONDS, gateway, seq);
      steps.push(step);
      report(
        `rate ${rate}/s: ${step.calls_per_s} CALL/s confirmed, p50 ${step.p50_ms} ms, p99 ${step.p99_ms} ms (limit ${limit.toFixed(2)}), ` +
          `${step.errors} errors, gateway CPU ${step.gateway_cpu_ms_per_call} ms/CALL, mean ${step.gateway_mean_ms} ms / p99 ≤ ${step.gateway_p99_le_ms} ms inside the gateway, ` +
          `event loop delay p99 ${step.gateway_loop_lag_p99_ms} ms max ${step.gateway_loop_lag_max_ms} ms, GC ${step.gateway_gc_ms} ms` +
          describe('1.6', step.v16) +
          describe('2.0.1', step.v201),
      );
      // Keep ramping past the 2× line (the figures show where it breaks); stop once saturated.
      if (step.calls_per_s < rate * 0.8 || step.p99_ms > Math.max(limit * 4, 1000)) break;
    }
    // Within the goal: every protocol's p99 within 2× the bare send p99, no errors.
    const within = steps.filter((s) =>
      [s.v16, s.v201].every((f) => f === undefined || (f.p99_ms <= limit && f.errors === 0)),
    );
    const best = within.length ? within[within.length - 1] : steps[0];
    if (!within.length)
      report(
        `no rate kept p99 within 2× the bare send p99 (${limit.toFixed(2)} ms) for both protocols; reporting the lowest rate`,
      );
    finish({
      bench: 'gateway',
      connections: clients.length,
      connections_v16: CONNECTIONS_V16,
      connections_v201: CONNECTIONS_V201,
      rss_first_wave: V201_FIRST ? 'ocpp2.0.1' : 'ocpp1.6',
      calls_per_s_total: best?.calls_per_s ?? 0,
      p99_ms_all: best?.p99_ms ?? NaN,
      // The 1.6 figures under the names they always had.
      calls_per_s: best?.v16?.calls_per_s ?? 0,
      p50_ms: best?.v16?.p50_ms ?? NaN,
      p99_ms: best?.v16?.p99_ms ?? NaN,
      calls_per_s_v201: best?.v201?.calls_per_s ?? 0,
      p50_ms_v201: best?.v201?.p50_ms ?? NaN,
      p99_ms_v201: best?.v201?.p99_ms ?? NaN,
      baseline_send_p99_ms: baseline.send_p99_ms,
      baseline_send_p50_ms: baseline.send_p50_ms,
      baseline_batch_msgs_per_s: baseline.batch_msgs_per_s,
      rss_kb_per_connection: rssPerConnection['ocpp1.6'] ?? NaN,
      rss_kb_per_connection_v201: rssPerConnection['ocpp2.0.1'] ?? NaN,
      rss_kb_per_connection_all: rssPerConnectionAll,
      within_2x_baseline_p99: within.length > 0,
      gateway_cpu_ms_per_call: best?.gateway_cpu_ms_per_call ?? NaN,
      // The host's 1-minute load average at the start and the end of the ramp (2 cores here).
      ramp_load_avg_1m: [rampLoadBefore, os.loadavg()[0]].map((l) => Math.round(l * 100) / 100),
      ...(operator ?? {}),
      steps,
    });
  } finally {
    for (const c of clients) c.client.terminate();
    if (sessionService) await sessionService.stop();
    if (gateway) await gateway.stop();
    await dropDatabase(stack.serverUrl, dbName).catch(() => undefined);
    await dropDatabase(stack.serverUrl, sessionsDbName).catch(() => undefined);
    await stack.stop();
  }
}

main().catch((e) => {
  console.error(`bench:gateway failed: ${(e as Error).message}`);
  process.exit(1);
});
