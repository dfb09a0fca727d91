import { topicName } from '@app/contracts';
import { createTestKafka, type TestKafka } from '@app/testing';
import type { Consumer } from 'kafkajs';
import { createKafka } from './client';
import { BatchConsumer } from './consumer';
import { KafkaPublisher } from './publisher';

/** The kafkajs consumer a BatchConsumer currently runs (to inject faults into it). */
const inner = (c: BatchConsumer) => (c as unknown as { consumer: Consumer }).consumer;

async function waitFor(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('BatchConsumer heals by itself (real broker)', () => {
  let t: TestKafka;
  let publisher: KafkaPublisher;

  beforeAll(async () => {
    t = await createTestKafka('consumer-healing');
    publisher = new KafkaPublisher(t.kafka);
    await publisher.connect();
  });

  // A failed expectation must not leave a consumer running: its supervisor would retry forever
  // and keep jest from exiting.
  const started: BatchConsumer[] = [];
  const track = (c: BatchConsumer) => (started.push(c), c);
  afterEach(async () => {
    await Promise.all(started.splice(0).map((c) => c.stop()));
  });

  afterAll(async () => {
    await publisher.disconnect();
  });

  it('keeps processing while Kafka commits never answer, and stops within the commit bound', async () => {
    const topic = topicName('ocppEvents', t.prefix);
    const seen: string[] = [];
    const consumer = track(
      new BatchConsumer(t.kafka, {
        groupId: `hung-commit-${t.prefix}`,
        topics: [topic],
        // The default interval, as billing runs it (it once awaited every commit in the batch).
        commitTimeoutMs: 300,
        handleBatch: async ({ messages }) => void seen.push(...messages.map((m) => m.value!.toString())),
        onEvent: (message) =>
          void (/crashed|replacing|failed to start/.test(message) && memberChanges.push(message)),
      }),
    );
    // With commits that never land, a member change (kafkajs restarting after a request timed out
    // on a loaded machine, a rebalance) redelivers from the group's start: at least once, as the
    // contract says (the apps skip what their Postgres offsets say is done). Exactly once only
    // holds while the member stays the same, so the test tells the two apart.
    const memberChanges: string[] = [];
    await consumer.start();
    const e = inner(consumer).events;
    inner(consumer).on(e.REBALANCING, () => void memberChanges.push('rebalancing'));
    // A join after the first is a new generation: the member reads its partitions again from the
    // committed offsets, which never land here (seen: five joins of one member id in one run,
    // without a REBALANCING event, and the records since the last commit delivered again).
    // `start()` resolves at the first join, before this listener exists, so every join it hears is
    // a later one (counting from the second it heard missed a single rejoin: CI saw 58 of 50).
    inner(consumer).on(e.GROUP_JOIN, () => void memberChanges.push('rejoined'));
    // A coordinator that moved: every commit hangs.
    let commits = 0;
    inner(consumer).commitOffsets = () => {
      commits++;
      return new Promise<void>(() => undefined);
    };
    for (let i = 0; i < 5; i++) {
      await publisher.publishAll(
        Array.from({ length: 10 }, (_, j) => ({ topic, key: `k${j}`, value: `${i}-${j}` })),
      );
      await new Promise((r) => setTimeout(r, 400));
    }
    await waitFor('all 50 records processed', () => seen.length >= 50);
    await waitFor('a commit attempt', () => commits > 0, 5000);
    // Commits were tried, and hung, while records kept flowing.
    if (memberChanges.length === 0) expect(seen.length).toBe(50);
    else expect(seen.length).toBeGreaterThanOrEqual(50);
    expect(consumer.health().ok).toBe(true);
    const stopping = Date.now();
    await consumer.stop();
    expect(Date.now() - stopping).toBeLessThan(15_000);
    expect(new Set(seen).size).toBe(50);
  });

  it('start() neither throws nor waits when no broker answers; health turns bad after stallMs', async () => {
    const dead = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'dead', log: () => undefined });
    const consumer = track(
      new BatchConsumer(dead, {
        groupId: 'never-joins',
        topics: ['nothing'],
        stallMs: 1500,
        restartBackoff: { initialMs: 100, maxMs: 500 },
        handleBatch: async () => undefined,
      }),
    );
    let joined = false;
    void consumer.start().then(() => (joined = true));
    expect(consumer.health().ok).toBe(true); // within stallMs: not yet a stall
    await new Promise((r) => setTimeout(r, 2500));
    const health = consumer.health();
    expect(health.ok).toBe(false);
    expect(health.reason).toMatch(/not a member/);
    expect(joined).toBe(false);
    await consumer.stop();
    expect(consumer.health()).toMatchObject({ ok: false, reason: 'not running' });
  });

  it('replaces a kafkajs consumer that stopped on its own, and the new one consumes', async () => {
    const topic = topicName('ocppCommandResults', t.prefix);
    const seen: string[] = [];
    const events: string[] = [];
    const consumer = track(
      new BatchConsumer(t.kafka, {
        groupId: `replaced-${t.prefix}`,
        topics: [topic],
        sessionTimeoutMs: 6000,
        stallMs: 2000,
        restartBackoff: { initialMs: 100, maxMs: 500 },
        onEvent: (m) => events.push(m),
        handleBatch: async ({ messages }) => void seen.push(...messages.map((m) => m.value!.toString())),
      }),
    );
    await consumer.start();
    await publisher.publish({ topic, key: 'a', value: 'before' });
    await waitFor('the first record', () => seen.includes('before'));
    const first = inner(consumer);
    await first.stop(); // as after a crash kafkajs gave up on: no longer a member, nothing fetched
    await waitFor('a replacement', () => consumer.restartCount === 1 && inner(consumer) !== first, 20_000);
    await publisher.publish({ topic, key: 'a', value: 'after' });
    await waitFor('the record after the replacement', () => seen.includes('after'), 30_000);
    expect(events.join('\n')).toMatch(/not a member of its group .* replacing it/);
    expect(consumer.health().ok).toBe(true);
    await consumer.stop();
  });

  it('keeps its membership through a batch longer than the session timeout (no redelivery)', async () => {
    const topic = topicName('tariffs', t.prefix);
    const calls: string[] = [];
    const events: string[] = [];
    const consumer = track(
      new BatchConsumer(t.kafka, {
        groupId: `slow-batch-${t.prefix}`,
        topics: [topic],
        sessionTimeoutMs: 6000,
        onEvent: (m) => events.push(m),
        handleBatch: async ({ messages }) => {
          calls.push(...messages.map((m) => m.value!.toString()));
          if (calls.length === 1) await new Promise((r) => setTimeout(r, 9000)); // 1.5 session timeouts
        },
      }),
    );
    await consumer.start();
    await publisher.publish({ topic, key: 't', value: 'slow' });
    await waitFor('the slow batch to end', () => calls.length >= 1, 20_000);
    await new Promise((r) => setTimeout(r, 12_000));
    await consumer.stop();
    expect(calls).toEqual(['slow']);
    expect(events.filter((e) => /crashed|replacing|commit failed/.test(e))).toEqual([]);
  });
});
