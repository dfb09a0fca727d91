import {
  APPS,
  createTestDatabase,
  createTestKafka,
  migrateApp,
  startAppProcess,
  testBrokers,
  type AppProcess,
  type TestDatabase,
} from '@app/testing';

/** The three services start on real Kafka and Postgres, serve their ops endpoints, and stop cleanly. */
describe('the three services', () => {
  const procs: AppProcess[] = [];
  const dbs: TestDatabase[] = [];

  beforeAll(async () => {
    const { prefix } = await createTestKafka('apps');
    for (const app of APPS) {
      const db = await createTestDatabase(`apps_${app.database}`);
      dbs.push(db);
      await migrateApp(app.name, db.url);
    }
    const started = await Promise.all(
      APPS.map((app, i) =>
        startAppProcess(app.name, {
          DATABASE_URL: dbs[i].url,
          KAFKA_BROKERS: testBrokers().join(','),
          KAFKA_TOPIC_PREFIX: prefix,
          OCPP_ALLOW_UNREGISTERED: 'true',
          DEMO_API_KEY: 'test-demo-key-0123456789',
        }),
      ),
    );
    procs.push(...started);
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await Promise.all(dbs.map((d) => d.drop()));
  });

  it('answer /health/live, /health/ready, /metrics and /docs', async () => {
    for (const p of procs) {
      expect((await fetch(`${p.baseUrl}/health/live`)).status).toBe(200);
      const ready = await fetch(`${p.baseUrl}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', checks: { postgres: 'ok', kafka: 'ok' } });
      const metrics = await (await fetch(`${p.managementUrl}/metrics`)).text();
      expect(metrics).toContain('process_cpu_user_seconds_total');
      expect(metrics).toContain(`service="${p.name}"`);
      const docs = await fetch(`${p.managementUrl}/docs/json`);
      expect(docs.status).toBe(200);
      expect(((await docs.json()) as { info: { title: string } }).info.title).toBe(p.name);
    }
  });

  it('exit 0 on SIGTERM after draining', async () => {
    const codes = await Promise.all(procs.map((p) => p.stop()));
    expect(codes).toEqual([0, 0, 0]);
  });
});
