import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Producer } from 'kafkajs';
import { provisionApiKeys } from '@app/auth/testing';
import { topicName } from '@app/contracts';
import { createTestDatabase, createTestKafka, type TestDatabase, type TestKafka } from '@app/testing';
import { loadSessionServiceConfig } from '../../apps/session-service/src/config';
import { SessionServiceModule } from '../../apps/session-service/src/session-service.module';
import { GatewayRecords } from '../../apps/session-service/src/testing/gateway-records';
import { migrate, waitFor } from '../../apps/session-service/src/testing/harness';

/**
 * A fleet key sees its own fleet only: another fleet's session, charger or stop reads exactly as
 * an unknown id does (404), so ids cannot even be probed. Staff roles do not read sessions at all.
 */
describe('fleet scoping of the sessions API (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let app: INestApplication;
  let producer: Producer;
  let base: string;
  const KEY_A = `sk_scope_a_${randomUUID()}`;
  const KEY_B = `sk_scope_b_${randomUUID()}`;
  const KEY_STAFF = `sk_scope_staff_${randomUUID()}`;
  const cp = new GatewayRecords('CP-SCOPE-A', 'fleet-a');

  const get = async (path: string, key: string, init: RequestInit = {}) => {
    const res = await fetch(base + path, {
      ...init,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('sec_scope'), createTestKafka('sec_scope')]);
    await migrate(db.url);
    await provisionApiKeys(db.url, [
      { key: KEY_A, name: 'fleet a', roles: ['fleet'], fleet: 'fleet-a' },
      { key: KEY_B, name: 'fleet b', roles: ['fleet'], fleet: 'fleet-b' },
      { key: KEY_STAFF, name: 'staff', roles: ['operator', 'finance', 'admin'] },
    ]);
    const config = loadSessionServiceConfig({
      DATABASE_URL: db.url,
      AUTH_DATABASE_URL: db.url,
      KAFKA_TOPIC_PREFIX: tk.prefix,
      KAFKA_BROKERS: tk.brokers.join(','),
      CONSUMER_GROUP: 'scope-' + randomUUID().slice(0, 8),
      DATABASE_POOL_SIZE: '4',
      LOG_LEVEL: 'warn',
    });
    app = await NestFactory.create(SessionServiceModule.forRoot(config), { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    producer = tk.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // A session started at fleet A's charger (RFID): LOCAL, ACTIVE.
    await producer.send({
      topic: topicName('ocppEvents', tk.prefix),
      acks: -1,
      messages: [cp.connected(), cp.startTransaction(1, 901, 1000, new Date(), 'TAG-A')],
    });
  });
  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
    await db?.drop();
  });

  it("answers another fleet's session, stop and charger as it answers an unknown id", async () => {
    const listed = await waitFor(async () => {
      const res = await get('/v1/sessions', KEY_A);
      return res.body.sessions?.length ? res.body.sessions : null;
    });
    const id = listed[0].id as string;
    expect((await get(`/v1/sessions/${id}`, KEY_A)).status).toBe(200);

    const unknown = await get(`/v1/sessions/${randomUUID()}`, KEY_B);
    const foreign = await get(`/v1/sessions/${id}`, KEY_B);
    expect(unknown.status).toBe(404);
    expect({ status: foreign.status, code: foreign.body.error.code }).toEqual({
      status: 404,
      code: unknown.body.error.code,
    });
    expect(JSON.stringify(foreign.body)).not.toContain('CP-SCOPE-A');
    expect((await get(`/v1/sessions/${id}/stop`, KEY_B, { method: 'POST' })).status).toBe(404);
    expect((await get('/v1/sessions', KEY_B)).body.sessions).toEqual([]);
    const start = await get('/v1/sessions/start', KEY_B, {
      method: 'POST',
      body: JSON.stringify({ evse: 'CP-SCOPE-A*1' }),
    });
    expect(start.status).toBe(404);
    // Fleet A's session is untouched by B's stop.
    expect((await get(`/v1/sessions/${id}`, KEY_A)).body.session.status).toBe('ACTIVE');
  });

  it('gives staff roles no session data (403: sessions are a fleet API)', async () => {
    expect(await get('/v1/sessions', KEY_STAFF)).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
  });
});
