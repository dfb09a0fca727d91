import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { KafkaMessage } from 'kafkajs';
import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { provisionApiKeys } from '@app/auth/testing';
import { BillingServiceModule } from '../src/billing-service.module';
import { loadBillingServiceConfig } from '../src/config';

export interface RunningBilling {
  app: INestApplication;
  url: string;
  db: TestDatabase;
  kafka: TestKafka;
  stop(): Promise<void>;
}

/** The key `http()` sends unless told otherwise: operator, finance and admin (no fleet scoping). */
export const BILLING_STAFF_KEY = 'sk_test_billing_staff_0123456789';

/**
 * The real billing-service module on a fresh database and topic prefix, listening on a free port.
 * Its credentials live in the same database (AUTH_DATABASE_URL = DATABASE_URL), with BILLING_STAFF_KEY.
 */
export async function startBilling(label: string, env: Record<string, string> = {}): Promise<RunningBilling> {
  const db = await createTestDatabase(label);
  await migrateApp('billing-service', db.url);
  await provisionApiKeys(db.url, [
    { key: BILLING_STAFF_KEY, name: 'billing tests', roles: ['operator', 'finance', 'admin'] },
  ]);
  const kafka = await createTestKafka(label);
  const config = loadBillingServiceConfig({
    DATABASE_URL: db.url,
    AUTH_DATABASE_URL: db.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: kafka.prefix,
    LOG_LEVEL: 'warn',
    ...env,
  });
  const app = await NestFactory.create(BillingServiceModule.forRoot(config), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    db,
    kafka,
    stop: async () => {
      await app.close();
      await db.drop();
    },
  };
}

export async function http(
  method: string,
  url: string,
  body?: unknown,
  apiKey: string | null = BILLING_STAFF_KEY,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(apiKey === null ? {} : { 'x-api-key': apiKey }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, text };
}

/** Reads `topic` from the beginning until `done(records)` holds (or the time is up). */
export async function readTopicUntil(
  t: TestKafka,
  topic: string,
  done: (records: KafkaMessage[]) => boolean,
  timeoutMs = 20000,
): Promise<KafkaMessage[]> {
  const consumer = t.kafka.consumer({ groupId: `read-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: KafkaMessage[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`condition not met on ${topic} after ${got.length} records`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message);
          if (done(got)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
