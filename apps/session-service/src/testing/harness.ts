/** Starts the session runtime against a fresh test database and topic prefix (integration tests). */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { migrateAuthDatabase } from '@app/auth';
import { KafkaPublisher } from '@app/kafka';
import { createTestDatabase, createTestKafka, type TestDatabase, type TestKafka } from '@app/testing';
import { createDataSource } from '../infrastructure/database/data-source';
import { SessionServiceComposition, type SessionServiceOptions } from '../composition';
import { PostgresCommandAudit } from '../infrastructure/command-audit';

export interface Harness {
  db: TestDatabase;
  tk: TestKafka;
  publisher: KafkaPublisher;
  runtime: SessionServiceComposition;
  produce(topic: string, records: { key: string; value: string }[]): Promise<void>;
  close(): Promise<void>;
}

export async function migrate(url: string): Promise<void> {
  const ds = createDataSource(url);
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();
}

export async function startHarness(
  label: string,
  over: Partial<SessionServiceOptions> = {},
): Promise<Harness> {
  const [db, tk] = await Promise.all([createTestDatabase(label), createTestKafka(label)]);
  await migrate(db.url);
  // The credentials database's tables (audit log) live in the test database, as in billing's tests.
  await migrateAuthDatabase(db.url);
  const auditPool = new Pool({ connectionString: db.url, max: 2 });
  const publisher = new KafkaPublisher(tk.kafka);
  await publisher.connect();
  const runtime = new SessionServiceComposition({
    databaseUrl: db.url,
    kafka: tk.kafka,
    publisher,
    topicPrefix: tk.prefix,
    consumerGroup: `sessions-${randomUUID().slice(0, 8)}`,
    timers: { stopGraceMinutes: 10, startTimeoutSeconds: 120 },
    commandTimeoutSeconds: 5,
    stopWaitSeconds: 5,
    timerIntervalMs: 60_000,
    commandAudit: new PostgresCommandAudit(auditPool),
    ...over,
  });
  await runtime.start();
  const producer = tk.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    db,
    tk,
    publisher,
    runtime,
    produce: async (topic, records) => {
      await producer.send({ topic, acks: -1, messages: records });
    },
    close: async () => {
      await runtime.stop();
      await producer.disconnect();
      await publisher.disconnect();
      await auditPool.end();
      await db.drop();
    },
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 20000,
  label = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads every record of a topic from the beginning until `count` arrived. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test helper: records are inspected field by field
type Json = any;

export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 20000,
): Promise<{ key: string; value: Json }[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const out: { key: string; value: Json }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      out.push({ key: message.key?.toString() ?? '', value: JSON.parse(message.value!.toString()) });
    },
  });
  try {
    await waitFor(async () => out.length >= count, timeoutMs, `${count} records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Reads a topic from the beginning until `done` holds for the records read so far; returns them all. */
export async function readTopicUntil(
  kafka: Kafka,
  topic: string,
  done: (records: { key: string; value: Json }[]) => boolean,
  timeoutMs = 20000,
): Promise<{ key: string; value: Json }[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const out: { key: string; value: Json }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      out.push({ key: message.key?.toString() ?? '', value: JSON.parse(message.value!.toString()) });
    },
  });
  try {
    await waitFor(async () => done(out), timeoutMs, `the expected records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return out;
}
