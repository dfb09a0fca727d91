import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import compression from 'compression';
import type { Consumer, Producer } from 'kafkajs';
import { makeEnvelope, OCPP_COMMAND_RESULT_SCHEMA, topicName, type OcppCommand } from '@app/contracts';
import { createTestDatabase, createTestKafka, type TestDatabase, type TestKafka } from '@app/testing';
import { Client } from 'pg';
import { ApiKeyStore, migrateAuthDatabase } from '@app/auth';
import { loadSessionServiceConfig } from '../config';
import { SessionServiceModule } from '../session-service.module';
import { GatewayRecords } from '../testing/gateway-records';
import { migrate, waitFor } from '../testing/harness';

/**
 * The sessions API over HTTP against the real broker and Postgres. A minimal stand-in for the
 * gateway answers commands on the command topics the way the gateway's contract says.
 */
describe('sessions REST API (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let app: INestApplication;
  let base: string;
  let producer: Producer;
  let gateway: Consumer;
  const KEY1 = 'sk_test_fleet_one_' + randomUUID();
  const KEY2 = 'sk_test_fleet_two_' + randomUUID();
  const cp = new GatewayRecords('CP-API-1', 'fleet-1');
  const silent = new GatewayRecords('CP-SILENT', 'fleet-1');
  const rejecting = new GatewayRecords('CP-REJECT', 'fleet-1');
  const other = new GatewayRecords('CP-OTHER', 'fleet-2');
  let txCounter = 100;

  const api = async (
    method: string,
    path: string,
    key: string | null = KEY1,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(key ? { 'x-api-key': key } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };

  const ocpp = (records: { key: string; value: string }[]) =>
    producer.send({ topic: topicName('ocppEvents', tk.prefix), acks: -1, messages: records });

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('sess_api'), createTestKafka('sess_api')]);
    await migrate(db.url);
    const c = new Client({ connectionString: db.url });
    await c.connect();
    // The credentials live next to the sessions here (AUTH_DATABASE_URL = DATABASE_URL).
    await migrateAuthDatabase(db.url);
    const keys = new ApiKeyStore(c);
    await keys.create({ key: KEY1, name: 'test', roles: ['fleet'], fleet: 'fleet-1' });
    await keys.create({ key: KEY2, name: 'test', roles: ['fleet'], fleet: 'fleet-2' });
    await c.end();
    producer = tk.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    // Gateway stand-in: accepts for CP-API-1, rejects for CP-REJECT, never answers for CP-SILENT.
    gateway = tk.kafka.consumer({ groupId: 'gw-' + randomUUID() });
    await gateway.connect();
    await gateway.subscribe({ topic: topicName('ocppCommands', tk.prefix), fromBeginning: true });
    await gateway.run({
      eachMessage: async ({ message }) => {
        const cmd = JSON.parse(message.value!.toString()).data as OcppCommand;
        if (cmd.chargePointId === 'CP-SILENT') return;
        const status = cmd.chargePointId === 'CP-REJECT' ? 'Rejected' : 'Accepted';
        const result = makeEnvelope({
          type: 'OcppCommandCompleted',
          source: 'ocpp-gateway',
          subject: cmd.commandId,
          schema: OCPP_COMMAND_RESULT_SCHEMA,
          data: {
            commandId: cmd.commandId,
            chargePointId: cmd.chargePointId,
            action: cmd.action,
            outcome: 'Result',
            payload: { status },
            completedAt: new Date().toISOString(),
            sessionId: cmd.sessionId,
          },
        });
        await producer.send({
          topic: topicName('ocppCommandResults', tk.prefix),
          acks: -1,
          messages: [{ key: cmd.commandId, value: JSON.stringify(result) }],
        });
        if (cmd.action === 'RemoteStartTransaction' && status === 'Accepted') {
          const p = cmd.payload as { connectorId: number; idTag: string };
          await ocpp([cp.startTransaction(p.connectorId, ++txCounter, 2000, new Date(), p.idTag)]);
        }
      },
    });

    const config = loadSessionServiceConfig({
      DATABASE_URL: db.url,
      AUTH_DATABASE_URL: db.url,
      KAFKA_TOPIC_PREFIX: tk.prefix,
      KAFKA_BROKERS: tk.brokers.join(','),
      CONSUMER_GROUP: 'sessions-' + randomUUID().slice(0, 8),
      COMMAND_TIMEOUT_SECONDS: '2',
      LOG_LEVEL: 'warn',
    });
    app = await NestFactory.create(SessionServiceModule.forRoot(config), { logger: false });
    app.use(compression()); // as bootstrapService (libs/observability) does in main.ts
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    await ocpp([
      cp.connected({ '1': 'DE*API*E1' }),
      silent.connected(),
      rejecting.connected(),
      other.connected(),
    ]);
    await waitFor(
      async () =>
        (await api('POST', '/v1/sessions/start', KEY1, { evse: 'CP-OTHER*1' })).status === 404 &&
        (await countChargers()) === 4,
      20000,
      'chargers',
    );
  });

  async function countChargers(): Promise<number> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const r = await c.query('select count(*)::int as n from chargers');
    await c.end();
    return r.rows[0].n;
  }

  afterAll(async () => {
    await gateway?.disconnect();
    await app?.close();
    await producer?.disconnect();
    await db?.drop();
  });

  let sessionId: string;

  it('rejects requests without a valid key', async () => {
    expect(await api('GET', '/v1/sessions', null)).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    expect(await api('GET', '/v1/sessions', 'sk_nope_nope_nope_nope')).toMatchObject({ status: 401 });
  });

  it('answers unknown routes with the error shape', async () => {
    expect(await api('GET', '/v1/nothing-here')).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
  });

  it('validates the start body', async () => {
    expect(await api('POST', '/v1/sessions/start', KEY1, {})).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_BODY' } },
    });
    expect(await api('POST', '/v1/sessions/start', KEY1, '{"evse": ')).toMatchObject({ status: 400 });
    expect(await api('POST', '/v1/sessions/start', KEY1, { evse: 'NOPE*1' })).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
  });

  it('starts a session (201 STARTING) and replays the same one for the same Idempotency-Key', async () => {
    const key = randomUUID();
    const first = await api(
      'POST',
      '/v1/sessions/start',
      KEY1,
      { evse: 'DE*API*E1', user_reference: 'driver-7' },
      { 'idempotency-key': key },
    );
    expect(first.status).toBe(201);
    expect(first.body.session).toMatchObject({
      auth_type: 'REMOTE',
      status: 'STARTING',
      evse: 'DE*API*E1',
      user_reference: 'driver-7',
      energy_in_kwh: 0,
      final_amount: null,
    });
    const again = await api(
      'POST',
      '/v1/sessions/start',
      KEY1,
      { evse: 'DE*API*E1', user_reference: 'driver-7' },
      { 'idempotency-key': key },
    );
    expect(again.status).toBe(201);
    expect(again.body.session.id).toBe(first.body.session.id);
    sessionId = first.body.session.id;
    // The same key for a different request is refused, not answered with the first session.
    const reused = await api(
      'POST',
      '/v1/sessions/start',
      KEY1,
      { evse: 'DE*API*E1', user_reference: 'driver-8' },
      { 'idempotency-key': key },
    );
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(Object.keys(first.body.session).slice(0, 14)).toEqual([
      'id',
      'auth_type',
      'status',
      'created_at',
      'started_at',
      'completed_at',
      'last_updated_at',
      'evse',
      'charging_station',
      'user_reference',
      'energy_in_kwh',
      'duration_in_minutes',
      'final_amount',
      'tariff',
    ]);
  });

  it('the charger accepting and starting makes it ACTIVE', async () => {
    const s = await waitFor(async () => {
      const r = await api('GET', `/v1/sessions/${sessionId}`);
      return r.body.session?.status === 'ACTIVE' ? r.body.session : null;
    });
    expect(s).toMatchObject({
      auth_type: 'REMOTE',
      user_reference: 'driver-7',
      charging_station: { id: 'CP-API-1', connector_id: 1 },
    });
    expect(typeof s.started_at).toBe('number');
    expect(s.flags).toContain('MISSING_TARIFF');
  });

  it("a fleet never sees another fleet's sessions or chargers", async () => {
    expect(await api('GET', `/v1/sessions/${sessionId}`, KEY2)).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    expect(await api('POST', `/v1/sessions/${sessionId}/stop`, KEY2)).toMatchObject({ status: 404 });
    expect((await api('GET', '/v1/sessions', KEY2)).body).toEqual({ sessions: [], next_cursor: null });
    expect(await api('POST', '/v1/sessions/start', KEY2, { evse: 'DE*API*E1' })).toMatchObject({
      status: 404,
    });
    expect(await api('POST', '/v1/sessions/start', KEY1, { evse: 'CP-OTHER*1' })).toMatchObject({
      status: 404,
    });
  });

  it('stop: 200 REMOTE_STOPPED once the charger accepts; stopping twice returns the same session', async () => {
    const r = await api('POST', `/v1/sessions/${sessionId}/stop`);
    expect(r.status).toBe(200);
    expect(r.body.session).toMatchObject({
      id: sessionId,
      status: 'REMOTE_STOPPED',
      completed_at: null,
      duration_in_minutes: null,
    });
    const again = await api('POST', `/v1/sessions/${sessionId}/stop`);
    expect(again).toMatchObject({
      status: 200,
      body: { session: { id: sessionId, status: 'REMOTE_STOPPED' } },
    });
  });

  it('StopTransaction closes it; GET shows energy and duration from the charger clock', async () => {
    const state = (await api('GET', `/v1/sessions/${sessionId}`)).body.session;
    const txId = await transactionIdOf(sessionId);
    const startedAt = new Date(state.started_at * 1000);
    await ocpp([cp.stopTransaction(txId, 3028, new Date(startedAt.getTime() + 108_000), 'Remote')]);
    const closed = await waitFor(async () => {
      const s = (await api('GET', `/v1/sessions/${sessionId}`)).body.session;
      return s.status === 'CLOSED' ? s : null;
    });
    expect(closed.energy_in_kwh).toBe(1.028);
    expect(closed.duration_in_minutes).toBe(1.8);
    expect(closed.completed_at - closed.started_at).toBe(108);
    expect(await api('POST', `/v1/sessions/${sessionId}/stop`)).toMatchObject({
      status: 200,
      body: { session: { status: 'CLOSED' } },
    });
  });

  async function transactionIdOf(id: string): Promise<number> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const r = await c.query('select transaction_id from sessions where session_id = $1', [id]);
    await c.end();
    return r.rows[0].transaction_id;
  }

  async function localSession(gw: GatewayRecords, tx: number): Promise<string> {
    await ocpp([gw.startTransaction(1, tx, 0, new Date())]);
    return waitFor(async () => {
      const r = await api('GET', `/v1/sessions?charging_station=${gw.chargePointId}&status=ACTIVE`);
      return r.body.sessions[0]?.id ?? null;
    });
  }

  it('stop: 502 when the charger rejects, 504 when it does not answer, 409 when not stoppable, 404 unknown', async () => {
    const rejected = await localSession(rejecting, 7001);
    expect(await api('POST', `/v1/sessions/${rejected}/stop`)).toMatchObject({
      status: 502,
      body: { error: { code: 'CHARGER_REJECTED' } },
    });
    const silentId = await localSession(silent, 7002);
    const t0 = Date.now();
    expect(await api('POST', `/v1/sessions/${silentId}/stop`)).toMatchObject({
      status: 504,
      body: { error: { code: 'CHARGER_TIMEOUT' } },
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    await ocpp([rejecting.stopTransaction(7001, 10, new Date())]);
    await waitFor(
      async () => (await api('GET', `/v1/sessions/${rejected}`)).body.session.status === 'CLOSED',
    );
    // Closed by the charger without a stop request from us: nothing to stop.
    const local = await localSession(cp, 7003);
    await ocpp([cp.stopTransaction(7003, 10, new Date())]);
    await waitFor(async () => (await api('GET', `/v1/sessions/${local}`)).body.session.status === 'CLOSED');
    expect(await api('POST', `/v1/sessions/${local}/stop`)).toMatchObject({
      status: 409,
      body: { error: { code: 'SESSION_NOT_STOPPABLE' } },
    });
    expect(await api('POST', `/v1/sessions/${randomUUID()}/stop`)).toMatchObject({ status: 404 });
    expect(await api('GET', `/v1/sessions/not-a-uuid`)).toMatchObject({ status: 404 });
  });

  it('lists with filters and cursor pagination', async () => {
    const all = (await api('GET', '/v1/sessions')).body.sessions;
    expect(all.length).toBeGreaterThanOrEqual(4);
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const r: Awaited<ReturnType<typeof api>> = await api(
        'GET',
        `/v1/sessions?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(r.status).toBe(200);
      pages.push(...r.body.sessions.map((s: { id: string }) => s.id));
      cursor = r.body.next_cursor;
    } while (cursor);
    expect(pages).toEqual(all.map((s: { id: string }) => s.id));
    expect(new Set(pages).size).toBe(pages.length);
    const remote = (await api('GET', '/v1/sessions?auth_type=REMOTE')).body.sessions;
    expect(remote.map((s: { id: string }) => s.id)).toEqual([sessionId]);
    expect(
      (await api('GET', '/v1/sessions?user_reference=driver-7&status=CLOSED')).body.sessions,
    ).toHaveLength(1);
    expect(
      (await api('GET', '/v1/sessions?evse=DE*API*E1')).body.sessions.every(
        (s: { evse: string }) => s.evse === 'DE*API*E1',
      ),
    ).toBe(true);
    expect(
      (await api('GET', `/v1/sessions?from=${Math.floor(Date.now() / 1000) + 3600}`)).body.sessions,
    ).toEqual([]);
    expect(await api('GET', '/v1/sessions?status=RUNNING')).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_QUERY' } },
    });
    expect(await api('GET', '/v1/sessions?cursor=garbage')).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_CURSOR' } },
    });
    expect(await api('GET', '/v1/sessions?colour=red')).toMatchObject({ status: 400 });
  });

  it('answers gzip when the client accepts it', async () => {
    const res = await fetch(base + '/v1/sessions', {
      headers: { 'x-api-key': KEY1, 'accept-encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    // compression only kicks in above its threshold; the list here is large enough
    expect(res.headers.get('content-encoding')).toBe('gzip');
  });
});
