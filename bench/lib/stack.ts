import { topicSettingsFromEnv } from '@app/config';
import { allTopicSpecs, DEV_TOPIC_SETTINGS } from '@app/contracts';
import { createKafka, deleteTopicsWithPrefix, ensureTopics } from '@app/kafka';
import {
  ensureKafkaBroker,
  ensurePostgres,
  type RunningBroker,
  type RunningPostgres,
} from '@app/testing/stack';
import { uniqueSuffix } from '@app/testing';
import type { Kafka } from 'kafkajs';

export interface BenchStack {
  kafka: Kafka;
  brokers: string[];
  serverUrl: string;
  /** A fresh topic prefix with every topic created, so runs never mix; `stop()` deletes them. */
  prefix: string;
  stop(): Promise<void>;
}

/** Starts (or reuses) Kafka and Postgres like `npm start` does, quietly. */
export async function benchStack(label: string): Promise<BenchStack> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const quiet = () => undefined;
  const pg: RunningPostgres = await ensurePostgres(serverUrl, quiet);
  const broker: RunningBroker = await ensureKafkaBroker(brokers, quiet);
  const kafka = createKafka({ brokers, clientId: `bench-${label}`, log: () => undefined });
  const prefix = `bench-${label}-${uniqueSuffix()}.`;
  await ensureTopics(kafka, allTopicSpecs(prefix, topicSettingsFromEnv(process.env, DEV_TOPIC_SETTINGS)));
  return {
    kafka,
    brokers,
    serverUrl,
    prefix,
    stop: async () => {
      // This run's topics only; a leftover topic is waste, not a failure.
      await deleteTopicsWithPrefix(kafka, prefix).catch(() => undefined);
      await broker.stop();
      await pg.stop();
    },
  };
}

export const QUICK = process.env.BENCH_QUICK === '1';
