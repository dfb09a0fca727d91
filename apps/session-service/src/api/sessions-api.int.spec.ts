import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Producer } from 'kafkajs';
import { makeEnvelope, topicName, type ChargeCalculated, type TariffPublished } from '@app/contracts';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { RequestMethod } from '@nestjs/common';
import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { AUDIT_QUERY } from '@app/auth/audit';
import { AuditController } from '@app/auth/nest/audit.controller';
import { parseQuery, type QuerySpec } from '@app/http';
import { buildOpenApiDocument } from '@app/observability';
import { LIST_SESSIONS_QUERY } from '../application/read-sessions';
import { SessionsController } from './sessions.controller';
import { DELIVERIES_QUERY, WebhooksController } from './webhooks.controller';
import { ChargersAdminController } from './chargers-admin.controller';
import { ChargerCommandsController } from './charger-commands.controller';
import { ChargersController } from './chargers.controller';
import { LIST_CHARGERS_QUERY } from '../application/charger-view';
import { ID_TAG_QUERY, IdTagsController, LIST_ID_TAGS_QUERY } from './id-tags.controller';
import type { TestDatabase, TestKafka } from '@app/testing';
import { Client } from 'pg';
import { startApiHarness, testApiKey, type ApiHarness } from '../testing/api-harness';
import { GatewayRecords } from '../testing/gateway-records';
import { waitFor } from '../testing/harness';
import { TARIFF_A } from '@app/testing/fixtures';

/**
 * The sessions API over HTTP against the real broker and Postgres. A minimal stand-in for the
 * gateway answers commands on the command topics the way the gateway's contract says.
 */
describe('sessions REST API (real Kafka + Postgres)', () => {
  const keys = {
    fleet1: testApiKey('fleet_one', 'test', ['fleet'], 'fleet-1'),
    fleet2: testApiKey('fleet_two', 'test', ['fleet'], 'fleet-2'),
  };
  let h: ApiHarness<keyof typeof keys>;
  let db: TestDatabase;
  let tk: TestKafka;
  let base: string;
  let producer: Producer;
  const KEY1 = keys.fleet1.key;
  const KEY2 = keys.fleet2.key;
  const cp = new GatewayRecords('CP-API-1', 'fleet-1');
  const silent = new GatewayRecords('CP-SILENT', 'fleet-1');
  const rejecting = new GatewayRecords('CP-REJECT', 'fleet-1');
  const other = new GatewayRecords('CP-OTHER', 'fleet-2');
  let txCounter = 100;
  // Webhook receiver: the raw bodies as they arrive (fleet-2 registers it).
  let receiver: http.Server;
  const hookBodies: string[] = [];

  const api = (
    method: string,
    path: string,
    key: string | null = KEY1,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => h.api(method, path, key, body, headers);

  const ocpp = (records: { key: string; value: string }[]) =>
    producer.send({ topic: topicName('ocppEvents', tk.prefix), acks: -1, messages: records });

  beforeAll(async () => {
    h = await startApiHarness('sess_api', {
      keys,
      env: {
        COMMAND_TIMEOUT_SECONDS: '2',
        STOP_WAIT_SECONDS: '3',
        WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1',
      },
    });
    ({ db, tk, base, producer } = h);

    // Gateway stand-in: accepts for CP-API-1, rejects for CP-REJECT, never answers for CP-SILENT.
    await h.answerCommands(
      (cmd) =>
        cmd.chargePointId === 'CP-SILENT'
          ? null
          : {
              outcome: 'Result',
              payload: { status: cmd.chargePointId === 'CP-REJECT' ? 'Rejected' : 'Accepted' },
            },
      {
        answered: async (cmd, result) => {
          if (cmd.action === 'RemoteStartTransaction' && result.payload?.status === 'Accepted') {
            const p = cmd.payload as { connectorId: number; idTag: string };
            await ocpp([cp.startTransaction(p.connectorId, ++txCounter, 2000, new Date(), p.idTag)]);
          }
        },
      },
    );

    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hookBodies.push(Buffer.concat(chunks).toString('utf8'));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));

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
    await h?.close();
    receiver?.closeAllConnections();
    await new Promise((r) => receiver?.close(r));
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
    return Number(r.rows[0].transaction_id); // bigint: pg hands it over as text
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

  it('answers gzip when the client accepts it, also for a response under 1 KB (one session, as pump sends)', async () => {
    const list = await fetch(base + '/v1/sessions', {
      headers: { 'x-api-key': KEY1, 'accept-encoding': 'gzip' },
    });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-encoding')).toBe('gzip');
    await list.arrayBuffer();
    // fetch decompresses: the length on the wire is the header's, the text the uncompressed body
    const one = await fetch(base + `/v1/sessions/${sessionId}`, {
      headers: { 'x-api-key': KEY1, 'accept-encoding': 'gzip' },
    });
    const text = await one.text();
    expect(one.status).toBe(200);
    expect(Buffer.byteLength(text)).toBeLessThan(1024);
    expect(one.headers.get('content-encoding')).toBe('gzip');
  });

  it('a body that is not JSON is 400 INVALID_JSON', async () => {
    for (const body of ['{"evse": ', 'evse=DE*API*E1', '{']) {
      const r = await fetch(base + '/v1/sessions/start', {
        method: 'POST',
        headers: { 'x-api-key': KEY1, 'content-type': 'application/json' },
        body,
      });
      expect({ body, status: r.status, json: await r.json() }).toEqual({
        body,
        status: 400,
        json: {
          error: { code: 'INVALID_JSON', message: expect.stringMatching(/^request body is not valid JSON/) },
        },
      });
    }
  });

  it('from/to take plain dates, as the exports do, on every session route', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await api('GET', `/v1/sessions?from=2026-11-30&to=9999-12-31`);
    expect(r.status).toBe(200);
    expect(r.body.sessions.length).toBeGreaterThan(0); // every session here is newer
    expect((await api('GET', `/v1/sessions?from=${today}`)).body.sessions.length).toBeGreaterThan(0);
    expect((await api('GET', '/v1/sessions?to=2026-11-30')).body.sessions).toEqual([]);
    expect(await api('GET', '/v1/sessions?from=2026-02-30')).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_QUERY' } },
    });
  });

  describe('prices and amounts as JSON numbers of their exact decimal text (pump model)', () => {
    const tariff: TariffPublished = {
      tariffId: 'tariff-api-fleet-2',
      name: 'pump example',
      publishedAt: '2026-01-01T00:00:00Z',
      assignments: [{ scope: 'FLEET', ref: 'fleet-2' }],
      versions: [
        {
          version: 1,
          effective_from: '2025-01-01T00:00:00Z',
          tariff: { ...TARIFF_A },
        },
      ],
    };
    const TARIFF_NUMBERS = [
      '"kwh_price":0.88',
      '"session_price":0',
      '"time_tariffs":[{"starting_at_minute":45,"minute_price":0.12}]',
      '"vat":0.19',
    ];
    const FINAL_AMOUNT =
      '"final_amount":{"session":0,"time":0,"energy":0.9046,"net":0.9046,"vat":0.1719,"gross":1.0765,"currency":"EUR"}';
    let id: string;

    it('fleet-2 gets its tariff and a webhook', async () => {
      await producer.send({
        topic: topicName('tariffs', tk.prefix),
        acks: -1,
        messages: [
          {
            key: tariff.tariffId,
            value: JSON.stringify(
              makeEnvelope({
                type: 'TariffVersionPublished',
                source: 'billing-service',
                subject: tariff.tariffId,
                schema: 'billing.tariff/v1',
                data: tariff,
              }),
            ),
          },
        ],
      });
      await waitFor(
        async () => {
          const c = new Client({ connectionString: db.url });
          await c.connect();
          const r = await c.query('select 1 from tariffs where tariff_id = $1', [tariff.tariffId]);
          await c.end();
          return r.rowCount;
        },
        20000,
        'tariff stored',
      );
      const port = (receiver.address() as AddressInfo).port;
      const hook = await api('POST', '/v1/webhooks', KEY2, { url: `http://127.0.0.1:${port}/hook` });
      expect(hook.status).toBe(201);
    });

    it('GET and the list write the tariff as numbers; Accept: application/json; decimals=string gives strings', async () => {
      await ocpp([other.startTransaction(1, 8001, 1000, new Date())]);
      id = await waitFor(async () => {
        const r = await api('GET', '/v1/sessions?charging_station=CP-OTHER&status=ACTIVE', KEY2);
        return r.body.sessions[0]?.id ?? null;
      });
      const one = await api('GET', `/v1/sessions/${id}`, KEY2);
      expect(one.status).toBe(200);
      expect(one.headers.get('content-type')).toMatch(/^application\/json/);
      for (const fragment of TARIFF_NUMBERS) expect(one.text).toContain(fragment);
      expect(one.body.session.tariff).toMatchObject({ kwh_price: 0.88, session_price: 0, vat: 0.19 });
      const list = await api('GET', '/v1/sessions?charging_station=CP-OTHER', KEY2);
      for (const fragment of TARIFF_NUMBERS) expect(list.text).toContain(fragment);

      const strings = await api('GET', `/v1/sessions/${id}`, KEY2, undefined, {
        accept: 'application/json; decimals=string',
      });
      expect(strings.body.session.tariff).toMatchObject({
        kwh_price: '0.88',
        session_price: '0',
        time_tariffs: [{ starting_at_minute: 45, minute_price: '0.12' }],
        vat: '0.19',
      });
      expect(strings.body.session.energy_in_kwh).toBe(0); // energy and duration stay numbers
    });

    it('stop answers with numbers too', async () => {
      const r = await api('POST', `/v1/sessions/${id}/stop`, KEY2);
      expect(r).toMatchObject({ status: 200, body: { session: { id, status: 'REMOTE_STOPPED' } } });
      for (const fragment of TARIFF_NUMBERS) expect(r.text).toContain(fragment);
      const strings = await api('POST', `/v1/sessions/${id}/stop`, KEY2, undefined, {
        accept: 'application/json; decimals=string',
      });
      expect(strings.body.session.tariff.kwh_price).toBe('0.88');
    });

    it('final_amount from billing: {"session": 0, "time": 0, "energy": 0.9046}, in the API and the webhook bodies', async () => {
      const started = (await api('GET', `/v1/sessions/${id}`, KEY2)).body.session;
      const startedAt = new Date(started.started_at * 1000);
      const completedAt = new Date(startedAt.getTime() + 60_000);
      await ocpp([other.stopTransaction(8001, 2028, completedAt, 'Remote')]);
      const closed = await waitFor(async () => {
        const s = (
          await api('GET', `/v1/sessions/${id}`, KEY2, undefined, {
            accept: 'application/json; decimals=string',
          })
        ).body.session;
        return s.status === 'CLOSED' ? s : null;
      });
      const charge: ChargeCalculated = {
        chargeId: randomUUID(),
        sessionId: id,
        fleetId: 'fleet-2',
        chargePointId: 'CP-OTHER',
        evse: closed.evse,
        kind: 'CHARGE',
        finalAmount: {
          energy: '0.9046',
          session: '0',
          time: '0',
          net: '0.9046',
          vat: '0.1719',
          gross: '1.0765',
          currency: 'EUR',
        },
        inputs: {
          tariff: closed.tariff,
          meter_start: 1000,
          meter_stop: 2028,
          started_at: startedAt.toISOString(),
          completed_at: new Date(closed.completed_at * 1000).toISOString(),
        },
        energyWh: 1028,
        durationS: 60,
        flags: [],
        calculatedAt: new Date().toISOString(),
      };
      await producer.send({
        topic: topicName('sessionCharges', tk.prefix),
        acks: -1,
        messages: [
          {
            key: id,
            value: JSON.stringify(
              makeEnvelope({
                type: 'ChargeCalculated',
                source: 'billing-service',
                subject: id,
                schema: 'billing.charge-calculated/v1',
                data: charge,
              }),
            ),
          },
        ],
      });
      const priced = await waitFor(async () => {
        const r = await api('GET', `/v1/sessions/${id}`, KEY2);
        return r.body.session.final_amount ? r : null;
      });
      expect(priced.text).toContain(FINAL_AMOUNT);
      expect(priced.body.session.final_amount).toMatchObject({ session: 0, time: 0, energy: 0.9046 });
      expect((await api('GET', '/v1/sessions?charging_station=CP-OTHER', KEY2)).text).toContain(FINAL_AMOUNT);
      const strings = await api('GET', `/v1/sessions/${id}`, KEY2, undefined, {
        accept: 'application/json; decimals=string',
      });
      expect(strings.body.session.final_amount).toEqual(charge.finalAmount);

      // The webhooks: the same numbers, in the signed body as sent.
      const sessionBodies = () => hookBodies.filter((b) => b.includes(id));
      await waitFor(
        async () => sessionBodies().some((b) => b.includes('"final_amount":{')),
        20000,
        'webhook',
      );
      const bodies = sessionBodies();
      for (const b of bodies) {
        for (const fragment of TARIFF_NUMBERS) expect(b).toContain(fragment);
        expect(b).not.toContain('"kwh_price":"');
      }
      expect(bodies.find((b) => b.includes('"final_amount":{'))).toContain(FINAL_AMOUNT);
    });
  });

  describe('OpenAPI document (as served on the management port /docs/json)', () => {
    /** Every route the controllers declare, with whether it reads a body and which query spec it parses. */
    const ROUTES: { controller: object; querySpecs: Record<string, QuerySpec> }[] = [
      { controller: SessionsController, querySpecs: { list: LIST_SESSIONS_QUERY } },
      { controller: WebhooksController, querySpecs: { deliveries: DELIVERIES_QUERY } },
      { controller: AuditController, querySpecs: { list: AUDIT_QUERY } },
      { controller: ChargersAdminController, querySpecs: {} },
      { controller: ChargerCommandsController, querySpecs: {} },
      { controller: ChargersController, querySpecs: { list: LIST_CHARGERS_QUERY } },
      {
        controller: IdTagsController,
        querySpecs: { list: LIST_ID_TAGS_QUERY, get: ID_TAG_QUERY, remove: ID_TAG_QUERY },
      },
    ];
    const routes = ROUTES.flatMap(({ controller, querySpecs }) => {
      const proto = (controller as { prototype: Record<string, unknown> }).prototype;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller));
      return Object.getOwnPropertyNames(proto)
        .filter((name) => Reflect.getMetadata(METHOD_METADATA, proto[name] as object) !== undefined)
        .map((name) => {
          const handler = proto[name] as object;
          const sub = String(Reflect.getMetadata(PATH_METADATA, handler));
          const path = ('/' + [base, sub].filter((p) => p && p !== '/').join('/')).replace(/:(\w+)/g, '{$1}');
          const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase();
          const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as object;
          const reads = (type: RouteParamtypes) =>
            Object.keys(args).some((k) => k.split(':')[0] === String(type));
          return {
            name,
            path,
            method,
            body: reads(RouteParamtypes.BODY),
            query: reads(RouteParamtypes.QUERY),
            spec: querySpecs[name],
          };
        });
    });
    let doc: OpenAPIObject;
    beforeAll(() => {
      doc = buildOpenApiDocument(h.app, 'session-service', 'test');
    });

    const resolve = (schema: SchemaObject | { $ref: string }): SchemaObject => {
      const ref = (schema as { $ref?: string }).$ref;
      return ref
        ? (doc.components!.schemas![ref.split('/').pop()!] as SchemaObject)
        : (schema as SchemaObject);
    };

    it('lists every route the controllers serve, and only those', () => {
      const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      );
      expect(routes.length).toBeGreaterThanOrEqual(11);
      expect(documented.sort()).toEqual(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort());
    });

    it('every operation has a response schema, and a request schema when it reads a body', () => {
      for (const r of routes) {
        const op = (doc.paths[r.path] as Record<string, OperationObject>)[r.method];
        const success = Object.entries(op.responses).filter(([status]) => /^2/.test(status));
        expect({ route: `${r.method} ${r.path}`, success: success.length }).toEqual({
          route: `${r.method} ${r.path}`,
          success: 1,
        });
        const [status, response] = success[0] as [string, { content?: Record<string, { schema?: object }> }];
        if (status !== '204') {
          const schema = response.content?.['application/json']?.schema;
          expect({ route: `${r.method} ${r.path}`, schema: Boolean(schema) }).toEqual({
            route: `${r.method} ${r.path}`,
            schema: true,
          });
          expect(Object.keys(resolve(schema as SchemaObject).properties ?? {}).length).toBeGreaterThan(0);
        }
        const body = (op.requestBody as { content?: Record<string, { schema?: object }> } | undefined)
          ?.content?.['application/json']?.schema;
        expect({ route: `${r.method} ${r.path}`, requestSchema: Boolean(body) }).toEqual({
          route: `${r.method} ${r.path}`,
          requestSchema: r.body,
        });
      }
    });

    it('lists exactly the query parameters each parser accepts (and the parser accepts their examples and defaults)', () => {
      for (const r of routes) {
        const op = (doc.paths[r.path] as Record<string, OperationObject>)[r.method];
        const params = ((op.parameters ?? []) as ParameterObject[]).filter((p) => p.in === 'query');
        const route = `${r.method} ${r.path}`;
        expect({ route, reads: r.query, spec: r.spec !== undefined }).toEqual({
          route,
          reads: r.query,
          spec: r.query,
        });
        expect({ route, names: params.map((p) => p.name).sort() }).toEqual({
          route,
          names: Object.keys(r.spec ?? {}).sort(),
        });
        for (const p of params) {
          const schema = (p.schema ?? {}) as SchemaObject;
          for (const value of [schema.example, schema.default].filter((v) => v !== undefined))
            expect(() => parseQuery(r.spec!, { [p.name]: String(value) })).not.toThrow();
        }
      }
    });

    it('documents prices and amounts as numbers (or strings on request)', () => {
      const tariff = doc.components!.schemas!.TariffView as SchemaObject;
      expect((tariff.properties!.kwh_price as SchemaObject).oneOf).toEqual([
        { type: 'number' },
        expect.objectContaining({ type: 'string' }),
      ]);
      const final = doc.components!.schemas!.FinalAmountView as SchemaObject;
      expect(Object.keys(final.properties!)).toEqual([
        'session',
        'time',
        'energy',
        'net',
        'vat',
        'gross',
        'currency',
      ]);
    });
  });
});
