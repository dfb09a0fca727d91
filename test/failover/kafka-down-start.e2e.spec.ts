import {
  APPS,
  createTestDatabase,
  migrateApp,
  startAppProcess,
  type AppProcess,
  type TestDatabase,
} from '@app/testing';
import { sleep } from '@app/testing/simulator';
import { poll, statusOf } from './under-load';

/**
 * Each app started while no Kafka broker answers (a cluster still coming up, a network split):
 * it listens, says live and not ready (naming Kafka), and stays up retrying, instead of exiting.
 * The start does not wait for Kafka at all (libs/kafka KafkaLifecycle), so the bound is the same
 * 3 s as a restart with Kafka up (app-restart.e2e.spec.ts).
 */
describe('starting while Kafka is unreachable', () => {
  const procs: AppProcess[] = [];
  const dbs: TestDatabase[] = [];
  const seen: Record<
    string,
    { listeningMs: number; live: number; ready: number; readyBody: string; alive: boolean }
  > = {};

  beforeAll(async () => {
    // One after the other: three apps loading at once on two cores measure the machine, not the app.
    for (const app of APPS) {
      {
        const db = await createTestDatabase(`kd_${app.database}`);
        dbs.push(db);
        await migrateApp(app.name, db.url);
        const started = Date.now();
        const p = await startAppProcess(
          app.name,
          {
            DATABASE_URL: db.url,
            KAFKA_BROKERS: '127.0.0.1:1',
            KAFKA_TOPIC_PREFIX: 'kafka-down.',
            OCPP_ALLOW_UNREGISTERED: 'true',
          },
          { waitReady: false },
        );
        procs.push(p);
        const listening = await poll(
          `${app.name} to listen`,
          30_000,
          async () => ((await statusOf(`${p.baseUrl}/health/live`)) === 200 ? Date.now() : null),
          50,
        );
        await sleep(2500); // past the publisher's first connection attempts: still up, still retrying
        const ready = await fetch(`${p.baseUrl}/health/ready`).catch(() => null);
        seen[app.name] = {
          listeningMs: listening - started,
          live: await statusOf(`${p.baseUrl}/health/live`),
          ready: ready?.status ?? 0,
          readyBody: ready ? await ready.text() : '',
          alive: p.child.exitCode === null && p.child.signalCode === null,
        };
      }
    }
    process.stderr.write(`[kafka-down-start] ${JSON.stringify(seen)}\n`);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(dbs.map((d) => d.drop()));
  });

  it.each(APPS.map((a) => a.name))('%s listens, is live, not ready, and keeps running', (name) => {
    const s = seen[name];
    expect(s.alive).toBe(true);
    expect(s.listeningMs).toBeLessThanOrEqual(3_000);
    expect(s.live).toBe(200);
    expect(s.ready).toBe(503);
    expect(s.readyBody).toMatch(/kafka/i);
  });
});
