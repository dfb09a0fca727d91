import { topicName } from '@app/contracts';
import { createTestKafka, type TestKafka } from '@app/testing';
import { createKafka } from './client';
import { KafkaPublisher, publisherProducerConfig } from './publisher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The publisher heals after a failed send and tells readiness while Kafka takes nothing. */
describe('KafkaPublisher health and recovery (real broker)', () => {
  let t: TestKafka;
  let publisher: KafkaPublisher;

  beforeAll(async () => {
    t = await createTestKafka('publisher');
    // A long send timeout: the caller waits for kafkajs to give the record up, so the test sees that failure.
    publisher = new KafkaPublisher(
      createKafka({ brokers: t.brokers, clientId: 'publisher-health', log: () => undefined }),
      {
        sendTimeoutMs: 60_000,
        unhealthyAfterMs: 800,
      },
    );
    await publisher.connect();
  });

  afterAll(async () => {
    await publisher.disconnect();
  });

  it('uses the non-idempotent producer with one request in flight (kafkajs #598)', () => {
    expect(publisherProducerConfig()).toMatchObject({ idempotent: false, maxInFlightRequests: 1 });
    expect(publisherProducerConfig({ idempotent: true }).idempotent).toBe(true);
  });

  it('is unhealthy while a record waits unacknowledged, sends the next record after the failure, and is healthy again', async () => {
    const good = topicName('ocppEvents', t.prefix);
    await publisher.publish({ topic: good, key: 'cp-1', value: 'first' });
    const firstAck = publisher.lastAckAt;
    expect(firstAck).not.toBeNull();
    expect(publisher.health()).toEqual({ ok: true });

    // Topic auto-creation is off: kafkajs retries this record for a few seconds, then gives up.
    const lost = publisher.publish({ topic: `${t.prefix}no-such-topic`, key: 'cp-1', value: 'never' });
    const outcome = lost.then(
      () => 'acknowledged',
      () => 'failed',
    );
    await sleep(1200);
    const sick = publisher.health();
    expect(sick.ok).toBe(false);
    expect(sick.reason).toMatch(/acknowledged no record for 1 s \(1 waiting\)/);
    expect(publisher.isHealthy()).toBe(false);
    expect(await outcome).toBe('failed');
    // Nothing waits, but the failure is recent: still not ok.
    expect(publisher.health().ok).toBe(false);

    // The next record goes out in a fresh request and is acknowledged: no state left from the failure.
    await publisher.publish({ topic: good, key: 'cp-1', value: 'after' });
    expect(publisher.lastAckAt!).toBeGreaterThan(firstAck!);
    expect(publisher.health()).toEqual({ ok: true });
  }, 60_000);

  it('says ok again when nothing waits and the last failure is older than the limit (an idle replica gets traffic back)', async () => {
    await expect(
      publisher.publish({ topic: `${t.prefix}no-such-topic-2`, key: 'k', value: 'v' }),
    ).rejects.toThrow();
    const failedAt = Date.now();
    expect(publisher.health(failedAt).ok).toBe(false);
    expect(publisher.health(failedAt + 500).ok).toBe(false);
    expect(publisher.health(failedAt + 1000).ok).toBe(true);
  }, 60_000);

  it('holds a record published while the first connection is under way and sends it once connected; with no attempt under way it fails at once', async () => {
    const topic = topicName('ocppEvents', t.prefix);
    const fresh = new KafkaPublisher(
      createKafka({ brokers: t.brokers, clientId: 'publisher-early', log: () => undefined }),
      { sendTimeoutMs: 10_000 },
    );
    // Before any attempt: kafkajs's own refusal, not a wait.
    await expect(fresh.publish({ topic, key: 'early', value: 'too early' })).rejects.toThrow(/disconnected/);
    const connecting = fresh.connect();
    const early = fresh.publish({ topic, key: 'early', value: 'during connect' });
    expect(fresh.isConnected).toBe(false);
    await early;
    await connecting;
    expect(fresh.isConnected).toBe(true);
    expect(fresh.lastAckAt).not.toBeNull();
    await fresh.disconnect();
  }, 30_000);
});
