import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { topicName } from '@app/contracts';
import { ApiKeyStore, migrateAuthDatabase } from '@app/auth';
import { createTestDatabase, createTestKafka, type TestDatabase, type TestKafka } from '@app/testing';
import { loadSessionServiceConfig } from '../../apps/session-service/src/config';
import {
  hubSignature,
  verifyTimestampedSignature,
} from '../../apps/session-service/src/domain/webhook-signature';
import { SessionServiceModule } from '../../apps/session-service/src/session-service.module';
import { GatewayRecords } from '../../apps/session-service/src/testing/gateway-records';
import { migrate, waitFor } from '../../apps/session-service/src/testing/harness';

/**
 * Issue 10: webhook endpoints could only be set by a CLI, which took any URL and stored the secret
 * in plaintext. Now a fleet manages its own, over the API, scoped to its fleet and audited.
 */
describe('self-service webhooks API (issue 10)', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let app: INestApplication;
  let base: string;
  let receiver: http.Server;
  let receiverUrl: string;
  const received: { path: string; body: string; headers: http.IncomingHttpHeaders }[] = [];
  const KEY_A = 'sk_test_fleet_a_' + randomUUID();
  const KEY_B = 'sk_test_fleet_b_' + randomUUID();
  const KEY_OPERATOR = 'sk_test_operator_' + randomUUID();
  let keyAId: string;

  const api = async (
    method: string,
    path: string,
    key: string | null = KEY_A,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
  ): Promise<{ status: number; body: any }> => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(key ? { 'x-api-key': key } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const query = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body, headers: req.headers });
        res.statusCode = req.url === '/fail' ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    [db, tk] = await Promise.all([createTestDatabase('sec_hooks'), createTestKafka('sec_hooks')]);
    await migrate(db.url);
    await migrateAuthDatabase(db.url);
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const keys = new ApiKeyStore(c);
    keyAId = (await keys.create({ key: KEY_A, name: 'fleet a', roles: ['fleet'], fleet: 'fleet-a' })).record
      .id;
    await keys.create({ key: KEY_B, name: 'fleet b', roles: ['fleet'], fleet: 'fleet-b' });
    await keys.create({ key: KEY_OPERATOR, name: 'ops', roles: ['operator'], fleet: null });
    await c.end();

    const config = loadSessionServiceConfig({
      DATABASE_URL: db.url,
      AUTH_DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '3',
      KAFKA_TOPIC_PREFIX: tk.prefix,
      KAFKA_BROKERS: tk.brokers.join(','),
      CONSUMER_GROUP: 'sessions-' + randomUUID().slice(0, 8),
      LOG_LEVEL: 'warn',
      WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
      // The receiver is on loopback: the dev stack's exception, as narrow as it gets.
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1',
      WEBHOOK_TIMEOUT_MS: '2000',
    });
    app = await NestFactory.create(SessionServiceModule.forRoot(config), { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });

  it('needs a fleet credential: 401 without one, 403 for another role', async () => {
    expect(await api('GET', '/v1/webhooks', null)).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    expect(await api('POST', '/v1/webhooks', KEY_OPERATOR, { url: receiverUrl })).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
  });

  it.each([
    [{}, 'url is required'],
    [{ url: 'not a url' }, 'url is not a valid absolute URL'],
    [{ url: 'http://169.254.169.254/latest/meta-data/' }, 'url points to a non-public address'],
    [{ url: 'http://10.0.0.1/hook' }, 'url points to a non-public address'],
    [{ url: 'https://user:pw@hooks.example.com/' }, 'url must not contain credentials'],
    [{ url: 'https://hooks.example.com/', events: ['fleet.charging_session.exploded'] }, 'events must be'],
    [{ url: 'https://hooks.example.com/', events: [] }, 'events must be'],
    [{ url: 'https://hooks.example.com/', secret: 'mine' }, 'unknown field "secret"'],
  ])('refuses %j with a 400 naming the field', async (body, message) => {
    const r = await api('POST', '/v1/webhooks', KEY_A, body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(message);
    expect(typeof r.body.error.code).toBe('string');
  });

  it('creates, shows the secret once, seals it at rest, scopes by fleet, sends a signed test event, lists deliveries, audits, deletes', async () => {
    const created = await api('POST', '/v1/webhooks', KEY_A, {
      url: `${receiverUrl}/hook`,
      events: ['fleet.charging_session.closed', 'fleet.charging_session.started'],
    });
    expect(created.status).toBe(201);
    const { id, secret } = created.body.webhook;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.body.webhook).toMatchObject({
      url: `${receiverUrl}/hook`,
      events: ['fleet.charging_session.closed', 'fleet.charging_session.started'],
    });

    // at rest: sealed, not the secret
    const [row] = await query<{ sealed_secret: string; legacy_secret: string | null }>(
      'select sealed_secret, legacy_secret from webhooks where id = $1',
      [id],
    );
    expect(row.legacy_secret).toBeNull();
    expect(row.sealed_secret).toMatch(/^v1\./);
    expect(row.sealed_secret).not.toContain(secret);
    expect(row.sealed_secret).not.toContain(secret.slice(6));

    // never shown again
    const one = await api('GET', `/v1/webhooks/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.webhook.secret).toBeUndefined();
    expect(
      (await api('GET', '/v1/webhooks')).body.webhooks.map((w: { id: string; secret?: string }) => [
        w.id,
        w.secret,
      ]),
    ).toEqual([[id, undefined]]);

    // another fleet sees nothing, and gets 404 as for an unknown id
    expect((await api('GET', '/v1/webhooks', KEY_B)).body).toEqual({ webhooks: [] });
    for (const [method, path] of [
      ['GET', `/v1/webhooks/${id}`],
      ['DELETE', `/v1/webhooks/${id}`],
      ['POST', `/v1/webhooks/${id}/test`],
      ['GET', `/v1/webhooks/${id}/deliveries`],
    ]) {
      expect(await api(method, path, KEY_B)).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND' } },
      });
    }
    expect((await api('GET', `/v1/webhooks/${randomUUID()}`)).status).toBe(404);
    expect((await api('GET', '/v1/webhooks/not-a-uuid')).status).toBe(404);

    // a test event, signed both ways
    const test = await api('POST', `/v1/webhooks/${id}/test`);
    expect(test.status).toBe(202);
    expect(test.body.delivery).toMatchObject({ type: 'fleet.webhook.test', status: 'pending', attempts: 0 });
    const got = await waitFor(async () => received.find((r) => r.path === '/hook'), 10000, 'the test event');
    expect(JSON.parse(got.body)).toMatchObject({
      object: 'event',
      type: 'fleet.webhook.test',
      data: { data: { id } },
    });
    expect(got.headers['x-hub-signature-256']).toBe(hubSignature(secret, got.body));
    expect(
      verifyTimestampedSignature(
        secret,
        got.body,
        String(got.headers['x-chargebill-signature']),
        Date.now() / 1000,
      ),
    ).toBe(true);
    expect(got.headers['x-chargebill-delivery']).toBe(test.body.delivery.id);

    const deliveries = await waitFor(async () => {
      const r = await api('GET', `/v1/webhooks/${id}/deliveries`);
      return r.body.deliveries?.[0]?.status === 'delivered' ? r.body : null;
    });
    expect(deliveries.deliveries[0]).toMatchObject({
      id: test.body.delivery.id,
      attempts: 1,
      last_status_code: 200,
      next_attempt_at: null,
      attempt_log: [{ attempt: 1, status_code: 200, error: null }],
    });
    expect(deliveries.next_cursor).toBeNull();
    expect((await api('GET', `/v1/webhooks/${id}/deliveries?limit=0`)).status).toBe(400);
    expect((await api('GET', `/v1/webhooks/${id}/deliveries?cursor=abc`)).status).toBe(400);

    // deleted: gone for its owner too, and audited with the key's id as the actor
    expect((await api('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await api('GET', `/v1/webhooks/${id}`)).status).toBe(404);
    const audit = await query<{
      action: string;
      actor_kind: string;
      actor_id: string;
      target_id: string;
      details: Record<string, unknown>;
    }>(
      `select action, actor_kind, actor_id, target_id, details from auth_audit_log where target_id = $1 order by seq`,
      [id],
    );
    expect(audit.map((a) => [a.action, a.actor_kind, a.actor_id, a.target_id])).toEqual([
      ['webhook.created', 'api_key', keyAId, id],
      ['webhook.deleted', 'api_key', keyAId, id],
    ]);
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('a failing receiver: the delivery shows its status code, the error and when it is retried', async () => {
    const created = await api('POST', '/v1/webhooks', KEY_A, { url: `${receiverUrl}/fail` });
    expect(created.status).toBe(201);
    const id = created.body.webhook.id;
    await api('POST', `/v1/webhooks/${id}/test`);
    const d = await waitFor(async () => {
      const r = await api('GET', `/v1/webhooks/${id}/deliveries`);
      return r.body.deliveries?.[0]?.attempts >= 1 ? r.body.deliveries[0] : null;
    });
    expect(d).toMatchObject({ status: 'pending', last_status_code: 500, last_error: 'HTTP 500' });
    expect(d.next_attempt_at).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    expect(d.attempt_log[0]).toMatchObject({ attempt: 1, status_code: 500, error: 'HTTP 500' });
  });

  it("sessions of the fleet reach the webhooks whose events include them, in order, signed with each webhook's own secret", async () => {
    const closedOnly = await api('POST', '/v1/webhooks', KEY_A, {
      url: `${receiverUrl}/closed`,
      events: ['fleet.charging_session.closed', 'fleet.charging_session.started'],
    });
    const all = await api('POST', '/v1/webhooks', KEY_A, { url: `${receiverUrl}/all` });
    const otherFleet = await api('POST', '/v1/webhooks', KEY_B, { url: `${receiverUrl}/fleet-b` });
    expect([closedOnly.status, all.status, otherFleet.status]).toEqual([201, 201, 201]);

    const cp = new GatewayRecords('CP-HOOK-A', 'fleet-a');
    const t0 = new Date();
    const producer = tk.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: topicName('ocppEvents', tk.prefix),
      acks: -1,
      messages: [
        cp.connected(),
        cp.startTransaction(1, 1, 100, t0),
        cp.meterValues(1, 1, 600, new Date(t0.getTime() + 60_000)),
        cp.stopTransaction(1, 900, new Date(t0.getTime() + 120_000)),
      ],
    });
    await producer.disconnect();

    const on = (path: string) => received.filter((r) => r.path === path);
    await waitFor(async () => on('/closed').length >= 2 && on('/all').length >= 2, 30000, 'session webhooks');
    // give a wrongly queued extra delivery the chance to show up
    await new Promise((r) => setTimeout(r, 500));
    const types = (path: string) => on(path).map((r) => JSON.parse(r.body).type as string);
    expect(types('/closed')).toEqual(['fleet.charging_session.started', 'fleet.charging_session.closed']);
    expect(types('/all')[0]).toBe('fleet.charging_session.started');
    expect(types('/all').at(-1)).toBe('fleet.charging_session.closed');
    expect(on('/fleet-b')).toEqual([]);
    for (const [path, secret] of [
      ['/closed', closedOnly.body.webhook.secret],
      ['/all', all.body.webhook.secret],
    ]) {
      for (const r of on(path)) {
        expect(r.headers['x-hub-signature-256']).toBe(hubSignature(secret, r.body));
        expect(
          verifyTimestampedSignature(
            secret,
            r.body,
            String(r.headers['x-chargebill-signature']),
            Date.now() / 1000,
          ),
        ).toBe(true);
      }
    }
  });
});
