import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import { Client } from 'pg';
import {
  makeEnvelope,
  parseEnvelope,
  SESSION_EVENT_SCHEMAS,
  topicName,
  type ChargeCalculated,
  type SessionCompleted,
} from '@app/contracts';
import { KafkaPublisher } from '@app/kafka';
import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  startAppProcess,
  type AppProcess,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { readTopicUntil, waitFor } from '../test/billing-app';

const N = 1500;
const tariff = {
  kwh_price: '0.59',
  session_price: '0.35',
  time_tariffs: [{ starting_at_minute: 30, minute_price: '0.05' }],
  vat: '0.19',
  currency: 'EUR',
  max_charging_time: 600,
};

/**
 * billing-service as a process, killed with SIGKILL while it bills a stream of sessions, then
 * restarted: every session is billed exactly once, and every charge reaches the topic.
 */
describe('billing-service process: crash in the middle of a stream', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let pg: Client;
  let app: AppProcess | undefined;
  const env = () => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: tk.brokers.join(','),
    KAFKA_TOPIC_PREFIX: tk.prefix,
    KAFKA_CLIENT_ID: `billing-crash-${tk.prefix}`,
  });

  beforeAll(async () => {
    db = await createTestDatabase('billing_crash');
    await migrateApp('billing-service', db.url);
    tk = await createTestKafka('billing-crash');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await app?.kill();
    await pg.end();
    await db.drop();
  });

  it('bills every session exactly once across kill -9 and restart, and publishes every charge', async () => {
    const publisher = new KafkaPublisher(tk.kafka);
    await publisher.connect();
    const start = Date.parse('2024-05-01T08:00:00Z');
    const records = Array.from({ length: N }, (_, i) => {
      const s: SessionCompleted = {
        sessionId: randomUUID(),
        fleetId: 'f',
        chargePointId: `CP${i % 40}`,
        connectorId: 1,
        evse: `CP${i % 40}*1`,
        transactionId: i,
        authType: 'LOCAL',
        userReference: null,
        idTag: 'T',
        tariff,
        meterStartWh: 0,
        meterStopWh: (i * 7919) % 60000,
        startedAt: new Date(start).toISOString(),
        completedAt: new Date(start + ((i * 104729) % 30000) * 1000).toISOString(),
        stopReason: 'Local',
        flags: [],
        signedMeterValues: [],
      };
      const e = makeEnvelope({
        type: 'SessionCompleted',
        source: 'session-service',
        subject: s.sessionId,
        schema: SESSION_EVENT_SCHEMAS.SessionCompleted,
        data: s,
      });
      return { topic: topicName('chargingSessions', tk.prefix), key: s.sessionId, value: JSON.stringify(e) };
    });
    await publisher.publishAll(records);
    await publisher.disconnect();

    app = await startAppProcess('billing-service', env());
    await waitFor(
      async () => (await pg.query('select count(*)::int as n from charges')).rows[0].n > 0,
      60_000,
    );
    await app.kill(); // SIGKILL mid-stream
    const atCrash = (await pg.query('select count(*)::int as n from charges')).rows[0].n;

    app = await startAppProcess('billing-service', env());
    await waitFor(
      async () => (await pg.query('select count(*)::int as n from charges')).rows[0].n >= N,
      90_000,
    );
    const published = await readTopicUntil(
      tk,
      topicName('sessionCharges', tk.prefix),
      (rs) => new Set(rs.map((r) => r.key!.toString())).size >= N,
      60_000,
    );
    expect(await app.stop()).toBe(0);

    const { rows } = await pg.query(
      `select count(*)::int as n, count(distinct session_id)::int as sessions, sum(gross)::text as gross from charges`,
    );
    expect(rows[0]).toMatchObject({ n: N, sessions: N });
    expect((await pg.query('select count(*)::int as n from anomalies')).rows[0].n).toBe(0);

    // At least once on the topic: a replayed record has the same envelope id (= chargeId), so it is recognisable.
    const byId = new Map<string, ChargeCalculated>();
    for (const r of published) {
      const e = parseEnvelope(r.value);
      const c = e.data as ChargeCalculated;
      expect(e.id).toBe(c.chargeId);
      byId.set(e.id, c);
    }
    expect(byId.size).toBe(N);
    const topicGross = [...byId.values()].reduce((s, c) => s.plus(c.finalAmount.gross), new Decimal(0));
    expect(topicGross.toFixed(2)).toBe(new Decimal(rows[0].gross).toFixed(2));
    process.stdout.write(`charges stored when killed: ${atCrash} of ${N}\n`);
    expect(atCrash).toBeLessThanOrEqual(N);
  }, 170_000);
});
