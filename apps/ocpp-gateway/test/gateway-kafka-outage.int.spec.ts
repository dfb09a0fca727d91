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
});
