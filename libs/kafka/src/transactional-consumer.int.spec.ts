import { Pool } from 'pg';
import type { KafkaMessage } from 'kafkajs';
import { deadLetterTopicName, makeEnvelope, topicName } from '@app/contracts';
import { eventStoreSchemaSql } from '@app/event-store';
import { createTestDatabase, createTestKafka, type TestDatabase, type TestKafka } from '@app/testing';
import type { BatchConsumer } from './consumer';
import { KafkaPublisher } from './publisher';
import { transactionalConsumer, type ParsedRecord } from './transactional-consumer';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every record of `topic` from the beginning, once `count` arrived. */
async function readTopic(t: TestKafka, topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = t.kafka.consumer({ groupId: `read-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: KafkaMessage[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${got.length}/${count} records on ${topic}`)),
      20_000,
    );
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message);
        if (got.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  }).finally(() => consumer.disconnect());
  return got;
}

const envelope = (subject: string, data: Record<string, unknown>) =>
  makeEnvelope({ type: 'Test', source: 'test', subject, schema: 'test/v1', data });

describe('transactionalConsumer: validation at the edge (real Kafka + Postgres)', () => {
  let t: TestKafka;
  let db: TestDatabase;
  let pool: Pool;
  let publisher: KafkaPublisher;
  const started: BatchConsumer[] = [];

  beforeAll(async () => {
    t = await createTestKafka('transactional-consumer');
    db = await createTestDatabase('transactional_consumer');
    pool = new Pool({ connectionString: db.url, max: 4 });
    for (const sql of eventStoreSchemaSql()) await pool.query(sql);
    await pool.query('create table seen (envelope_id text primary key, subject text not null)');
    publisher = new KafkaPublisher(t.kafka);
    await publisher.connect();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await publisher.disconnect();
    await pool.end();
    await db.drop();
  });

  it('parks what validate refuses in the dead-letter topic with the reason, folds the rest, and stores every offset', async () => {
    const topic = topicName('ocppEvents', t.prefix);
    const groupId = `tc-validate-${t.prefix}`;
    const good1 = envelope('CP-1', { n: 1 });
    const bad = envelope('CP-1', { n: 2, forged: true });
    const good2 = envelope('CP-1', { n: 3 });
    for (const value of [JSON.stringify(good1), JSON.stringify(bad), 'not json', JSON.stringify(good2)])
      await publisher.publish({ topic, key: 'CP-1', value });

    const handled: ParsedRecord[] = [];
    const validated: string[] = [];
    const consumer = transactionalConsumer(t.kafka, pool, {
      groupId,
      topics: [topic],
      deadLetter: publisher,
      validate: (env, from) => {
        validated.push(`${from}:${env.id}`);
        return (env.data as { forged?: boolean }).forged
          ? ['/data/forged is not allowed', '/data/n must be odd']
          : [];
      },
      handle: async (client, _topic, records) => {
        handled.push(...records);
        for (const r of records)
          if (r.envelope)
            await client.query('insert into seen (envelope_id, subject) values ($1, $2)', [
              r.envelope.id,
              r.envelope.subject,
            ]);
        return records.length;
      },
    });
    started.push(consumer);
    await consumer.start();

    const stored = await waitFor('offsets stored', async () => {
      const { rows } = await pool.query<{ next_offset: string }>(
        'select next_offset::text from consumer_offsets where group_id = $1 and topic = $2',
        [groupId, topic],
      );
      return rows[0]?.next_offset === '4' ? rows : undefined;
    });
    expect(stored).toEqual([{ next_offset: '4' }]);

    // The refused record never reached handle (nor its effects); the unreadable one did, as null.
    const seen = await pool.query('select envelope_id from seen order by envelope_id');
    expect(seen.rows.map((r) => r.envelope_id).sort()).toEqual([good1.id, good2.id].sort());
    expect(handled.map((r) => r.envelope?.id ?? null)).toEqual([good1.id, null, good2.id]);
    expect(handled[1]).toMatchObject({ offset: '2', key: 'CP-1', envelope: null });
    expect(handled[1].unreadable).toMatch(/not JSON/);
    expect(handled[1].value?.toString()).toBe('not json');
    expect(validated).toEqual([good1, bad, good2].map((e) => `${topic}:${e.id}`));

    const [parked] = await readTopic(t, deadLetterTopicName(topic), 1);
    expect(JSON.parse(parked.value!.toString()).id).toBe(bad.id);
    expect(parked.key!.toString()).toBe('CP-1');
    const header = (name: string) => parked.headers![name]!.toString();
    expect(header('x-dead-letter-reason')).toBe(
      'invalid envelope: /data/forged is not allowed; /data/n must be odd',
    );
    expect(header('x-original-topic')).toBe(topic);
    expect(header('x-original-offset')).toBe('1');
    expect(header('x-consumer-group')).toBe(groupId);
  });

  it('refuses a validate hook without a dead-letter topic (a refused record would have nowhere to go)', () => {
    expect(() =>
      transactionalConsumer(t.kafka, pool, {
        groupId: 'no-dlq',
        topics: ['x'],
        validate: () => [],
        handle: async () => undefined,
      }),
    ).toThrow(/validate needs a dead-letter publisher/);
  });
});
