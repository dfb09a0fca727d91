import { allTopicSpecs, topicName, type OcppCallReceived } from '@app/contracts';
import { ensureTopics } from '@app/kafka';
import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  testTopicSettings,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { OcppClient } from '@app/testing/simulator';
import { startGateway, TopicRecorder, type RunningGateway } from './harness';

/**
 * When Kafka cannot take a record in OCPP_KAFKA_TIMEOUT_MS the charger gets InternalError, never a
 * CALLRESULT for something the topic does not have. The outage is real: the broker loses the
 * events topic (deleted under the gateway), so every produce to it fails until it is back.
 */
describe('ocpp-gateway when Kafka cannot take the record', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let gw: RunningGateway;
  let client: OcppClient;

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('gwout'), createTestKafka('gwout')]);
    await migrateApp('ocpp-gateway', db.url);
    gw = await startGateway({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      GATEWAY_ID: 'gw-outage',
      OCPP_ALLOW_UNREGISTERED: 'true',
      OCPP_KAFKA_TIMEOUT_MS: '1500',
      OCPP_COMMANDS_ENABLED: 'false',
    });
    client = await OcppClient.connect({ url: gw.url, chargePointId: 'CP-OUT', callTimeoutMs: 20000 });
  });

  afterAll(async () => {
    client?.terminate();
    await gw?.stop();
    await db?.drop();
  });

  it('answers InternalError while the topic is gone, and confirms again once it is back', async () => {
    const status = { connectorId: 1, errorCode: 'NoError', status: 'Available' };
    expect((await client.call('StatusNotification', status, 'before')).type).toBe('result');

    const admin = tk.kafka.admin();
    await admin.connect();
    const eventsTopic = topicName('ocppEvents', tk.prefix);
    await admin.deleteTopics({ topics: [eventsTopic], timeout: 10000 });

    const started = Date.now();
    const during = await client.call('StatusNotification', status, 'during');
    expect(during).toMatchObject({ type: 'error', code: 'InternalError' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(client.isOpen).toBe(true);

    await ensureTopics(
      tk.kafka,
      allTopicSpecs(tk.prefix, testTopicSettings()).filter((t) => t.name === eventsTopic),
    );
    await admin.disconnect();
    // The publisher retries its queued batch; a new CALL is confirmed once produces succeed again.
    let after: Awaited<ReturnType<OcppClient['call']>> | undefined;
    for (let i = 0; i < 20 && after?.type !== 'result'; i++)
      after = await client.call('StatusNotification', status, `after-${i}`);
    expect(after?.type).toBe('result');

    const recorder = new TopicRecorder(tk.kafka, eventsTopic);
    await recorder.start();
    try {
      const confirmedId = (
        await recorder.waitFor<OcppCallReceived>(
          (e) => e.type === 'OcppCallReceived' && e.data.messageId.startsWith('after-'),
        )
      ).data.messageId;
      expect(confirmedId).toMatch(/^after-/);
    } finally {
      await recorder.stop();
    }
  });

  it('answers a 2.0.1 station InternalError while ocpp.v201.events is gone (1.6 unaffected), and confirms again once it is back', async () => {
    const station = await OcppClient.connect({
      url: gw.url,
      chargePointId: 'CS-OUT',
      protocols: ['ocpp2.0.1'],
      callTimeoutMs: 20000,
    });
    try {
      const status = {
        timestamp: new Date().toISOString(),
        connectorStatus: 'Available',
        evseId: 1,
        connectorId: 1,
      };
      expect((await station.call('StatusNotification', status, 'v201-before')).type).toBe('result');
      const admin = tk.kafka.admin();
      await admin.connect();
      const v201Topic = topicName('ocppV201Events', tk.prefix);
      await admin.deleteTopics({ topics: [v201Topic], timeout: 10000 });
      const [during, v16During] = await Promise.all([
        station.call('StatusNotification', status, 'v201-during'),
        new Promise((r) => setTimeout(r, 50)).then(() =>
          client.call(
            'StatusNotification',
            { connectorId: 1, errorCode: 'NoError', status: 'Available' },
            'v16-during',
          ),
        ),
      ]);
      expect(during).toMatchObject({ type: 'error', code: 'InternalError' });
      // The other protocol's topic is fine: a 1.6 charger on the same replica is confirmed meanwhile.
      expect(v16During.type).toBe('result');
      expect(station.isOpen).toBe(true);
      await ensureTopics(
        tk.kafka,
        allTopicSpecs(tk.prefix, testTopicSettings()).filter((t) => t.name === v201Topic),
      );
      await admin.disconnect();
      let after: Awaited<ReturnType<OcppClient['call']>> | undefined;
      for (let i = 0; i < 20 && after?.type !== 'result'; i++)
        after = await station.call('StatusNotification', status, `v201-after-${i}`);
      expect(after?.type).toBe('result');
    } finally {
      station.terminate();
    }
  });
});
