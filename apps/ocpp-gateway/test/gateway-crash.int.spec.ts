import { topicName, type OcppCallReceived } from '@app/contracts';
import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  startAppProcess,
  testBrokers,
  type AppProcess,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { OcppClient } from '@app/testing/simulator';
import { TopicRecorder } from './harness';

/**
 * The gateway as a real process, killed with SIGKILL under load: every CALL that got a CALLRESULT
 * must be on `ocpp.v16.events` (confirmation only after the broker acknowledged it). After a
 * restart, transactionIds never repeat (the unused rest of the crashed process's block is skipped).
 */
describe('ocpp-gateway killed with SIGKILL under load', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let gateway: AppProcess | null = null;
  let recorder: TopicRecorder;
  const clients: OcppClient[] = [];

  const start = () =>
    startAppProcess('ocpp-gateway', {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      OCPP_ALLOW_UNREGISTERED: 'true',
      OCPP_COMMANDS_ENABLED: 'false',
      GATEWAY_ID: 'gw-crash',
    });

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('gwcrash'), createTestKafka('gwcrash')]);
    await migrateApp('ocpp-gateway', db.url);
    gateway = await start();
  });

  afterAll(async () => {
    for (const c of clients) c.terminate();
    await recorder?.stop();
    await gateway?.kill();
    await db?.drop();
  });

  it('loses no confirmed CALL, and never reuses a transactionId after the restart', async () => {
    const url = `ws://127.0.0.1:${gateway!.port}/ocpp`;
    for (let i = 0; i < 40; i++)
      clients.push(await OcppClient.connect({ url, chargePointId: `CP-K${i}`, callTimeoutMs: 5000 }));

    const confirmed: string[] = [];
    const transactionIds: number[] = [];
    let stop = false;
    const load = clients.map(async (c, i) => {
      for (let n = 0; !stop; n++) {
        const id = `K${i}-${n}`;
        const start = n % 10 === 0;
        const payload = start
          ? { connectorId: 1, idTag: 'TAG', meterStart: n, timestamp: new Date().toISOString() }
          : {
              connectorId: 1,
              errorCode: 'NoError',
              status: n % 2 ? 'Charging' : 'SuspendedEV',
              timestamp: new Date().toISOString(),
            };
        try {
          const answer = await c.call(start ? 'StartTransaction' : 'StatusNotification', payload, id);
          if (answer.type === 'result') {
            confirmed.push(id);
            if (start) transactionIds.push(answer.payload.transactionId as number);
          }
        } catch {
          return; // connection gone
        }
      }
    });
    // Killed under load: once 250 CALLs were confirmed (2 s on an idle machine; CI's shared broker
    // took longer, and a fixed 2 s then saw 40), at most 20 s.
    const loadDeadline = Date.now() + 20_000;
    await new Promise((r) => setTimeout(r, 2000));
    while (confirmed.length < 250 && Date.now() < loadDeadline) await new Promise((r) => setTimeout(r, 100));
    await gateway!.kill();
    stop = true;
    await Promise.all(load);
    expect(confirmed.length).toBeGreaterThan(200);

    recorder = new TopicRecorder(tk.kafka, topicName('ocppEvents', tk.prefix));
    await recorder.start();
    const wanted = new Set(confirmed);
    const deadline = Date.now() + 30000;
    let missing: string[] = [];
    for (;;) {
      const seen = new Set(
        recorder
          .matching<OcppCallReceived>((e) => e.type === 'OcppCallReceived')
          .map((e) => e.data.messageId),
      );
      missing = [...wanted].filter((id) => !seen.has(id));
      if (missing.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(missing).toEqual([]);

    gateway = await start();
    const again = await OcppClient.connect({
      url: `ws://127.0.0.1:${gateway.port}/ocpp`,
      chargePointId: 'CP-AFTER',
    });
    clients.push(again);
    const r = await again.confirm('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    });
    expect(transactionIds.length).toBeGreaterThan(0);
    expect(transactionIds).not.toContain(r.transactionId);
    expect(r.transactionId as number).toBeGreaterThan(Math.max(...transactionIds));
  });

  it('on SIGTERM closes connections with 1001 "shutdown", reports them, and exits 0', async () => {
    const client = clients[clients.length - 1];
    expect(client.isOpen).toBe(true);
    const code = await gateway!.stop();
    expect(code).toBe(0);
    expect(await client.closed).toEqual({ code: 1001, reason: 'shutdown' });
    const d = await recorder.waitFor<{ reason: string }>(
      (e) => e.type === 'ChargerDisconnected' && e.subject === 'CP-AFTER',
    );
    expect(d.data.reason).toBe('shutdown');
  });
});
