/**
 * The stack under load for failover scenarios (ii)-(iv) of issue 9: the three apps as processes
 * (from source) against given brokers, their own databases and a credentials database, a fleet
 * tariff, and simulated chargers doing full sessions that ride through faults the way real ones
 * do (reconnect, BootNotification, send the unanswered message again). Callers inject the fault
 * (kill an app, a broker, Postgres connections) and then check, from the databases, that every
 * session a charger completed is CLOSED and billed exactly once.
 */
import { Client } from 'pg';
import type { Kafka } from 'kafkajs';
import { provisionApiKeys } from '@app/auth/testing';
import { allTopicSpecs, type TopicSettings } from '@app/contracts';
import { createKafka, ensureTopics } from '@app/kafka';
import {
  APPS,
  createTestDatabase,
  testTopicSettings,
  freePort,
  migrateApp,
  startAppProcess,
  uniqueSuffix,
  type AppProcess,
  type TestDatabase,
} from '@app/testing';
import { SimulatedCharger, sleep } from '@app/testing/simulator';
import { TARIFF_ENERGY_ONLY } from '@app/testing/fixtures';

export type AppName = (typeof APPS)[number]['name'];

/** The fleet unregistered chargers join (OCPP_ALLOW_UNREGISTERED) and its tariff. */
const FLEET = 'demo';
const OPERATOR_KEY = 'failover-operator-key-0001';
const TARIFF = TARIFF_ENERGY_ONLY;

export async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function poll<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined>,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Status of a GET, or 0 when nothing answers (not listening). */
export async function statusOf(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export interface StackOptions {
  brokers: string[];
  topicSettings?: TopicSettings;
  /** Extra environment for every app (e.g. KAFKA_SESSION_TIMEOUT_MS). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface RestartTimes {
  /** From spawn to the first answer of /health/live (HTTP listening). */
  listeningMs: number;
  /** From spawn to the first 200 of /health/ready. */
  readyMs: number;
  /** Gateway only: from spawn to the first accepted WebSocket upgrade on /ocpp. */
  ocppListeningMs?: number;
}

export interface Stack {
  prefix: string;
  kafka: Kafka;
  db: Record<AppName, TestDatabase>;
  /** The credentials database every app verifies API keys against. */
  access: TestDatabase;
  procs: Record<AppName, AppProcess>;
  /** Every process that ever ran, killed or not (for the crash check). */
  history: AppProcess[];
  /** kill -9, then start the same app again at once (same env, ports and GATEWAY_ID). */
  killAndRestart(app: AppName): Promise<RestartTimes>;
  /** SIGTERM (a rolling update), then start the same app again. */
  stopAndRestart(app: AppName): Promise<RestartTimes>;
  /** Processes that exited although the test did not stop or kill them. */
  crashed(): AppProcess[];
  logs(): string;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const kafka = createKafka({
      brokers: options.brokers,
      clientId: 'failover-under-load',
      log: () => undefined,
    });
    const prefix = `fl-${uniqueSuffix()}.`;
    await ensureTopics(kafka, allTopicSpecs(prefix, options.topicSettings ?? testTopicSettings()));
    const dbs: TestDatabase[] = [];
    cleanups.push(() => Promise.all(dbs.map((d) => d.drop())));
    const db = {} as Record<AppName, TestDatabase>;
    for (const app of APPS) {
      db[app.name] = await createTestDatabase(`fl_${app.database}`);
      dbs.push(db[app.name]);
      await migrateApp(app.name, db[app.name].url);
    }
    const access = await createTestDatabase('fl_access');
    dbs.push(access);
    await provisionApiKeys(access.url, [
      { key: OPERATOR_KEY, name: 'failover operator', roles: ['operator', 'finance'] },
    ]);

    const ports = new Map<AppName, { port: number; management: number }>();
    for (const app of APPS) ports.set(app.name, { port: await freePort(), management: await freePort() });
    const envOf = (app: AppName): Record<string, string> => ({
      PORT: String(ports.get(app)!.port),
      MANAGEMENT_PORT: String(ports.get(app)!.management),
      DATABASE_URL: db[app].url,
      AUTH_DATABASE_URL: access.url,
      AUTH_DATABASE_POOL_SIZE: '2',
      DATABASE_POOL_SIZE: '5',
      KAFKA_BROKERS: options.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      GATEWAY_ID: 'failover-gw',
      OCPP_ALLOW_UNREGISTERED: 'true',
      LOG_LEVEL: 'warn',
      ...options.env,
    });
    const procs = {} as Record<AppName, AppProcess>;
    const history: AppProcess[] = [];
    const ended = new Set<AppProcess>(); // stopped or killed on purpose
    cleanups.unshift(async () => {
      for (const p of Object.values(procs)) ended.add(p);
      await Promise.all(Object.values(procs).map((p) => p.stop()));
    });
    const started = await Promise.allSettled(
      APPS.map((a) => startAppProcess(a.name, envOf(a.name), { readyTimeoutMs: 120_000 })),
    );
    started.forEach((s, i) => {
      if (s.status === 'fulfilled') procs[APPS[i].name] = s.value;
    });
    history.push(...Object.values(procs));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;

    const created = await fetch(`${procs['billing-service'].baseUrl}/v1/tariffs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': OPERATOR_KEY },
      body: JSON.stringify({
        name: 'Failover fleet',
        effective_from: new Date(Date.now() - 60_000).toISOString(),
        tariff: TARIFF,
        assignments: [{ scope: 'FLEET', ref: FLEET }],
      }),
    });
    if (created.status !== 201)
      throw new Error(`creating the tariff answered ${created.status}: ${await created.text()}`);
    // A session that starts before session-service knows the tariff gets no bill.
    await poll('session-service to know the fleet tariff', 60_000, async () => {
      const rows = await query(
        db['session-service'].url,
        `select 1 from tariff_assignments where scope = 'FLEET' and ref = $1`,
        [FLEET],
      );
      return rows.length > 0 ? true : null;
    });
    log(
      `stack ${prefix} up on ${options.brokers.join(',')}: ${APPS.map((a) => `${a.name} ${procs[a.name].baseUrl}`).join(', ')}`,
    );

    const restart = async (app: AppName, how: 'kill' | 'stop'): Promise<RestartTimes> => {
      const old = procs[app];
      ended.add(old);
      if (how === 'kill') await old.kill();
      else await old.stop();
      const t0 = Date.now();
      const next = await startAppProcess(app, envOf(app), { waitReady: false });
      procs[app] = next;
      history.push(next);
      const base = next.baseUrl;
      const listening = await poll(
        `${app} to listen`,
        60_000,
        async () => ((await statusOf(`${base}/health/live`)) === 200 ? Date.now() : null),
        50,
      );
      let ocppListeningMs: number | undefined;
      if (app === 'ocpp-gateway') {
        const probe = new SimulatedCharger({
          url: `ws://127.0.0.1:${next.port}/ocpp`,
          chargePointId: `PROBE-${uniqueSuffix()}`,
        });
        const at = await poll(
          'the OCPP endpoint to take a charger',
          60_000,
          async () => {
            await probe.connect();
            return Date.now();
          },
          50,
        );
        await probe.close().catch(() => undefined);
        ocppListeningMs = at - t0;
      }
      const ready = await poll(
        `${app} to be ready`,
        120_000,
        async () => ((await statusOf(`${base}/health/ready`)) === 200 ? Date.now() : null),
        100,
      );
      return { listeningMs: listening - t0, readyMs: ready - t0, ocppListeningMs };
    };

    return {
      prefix,
      kafka,
      db,
      access,
      procs,
      history,
      killAndRestart: (app) => restart(app, 'kill'),
      stopAndRestart: (app) => restart(app, 'stop'),
      crashed: () =>
        history.filter((p) => !ended.has(p) && (p.child.exitCode !== null || p.child.signalCode !== null)),
      logs: () =>
        history.map((p) => `--- ${p.name} (pid ${p.child.pid}) ---\n${p.output().slice(-4000)}`).join('\n'),
      async stop() {
        for (const cleanup of cleanups) await cleanup().catch((e) => log(`cleanup: ${(e as Error).message}`));
      },
    };
  } catch (e) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw e;
  }
}

export interface Load {
  /** Ends the load: each charger finishes the session it is in, then stops. */
  stop(): Promise<void>;
  /** Sessions the chargers completed (a StopTransaction confirmed). */
  completed(): Array<{ chargePointId: string; transactionId: number }>;
  /** Chargers that gave up (a step failed for longer than `giveUpMs`). */
  gaveUp(): number;
  /** Steps (a CALL or a few) confirmed since `since` (the load is flowing). */
  confirmedSince(since: number): number;
}

/**
 * `chargers` simulated chargers, each doing sessions of `sessionMs` with a MeterValues every
 * second. A step that fails (connection closed, InternalError, timeout) is sent again after a
 * reconnect and BootNotification, for up to `giveUpMs`.
 */
export function startLoad(
  stack: Stack,
  options: { chargers: number; sessionMs: number; giveUpMs?: number; log?: (l: string) => void },
): Load {
  let stopping = false;
  let gaveUp = 0;
  const confirmedAt: number[] = [];
  const chargers: SimulatedCharger[] = [];
  const giveUpMs = options.giveUpMs ?? 120_000;
  const gatewayUrl = () => `ws://127.0.0.1:${stack.procs['ocpp-gateway'].port}/ocpp`;

  const loops = Array.from({ length: options.chargers }, (_, i) => {
    const id = `FL-${String(i + 1).padStart(4, '0')}`;
    const charger = new SimulatedCharger({
      url: gatewayUrl(),
      chargePointId: id,
      powerW: 720_000,
      callTimeoutMs: 10_000,
    });
    chargers.push(charger);
    let connected = false;
    const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      const deadline = Date.now() + giveUpMs;
      for (;;) {
        try {
          if (!connected) {
            await charger.close().catch(() => undefined);
            await charger.connect();
            connected = true;
          }
          const result = await fn();
          confirmedAt.push(Date.now());
          return result;
        } catch (e) {
          connected = false;
          if (Date.now() > deadline) throw new Error(`${id} ${what}: ${(e as Error).message}`);
          await sleep(300 + Math.random() * 400);
        }
      }
    };
    return (async () => {
      try {
        await sleep(Math.random() * options.sessionMs);
        while (!stopping) {
          // A retry after the charger got its answer but a later StatusNotification failed must not
          // start (or stop, below) the transaction again.
          await step('StartTransaction', async () => {
            if (charger.connectors[0].transactionId === null) await charger.startTransaction(1, 'FAILOVER1');
          });
          const until = Date.now() + options.sessionMs;
          while (Date.now() < until) {
            await sleep(Math.min(1000, Math.max(0, until - Date.now())));
            await step('MeterValues', () => charger.sendMeterValues(1));
          }
          await step('StopTransaction', async () => {
            if (charger.connectors[0].transactionId !== null) await charger.stopTransaction(1, 'Local');
          });
        }
      } catch (e) {
        gaveUp++;
        options.log?.(`gave up: ${(e as Error).message}`);
      }
    })();
  });

  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
      await Promise.all(chargers.map((c) => c.close().catch(() => undefined)));
    },
    completed: () =>
      chargers.flatMap((c) =>
        c.sessions
          .filter((s) => s.meterStop !== undefined)
          .map((s) => ({ chargePointId: c.chargePointId, transactionId: s.transactionId })),
      ),
    gaveUp: () => gaveUp,
    confirmedSince: (since) => confirmedAt.filter((t) => t >= since).length,
  };
}

export interface Outcome {
  completed: number;
  /** Completed sessions not CLOSED, or without exactly one charge. */
  stuck: Array<{ chargePointId: string; transactionId: number; status: string | null; charges: number }>;
  /** Sessions with more than one original charge (billed twice). */
  doubled: number;
}

/** Every completed session CLOSED with exactly one charge, and no session charged twice. */
export async function outcome(
  stack: Stack,
  completed: Array<{ chargePointId: string; transactionId: number }>,
): Promise<Outcome> {
  const sessions = await query<{
    charge_point_id: string;
    transaction_id: number;
    session_id: string;
    status: string;
  }>(
    stack.db['session-service'].url,
    'select charge_point_id, transaction_id, session_id, status from sessions where fleet_id = $1',
    [FLEET],
  );
  const byTx = new Map(sessions.map((r) => [`${r.charge_point_id}|${r.transaction_id}`, r]));
  const charges = await query<{ session_id: string; n: string }>(
    stack.db['billing-service'].url,
    `select session_id, count(*) as n from charges where kind = 'CHARGE' group by session_id`,
  );
  const count = new Map(charges.map((c) => [c.session_id, Number(c.n)]));
  const stuck = completed
    .map((s) => {
      const row = byTx.get(`${s.chargePointId}|${s.transactionId}`);
      return { ...s, status: row?.status ?? null, charges: row ? (count.get(row.session_id) ?? 0) : 0 };
    })
    .filter((s) => s.status !== 'CLOSED' || s.charges !== 1);
  return { completed: completed.length, stuck, doubled: charges.filter((c) => Number(c.n) > 1).length };
}

/** Polls `outcome` until nothing is stuck or `timeoutMs` passed; returns the last outcome and when it settled. */
export async function settle(
  stack: Stack,
  load: Load,
  timeoutMs: number,
): Promise<Outcome & { settledAt: number | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await outcome(stack, load.completed());
    if (o.stuck.length === 0) return { ...o, settledAt: Date.now() };
    if (Date.now() > deadline) return { ...o, settledAt: null };
    await sleep(1000);
  }
}

/**
 * When `groupId` is Stable again with members none of which is in `before` (the restarted process
 * joined); polls describeGroups. Returns the epoch ms it saw that.
 */
export async function newMembersJoined(
  kafka: Kafka,
  groupId: string,
  before: string[],
  timeoutMs = 60_000,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await poll(
      `a new member in ${groupId}`,
      timeoutMs,
      async () => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        const ids = group.members.map((m) => m.memberId);
        return group.state === 'Stable' && ids.length > 0 && ids.every((id) => !before.includes(id))
          ? Date.now()
          : null;
      },
      100,
    );
  } finally {
    await admin.disconnect();
  }
}

/** The member ids of `groupId` now. */
export async function membersOf(kafka: Kafka, groupId: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [group] = (await admin.describeGroups([groupId])).groups;
    return group.members.map((m) => m.memberId);
  } finally {
    await admin.disconnect();
  }
}
