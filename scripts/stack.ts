/**
 * The dev/test stack: Kafka (KRaft, loopback), Postgres (the machine's, or embedded), topics,
 * databases and migrations; then either the three apps and the demo (`start`) or jest (`test`).
 * Run through scripts/start.mjs, which installs npm packages first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { topicSettingsFromEnv } from '@app/config';
import { allTopicSpecs, DEV_TOPIC_SETTINGS, topicName } from '@app/contracts';
import { createKafka, ensureTopics } from '@app/kafka';
import {
  APPS,
  DATA_DIR,
  REPO_ROOT,
  createDatabase,
  databaseUrl,
  ensureKafkaBroker,
  ensurePostgres,
  migrateApp,
  type AppSpec,
} from '@app/testing/stack';
import { waitUntilReady } from '@app/testing';
import { migrateAuthDatabase, type Role } from '@app/auth';
import { provisionApiKeys } from '@app/auth/testing';

const mode = (process.argv[2] ?? 'start') as 'start' | 'test' | 'prepare';
const jestArgs = process.argv.slice(3);
const log = (line: string) => console.log(`[stack] ${line}`);
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((s) => s.trim());
const serverUrl = databaseUrl(
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  'postgres',
);
/** The dev stack uses the topics as named; `npm test` uses prefixed ones and `test_` databases. */
const topicPrefix = mode === 'test' ? 'test.' : (process.env.KAFKA_TOPIC_PREFIX ?? '');
const dbName = (app: AppSpec) => (mode === 'test' ? `test_${app.database}` : app.database);
/** The credentials every app verifies (AUTH_DATABASE_URL): one database for the whole stack. */
const authDbName = mode === 'test' ? 'test_access' : 'access';
const authDatabaseUrl = databaseUrl(serverUrl, authDbName);
/**
 * `npm start` only: the demo fleet's key and a key holding every role, both settable. Nothing
 * outside this script creates them; an app never creates keys by itself.
 */
const DEMO_FLEET_ID = process.env.DEMO_FLEET_ID || 'demo';
const DEMO_API_KEY = process.env.DEMO_API_KEY || 'demo-fleet-key-change-me';
const DEMO_ADMIN_KEY = process.env.DEMO_ADMIN_KEY || 'demo-admin-key-change-me';

const cleanups: Array<() => Promise<void>> = [];
let shuttingDown = false;

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((e) => log(`cleanup: ${(e as Error).message}`));
  }
  process.exit(code);
}
process.on('SIGINT', () => {
  log('stopping...');
  void shutdown(0);
});
process.on('SIGTERM', () => void shutdown(0));

function run(cmd: string, args: string[], what: string): void {
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status})`);
  log(`${what} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function prepare(): Promise<void> {
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const pg = await ensurePostgres(serverUrl, log);
  if (pg.startedHere) cleanups.push(() => pg.stop());
  const broker = await ensureKafkaBroker(brokers, log, { detach: mode === 'prepare' });
  if (broker.startedHere) cleanups.push(() => broker.stop());
  const kafka = createKafka({ brokers, clientId: 'stack', log: () => undefined });
  // The dev stack is one broker: 1/1 unless KAFKA_TOPIC_REPLICATION_FACTOR/_MIN_INSYNC_REPLICAS say otherwise.
  const created = await ensureTopics(
    kafka,
    allTopicSpecs(topicPrefix, topicSettingsFromEnv(process.env, DEV_TOPIC_SETTINGS)),
  );
  log(`topics ready (${created.length} created${topicPrefix ? `, prefix "${topicPrefix}"` : ''})`);
  for (const app of APPS) {
    await createDatabase(serverUrl, dbName(app));
    const applied = await migrateApp(app.name, databaseUrl(serverUrl, dbName(app)));
    log(`database ${dbName(app)} migrated (${applied.length} new migrations)`);
    if (created.length > 0) await forgetOffsetsOf(databaseUrl(serverUrl, dbName(app)), dbName(app), created);
  }
  await createDatabase(serverUrl, authDbName);
  const authApplied = await migrateAuthDatabase(authDatabaseUrl);
  log(`database ${authDbName} (credentials) migrated (${authApplied.length} new migrations)`);
  log(`prepared in ${elapsed()}`);
}

/**
 * The apps keep their Kafka positions in Postgres, next to their effects. A topic this run had to
 * create is new (a fresh broker after `.data/kafka` was removed, another KAFKA_BROKERS), and its
 * positions there belong to its predecessor:
 * - consumer offsets stored for it would make an app skip the new topic's first records as
 *   "already processed": cleared;
 * - an outbox relay's checkpoint says its events are published, but not to this broker (the demo
 *   waited forever for a tariff): reset, so the relay publishes its events again (at least once;
 *   consumers deduplicate by event id).
 */
async function forgetOffsetsOf(url: string, db: string, topics: string[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ offsets: string | null; checkpoints: string | null }>(
      `select to_regclass('consumer_offsets')::text as offsets, to_regclass('outbox_checkpoints')::text as checkpoints`,
    );
    if (tables.rows[0].offsets) {
      const { rowCount } = await client.query('delete from consumer_offsets where topic = any($1::text[])', [
        topics,
      ]);
      if (rowCount)
        log(
          `database ${db}: cleared ${rowCount} stored offsets of topics that were just created (they belonged to an earlier broker)`,
        );
    }
    // The topics the outboxes publish to (session-service: sessions; billing: charges, tariffs).
    const outboxTopics = (['chargingSessions', 'sessionCharges', 'tariffs'] as const).map((t) =>
      topicName(t, topicPrefix),
    );
    if (tables.rows[0].checkpoints && topics.some((t) => outboxTopics.includes(t))) {
      const { rowCount } = await client.query(
        `update outbox_checkpoints set transaction_id = '0', position = 0 where position > 0`,
      );
      if (rowCount)
        log(
          `database ${db}: the outbox publishes its events again to the new topics (${rowCount} relay checkpoints reset)`,
        );
    }
  } finally {
    await client.end();
  }
}

/**
 * The dev stack's WEBHOOK_SECRET_KEY: the environment's, or one generated once under .data (so
 * webhooks created in an earlier run can still be signed). Outside the dev stack it comes from a secret store.
 */
function devWebhookSecretKey(): string {
  if (process.env.WEBHOOK_SECRET_KEY) return process.env.WEBHOOK_SECRET_KEY;
  const file = path.join(DATA_DIR, 'webhook-secret.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(DATA_DIR, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

function appEnv(app: AppSpec): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: String(app.port),
    DATABASE_URL: databaseUrl(serverUrl, dbName(app)),
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    // The dev stack only: any charger id may connect and joins the demo fleet.
    OCPP_ALLOW_UNREGISTERED: 'true',
    // The dev stack only: webhooks to a receiver on this machine, over plain http.
    WEBHOOK_SECRET_KEY: devWebhookSecretKey(),
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1,::1',
    AUTH_DATABASE_URL: authDatabaseUrl,
  };
}

async function startApps(): Promise<void> {
  run('npm', ['run', '-s', 'build'], 'build');
  const logDir = path.join(DATA_DIR, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const children: Array<{ app: AppSpec; child: ChildProcess }> = [];
  cleanups.push(async () => {
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    log('apps stopped');
  });
  for (const app of APPS) {
    const logFile = path.join(logDir, `${app.name}.log`);
    const out = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/apps', app.name, 'src/main.js')], {
      cwd: REPO_ROOT,
      env: appEnv(app),
      stdio: ['ignore', out, out],
    });
    children.push({ app, child });
  }
  await Promise.all(
    children.map(({ app, child }) =>
      waitUntilReady(
        app.name,
        `http://127.0.0.1:${app.port}`,
        child,
        120_000,
        () => `see ${path.join(logDir, `${app.name}.log`)}`,
      ),
    ),
  );
  log(`all three apps ready in ${elapsed()} (logs in ${logDir})`);
  console.log(
    [
      '',
      '  ocpp-gateway     ws://127.0.0.1:9000/ocpp/{chargePointId}  (ocpp1.6 / ocpp2.0.1)  docs http://127.0.0.1:10000/docs',
      '  session-service  http://127.0.0.1:3001/v1/sessions                                docs http://127.0.0.1:4001/docs',
      '  billing-service  http://127.0.0.1:3002/v1/exports/charges                         docs http://127.0.0.1:4002/docs',
      '  (/docs and /metrics listen on the MANAGEMENT_PORT of each app, never on its API or charger port)',
      `  Kafka            ${brokers.join(',')}`,
      `  Postgres         ${new URL(serverUrl).host} (databases ${APPS.map(dbName).join(', ')})`,
      `  DEMO_API_KEY     ${DEMO_API_KEY}   (fleet ${DEMO_FLEET_ID})`,
      `  DEMO_ADMIN_KEY   ${DEMO_ADMIN_KEY}   (every role: fleet ${DEMO_FLEET_ID}, operator, finance, admin)`,
      '',
    ].join('\n'),
  );
}

/** The dev stack's two keys; a revoked one stays revoked, so the stack asks for another value. */
async function ensureDemoKeys(): Promise<void> {
  const every: Role[] = ['fleet', 'operator', 'finance', 'admin'];
  for (const [variable, key, roles] of [
    ['DEMO_API_KEY', DEMO_API_KEY, ['fleet']],
    ['DEMO_ADMIN_KEY', DEMO_ADMIN_KEY, every],
  ] as const) {
    try {
      await provisionApiKeys(authDatabaseUrl, [
        { key, name: `${variable} (dev stack)`, roles: [...roles], fleet: DEMO_FLEET_ID },
      ]);
    } catch (e) {
      throw new Error(`${variable}: ${(e as Error).message} (set ${variable} to another value)`);
    }
  }
  log(`demo keys ensured in database ${authDbName}`);
}

async function runDemo(): Promise<void> {
  const demo = path.join(REPO_ROOT, 'scripts/demo.ts');
  const { runDemo: demoMain } = require(demo) as { runDemo(env: Record<string, string>): Promise<void> };
  await demoMain({
    gatewayUrl: 'ws://127.0.0.1:9000/ocpp',
    sessionsUrl: 'http://127.0.0.1:3001',
    billingUrl: 'http://127.0.0.1:3002',
    apiKey: DEMO_API_KEY,
    adminKey: DEMO_ADMIN_KEY,
    brokers: brokers.join(','),
    topicPrefix,
  });
}

/**
 * The whole suite runs in two phases: every file but test/failover two at a time, then the failover
 * scenarios one at a time. Those measure the apps' own start and recovery times (listening within
 * 3 s of a restart, billing within 60 s of a coordinator kill) and run 3-node clusters and whole
 * stacks; sharing two cores with another such file measured the machine, not the apps. Both phases
 * always run; the exit code is the first failure's. With arguments, one jest run does what they say.
 */
async function runTests(): Promise<number> {
  run('npm', ['run', '-s', 'build'], 'build (type check)');
  if (jestArgs.length > 0) return runJest(jestArgs, {});
  const rest = await runJest([], { TEST_EXCLUDE_FAILOVER: '1' });
  log('failover scenarios, one at a time');
  const failover = await runJest(['test/failover', '--runInBand'], {});
  return rest !== 0 ? rest : failover;
}

function runJest(args: string[], extraEnv: Record<string, string>): Promise<number> {
  const jest = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'node_modules/jest/bin/jest.js'),
      '--ci',
      // Two files at a time, unless the caller chose (test:failover runs one scenario at a time).
      ...(args.some((a) => /^(--maxWorkers|-w|--runInBand|-i)\b/.test(a)) ? [] : ['--maxWorkers=2']),
      ...args,
    ],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        ...extraEnv,
        KAFKA_BROKERS: brokers.join(','),
        DATABASE_URL: serverUrl,
        TEST_APPS_FROM: 'dist',
      },
    },
  );
  return new Promise((resolve) => jest.on('exit', (code) => resolve(code ?? 1)));
}

async function main(): Promise<void> {
  await prepare();
  if (mode === 'prepare') return shutdownKeepingServices();
  if (mode === 'test') {
    const code = await runTests();
    await shutdown(code);
  }
  await ensureDemoKeys();
  await startApps();
  await runDemo();
  log('running; press Ctrl-C to stop everything');
  await new Promise(() => undefined);
}

/** --prepare-only leaves what it started running (for running jest by hand) and exits. */
async function shutdownKeepingServices(): Promise<never> {
  log('prepared; services left running. Stop the broker with: pkill -f kafka.Kafka');
  process.exit(0);
}

main().catch(async (e) => {
  console.error(`[stack] ${(e as Error).message}`);
  await shutdown(1);
});
