import { randomBytes } from 'node:crypto';
import { topicSettingsFromEnv } from '@app/config';
import { allTopicSpecs, DEV_TOPIC_SETTINGS } from '@app/contracts';
import { createKafka, ensureTopics } from '@app/kafka';
import type { Kafka } from 'kafkajs';
import { createDatabase, databaseUrl, dropDatabase } from './stack/postgres';
import { testBrokers, testTopicRunPrefix } from './test-run';

export { testBrokers, testTopicRunPrefix };

/**
 * Integration tests run against the broker and Postgres that `npm test` prepared. Each test file
 * gets its own databases and topic prefix, so files run in parallel and never touch dev data.
 */

export function testServerUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database `t_<label>_<unique>`. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `t_${label.replace(/[^a-z0-9_]/g, '_')}_${uniqueSuffix()}`;
  const server = testServerUrl();
  await createDatabase(server, name);
  return { name, url: databaseUrl(server, name), drop: () => dropDatabase(server, name) };
}

export interface TestKafka {
  kafka: Kafka;
  brokers: string[];
  /** Prefix for every topic of this test file, e.g. `t-lk3j2a1b2c3.` */
  prefix: string;
}

/**
 * A kafkajs client and a fresh topic prefix with every topic of ARCHITECTURE.md created. The jest
 * global teardown deletes the topics at the end of the run.
 */
export async function createTestKafka(label = 'test'): Promise<TestKafka> {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: `test-${label}`, log: () => undefined });
  const prefix = `${testTopicRunPrefix() ?? 't-'}${uniqueSuffix()}.`;
  await ensureTopics(kafka, allTopicSpecs(prefix, testTopicSettings()));
  return { kafka, brokers, prefix };
}

/** Replication of the test topics: the single test broker's 1/1 unless KAFKA_TOPIC_* say otherwise. */
export function testTopicSettings(): ReturnType<typeof topicSettingsFromEnv> {
  return topicSettingsFromEnv(process.env, DEV_TOPIC_SETTINGS);
}
