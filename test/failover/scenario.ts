/**
 * Failover scenario (i) of issue 9, shared by test/failover/broker-failover.e2e.spec.ts and
 * bench/failover.bench.ts: a 3-node KRaft cluster on loopback, topics with replication factor 3
 * and min.insync.replicas 2, the three apps from source pointed at it with production settings
 * (chargers registered with passwords, no OCPP_ALLOW_UNREGISTERED), simulated chargers doing full
 * sessions, then `kill -9` of the node leading most `ocpp.v16.events` partitions and its restart
 * after `downMs`. It measures; the callers decide what must hold.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Kafka } from 'kafkajs';
import {
  allTopicSpecs,
  parseEnvelope,
  PRODUCTION_TOPIC_SETTINGS,
  topicName,
  type OcppCallReceived,
  type Ocpp201CallReceived,
} from '@app/contracts';
import { provisionApiKeys } from '@app/auth/testing';
import { createKafka, ensureTopics } from '@app/kafka';
import {
  APPS,
  createTestDatabase,
  freePort,
  migrateApp,
  startAppProcess,
  uniqueSuffix,
  type AppProcess,
  type TestDatabase,
} from '@app/testing';
import { startKafkaCluster, type KafkaCluster } from '@app/testing/stack';
import { SimulatedCharger, sleep, type SettledCall } from '@app/testing/simulator';
import { PREFERRED_LEADER_EVERY_5_S } from './publisher-failover';
import { hashChargerPassword } from '@app/ocpp/charger-password';
import { createDataSource } from '../../apps/ocpp-gateway/src/infrastructure/database/data-source';
import { PgChargerRepository } from '../../apps/ocpp-gateway/src/infrastructure/database/repositories/pg-charger.repository';
import { TARIFF_ENERGY_ONLY } from '@app/testing/fixtures';

export interface FailoverOptions {
  chargers: number;
  /** Load before the kill. */
  warmupMs: number;
  /** How long the killed node stays down. */
  downMs: number;
  /** Load after the node is back. */
  afterMs: number;
  /** Charging time of one session; a MeterValues every `meterEveryMs` meanwhile. */
  sessionMs: number;
  meterEveryMs: number;
  /** How long sessions may take to reach CLOSED and billed after the load stopped. */
  settleMs: number;
  log?: (line: string) => void;
}

export interface FailoverResult {
  killedNode: number;
  /** How many `ocpp.v16.events` partitions the killed node led. */
  killedLeaderOf: number;
  partitions: number;
  callsSent: number;
  callsConfirmed: number;
  /**
   * Confirmed CALLs (CALLRESULT received) whose record is not on their protocol's events topic
   * (every other charger speaks OCPP 2.0.1: `ocpp.v201.events`).
   */
  confirmedMissing: Array<{ chargePointId: string; messageId: string; action: string }>;
  /** From the kill to the first CALLRESULT of a CALL sent after the kill, seconds (null: none). */
  firstResultAfterKillS: number | null;
  /** CALL → answer latency of CALLs sent from the kill to the end of the load (results and errors). */
  p99MsDuring: number;
  maxMsDuring: number;
  /** CALLs sent from kill + 15 s until the node was back: confirmed vs answered otherwise. */
  confirmedLateInOutage: number;
  failedLateInOutage: number;
  /** Answers other than CALLRESULT, by outcome. */
  failures: Record<string, number>;
  sessionsCompleted: number;
  /** Sessions the simulator completed that are not CLOSED with exactly one charge. */
  sessionsStuck: Array<{
    chargePointId: string;
    transactionId: number;
    status: string | null;
    charges: number;
  }>;
  /** Chargers whose loop gave up (a CALL refused after every retry). */
  chargersGaveUp: number;
  /** Each app still the process it was at start (none restarted, none crashed). */
  appsAlive: boolean;
}

const FLEET = 'failover-fleet';
const OPERATOR_KEY = 'failover-operator-key-0123456789';
const ID_TAG = 'FAILOVER1';
const TARIFF = TARIFF_ENERGY_ONLY;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function poll<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Registers the chargers (own password each) and the fleet's id tag in the gateway's database. */
async function registerChargers(url: string, ids: string[]): Promise<Map<string, string>> {
  const passwords = new Map(ids.map((id) => [id, randomBytes(12).toString('base64url')]));
  const db = createDataSource(url);
  await db.initialize();
  try {
    const repo = new PgChargerRepository(db);
    for (const id of ids) {
      await repo.upsert({
        id,
        fleetId: FLEET,
        passwordHash: await hashChargerPassword(passwords.get(id)!),
        evseIds: {},
      });
    }
    await repo.upsertIdTag(FLEET, ID_TAG, { status: 'Accepted', expiryDate: null, parentIdTag: null });
  } finally {
    await db.destroy();
  }
  return passwords;
}

/** Every (chargePointId, messageId) of an OcppCallReceived / Ocpp201CallReceived record on `topic`, read to its end. */
async function recordedCalls(kafka: Kafka, topic: string): Promise<Set<string>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: `failover-reader-${uniqueSuffix()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic} not read to its end within 120 s`)), 120_000);
      if (remaining.size === 0) return resolve();
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            const envelope = parseEnvelope(message.value!);
            if (envelope.type === 'OcppCallReceived' || envelope.type === 'Ocpp201CallReceived') {
              const call = envelope.data as OcppCallReceived | Ocpp201CallReceived;
              seen.add(`${call.chargePointId}|${call.messageId}`);
            }
            if (BigInt(message.offset) + 1n >= ends.get(batch.partition)!) remaining.delete(batch.partition);
          }
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

interface ChargerRun {
  charger: SimulatedCharger;
  gaveUp: boolean;
  loop: Promise<void>;
}

/** One charger's day: boot, then full sessions (start, meter values, stop) until `stopped()`. */
function runCharger(charger: SimulatedCharger, options: FailoverOptions, stopped: () => boolean): ChargerRun {
  const run: ChargerRun = { charger, gaveUp: false, loop: Promise.resolve() };
  run.loop = (async () => {
    try {
      // A charger whose handshake failed (a busy gateway at the connect wave) tries again.
      for (let attempt = 1; ; attempt++) {
        try {
          await charger.connect();
          break;
        } catch (e) {
          if (attempt >= 10) throw e;
          await charger.close().catch(() => undefined);
          await sleep(1000 + Math.random() * 1000);
        }
      }
      // Spread the sessions so the load is steady rather than in waves.
      await sleep(Math.random() * options.sessionMs);
      while (!stopped()) {
        await charger.startTransaction(1, ID_TAG);
        const until = Date.now() + options.sessionMs;
        while (Date.now() < until) {
          await sleep(Math.min(options.meterEveryMs, Math.max(0, until - Date.now())));
          await charger.sendMeterValues(1);
        }
        await charger.stopTransaction(1, 'Local');
        await sleep(500);
      }
    } catch (e) {
      run.gaveUp = true;
      options.log?.(`[${charger.chargePointId}] gave up: ${(e as Error).message}`);
    }
  })();
  return run;
}

export async function runBrokerFailover(options: FailoverOptions): Promise<FailoverResult> {
  const log = options.log ?? (() => undefined);
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    // Leaders move back to the restarted node within seconds, as production does within minutes.
    const cluster: KafkaCluster = await startKafkaCluster({
      nodes: 3,
      log,
      brokerConfig: PREFERRED_LEADER_EVERY_5_S,
    });
    cleanups.unshift(() => cluster.stop());
    const kafka = createKafka({
      brokers: cluster.brokers,
      clientId: 'failover-scenario',
      log: () => undefined,
    });
    const prefix = `fo-${uniqueSuffix()}.`;
    await ensureTopics(kafka, allTopicSpecs(prefix, PRODUCTION_TOPIC_SETTINGS));
    const eventsTopic = topicName('ocppEvents', prefix);
    log(
      `topics ${prefix}* created with replication factor 3, min.insync.replicas 2 on ${cluster.brokers.join(',')}`,
    );

    const dbs: TestDatabase[] = [];
    cleanups.push(async () => Promise.all(dbs.map((d) => d.drop())));
    for (const app of APPS) {
      const db = await createTestDatabase(`fo_${app.database}`);
      dbs.push(db);
      await migrateApp(app.name, db.url);
    }
    const [gatewayDb, sessionsDb, billingDb] = dbs;
    const access = await createTestDatabase('fo_access');
    dbs.push(access);
    await provisionApiKeys(access.url, [
      { key: OPERATOR_KEY, name: 'failover operator', roles: ['operator'] },
    ]);
    const ids = Array.from({ length: options.chargers }, (_, i) => `FO-${String(i + 1).padStart(4, '0')}`);
    const passwords = await registerChargers(gatewayDb.url, ids);
    log(`${ids.length} chargers registered with passwords for fleet ${FLEET}`);

    const ports = await Promise.all(APPS.map(() => freePort()));
    const procs: AppProcess[] = [];
    cleanups.unshift(async () => Promise.all(procs.map((p) => p.stop())));
    const started = await Promise.allSettled(
      APPS.map((app, i) =>
        startAppProcess(
          app.name,
          {
            PORT: String(ports[i]),
            DATABASE_URL: dbs[i].url,
            DATABASE_POOL_SIZE: '5',
            AUTH_DATABASE_URL: access.url,
            AUTH_DATABASE_POOL_SIZE: '2',
            KAFKA_BROKERS: cluster.brokers.join(','),
            KAFKA_TOPIC_PREFIX: prefix,
            CONSUMER_GROUP: `${prefix}session-service`,
            GATEWAY_ID: 'failover-gw-1',
            KAFKA_TOPIC_REPLICATION_FACTOR: '3',
            KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2',
          },
          { readyTimeoutMs: 180_000 },
        ),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [gateway, , billing] = procs;
    const dumpLogs = () => procs.map((p) => `--- ${p.name} ---\n${p.output().slice(-3000)}`).join('\n');
    log(`apps ready: ${procs.map((p) => `${p.name} ${p.baseUrl}`).join(', ')}`);

    const created = await fetch(`${billing.baseUrl}/v1/tariffs`, {
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
    // A session started before session-service knows the tariff gets no bill.
    await poll('session-service to know the fleet tariff', 60_000, async () => {
      const rows = await query(
        sessionsDb.url,
        `select 1 from tariff_assignments where scope = 'FLEET' and ref = $1`,
        [FLEET],
      );
      return rows.length > 0 ? true : null;
    });

    const calls: SettledCall[] = [];
    let stop = false;
    const runs = ids.map((id, index) =>
      runCharger(
        new SimulatedCharger({
          url: `ws://127.0.0.1:${gateway.port}/ocpp`,
          chargePointId: id,
          password: passwords.get(id),
          // Half the chargers speak OCPP 2.0.1: its CALLRESULT makes the same promise through the
          // same publisher, and its records go to ocpp.v201.events.
          protocol: index % 2 === 1 ? 'ocpp2.0.1' : 'ocpp1.6',
          powerW: 720_000,
          callTimeoutMs: 20_000,
          // Like a charger that must deliver its transaction messages: again every second, for minutes.
          confirmRetries: { attempts: 180, delayMs: 1000 },
          onCallSettled: (call) => calls.push(call),
        }),
        options,
        () => stop,
      ),
    );
    await sleep(options.warmupMs);

    const admin = kafka.admin();
    await admin.connect();
    const [meta] = (await admin.fetchTopicMetadata({ topics: [eventsTopic] })).topics;
    await admin.disconnect();
    const led = new Map<number, number>();
    for (const p of meta.partitions) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
    const [victimId, victimLed] = [...led].sort((a, b) => b[1] - a[1])[0];
    const victim = cluster.nodes.find((n) => n.nodeId === victimId)!;
    const confirmedBeforeKill = calls.filter((c) => c.outcome === 'result').length;
    log(
      `${confirmedBeforeKill} CALLs confirmed; killing node ${victimId} (leader of ${victimLed}/${meta.partitions.length} ${eventsTopic} partitions)`,
    );
    const killAt = Date.now();
    await victim.kill();
    await sleep(Math.max(0, killAt + options.downMs - Date.now()));
    log(`restarting node ${victimId}`);
    const restartAt = Date.now();
    await victim.start();
    log(`node ${victimId} back after ${((Date.now() - killAt) / 1000).toFixed(1)} s`);
    await sleep(options.afterMs);
    stop = true;
    const loadEnd = Date.now();
    log('load stopped; chargers finish their sessions');
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(runs.map((r) => r.loop)),
      new Promise((r) => (giveUp = setTimeout(r, 120_000))),
    ]);
    clearTimeout(giveUp);
    await Promise.all(runs.map((r) => r.charger.close().catch(() => undefined)));

    const during = calls.filter((c) => c.sentAt >= killAt && c.sentAt <= loadEnd);
    const firstAfter = calls
      .filter((c) => c.sentAt >= killAt && c.outcome === 'result')
      .reduce((m, c) => Math.min(m, c.settledAt), Infinity);
    const lateOutage = calls.filter((c) => c.sentAt >= killAt + 15_000 && c.sentAt < restartAt);
    const failures: Record<string, number> = {};
    for (const c of calls) if (c.outcome !== 'result') failures[c.outcome] = (failures[c.outcome] ?? 0) + 1;
    const confirmed = calls.filter((c) => c.outcome === 'result' && c.action !== 'Heartbeat');
    log(`${calls.length} CALLs sent, ${confirmed.length} confirmed; failures ${JSON.stringify(failures)}`);

    const v201EventsTopic = topicName('ocppV201Events', prefix);
    const onV16 = await recordedCalls(kafka, eventsTopic);
    const onV201 = await recordedCalls(kafka, v201EventsTopic);
    const onTopic = new Set([...onV16, ...onV201]);
    const confirmedMissing = confirmed
      .filter((c) => !onTopic.has(`${c.chargePointId}|${c.messageId}`))
      .map(({ chargePointId, messageId, action }) => ({ chargePointId, messageId, action }));
    const v201Ids = new Set(ids.filter((_, i) => i % 2 === 1));
    const confirmedV201 = confirmed.filter((c) => v201Ids.has(c.chargePointId)).length;
    log(
      `${onV16.size} CALLs on ${eventsTopic}, ${onV201.size} on ${v201EventsTopic} ` +
        `(${confirmed.length - confirmedV201} / ${confirmedV201} confirmed from 1.6 / 2.0.1 chargers); ` +
        `${confirmedMissing.length} confirmed CALLs missing`,
    );

    const completed = runs.flatMap((r) =>
      r.charger.sessions
        .filter((s) => s.meterStop !== undefined)
        .map((s) => ({ chargePointId: r.charger.chargePointId, transactionId: s.transactionId })),
    );
    interface Row {
      charge_point_id: string;
      transaction_id: number;
      session_id: string;
      status: string;
    }
    const check = async () => {
      const rows = await query<Row>(
        sessionsDb.url,
        'select charge_point_id, transaction_id, session_id, status from sessions where fleet_id = $1',
        [FLEET],
      );
      const byTx = new Map(rows.map((r) => [`${r.charge_point_id}|${r.transaction_id}`, r]));
      const charges = await query<{ session_id: string; n: string }>(
        billingDb.url,
        `select session_id, count(*) as n from charges where kind = 'CHARGE' group by session_id`,
      );
      const chargeCount = new Map(charges.map((c) => [c.session_id, Number(c.n)]));
      return completed
        .map((s) => {
          const row = byTx.get(`${s.chargePointId}|${s.transactionId}`);
          return {
            ...s,
            status: row?.status ?? null,
            charges: row ? (chargeCount.get(row.session_id) ?? 0) : 0,
          };
        })
        .filter((s) => s.status !== 'CLOSED' || s.charges !== 1);
    };
    let sessionsStuck = await check();
    const settleDeadline = Date.now() + options.settleMs;
    while (sessionsStuck.length > 0 && Date.now() < settleDeadline) {
      await sleep(2000);
      sessionsStuck = await check();
    }
    log(
      `${completed.length} sessions completed by the chargers, ${sessionsStuck.length} not CLOSED and billed once`,
    );
    const appsAlive = procs.every((p) => p.child.exitCode === null && p.child.signalCode === null);
    if (!appsAlive || confirmedMissing.length > 0) log(dumpLogs());

    return {
      killedNode: victimId,
      killedLeaderOf: victimLed,
      partitions: meta.partitions.length,
      callsSent: calls.length,
      callsConfirmed: confirmed.length,
      confirmedMissing,
      firstResultAfterKillS: Number.isFinite(firstAfter)
        ? Math.round((firstAfter - killAt) / 100) / 10
        : null,
      p99MsDuring: Math.round(
        percentile(
          during.map((c) => c.settledAt - c.sentAt),
          99,
        ),
      ),
      maxMsDuring: Math.round(during.reduce((m, c) => Math.max(m, c.settledAt - c.sentAt), 0)),
      confirmedLateInOutage: lateOutage.filter((c) => c.outcome === 'result').length,
      failedLateInOutage: lateOutage.filter((c) => c.outcome !== 'result').length,
      failures,
      sessionsCompleted: completed.length,
      sessionsStuck,
      chargersGaveUp: runs.filter((r) => r.gaveUp).length,
      appsAlive,
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((e) => log(`cleanup: ${(e as Error).message}`));
  }
}
