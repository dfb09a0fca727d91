import {
  OCPP_INBOUND_ACTIONS,
  topicName,
  type ChargerConnected,
  type OcppCallReceived,
  type OcppCallReceivedOf,
} from '@app/contracts';
import { createEnvelopeValidator } from '@app/contracts/schemas';
import { exampleRequests } from '@app/ocpp';
import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { HandshakeRefusedError, OcppClient, SimulatedCharger } from '@app/testing/simulator';
import { hashChargerPassword } from '@app/ocpp/charger-password';
import { startGateway, TopicRecorder, type RunningGateway } from './harness';

/**
 * The gateway on the real broker and Postgres: handshake rules, every action confirmed only once
 * its record is on `ocpp.v16.events`, malformed and garbage frames answered without harm,
 * StartTransaction retries, StopTransaction always confirmed, connection replacement.
 */
describe('ocpp-gateway (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let gw: RunningGateway;
  let events: TopicRecorder;
  const clients: OcppClient[] = [];
  const PASSWORD = 'correct-horse-battery';

  /** `password` null: no Authorization header at all. */
  const connect = async (chargePointId: string, password: string | null = PASSWORD, protocols?: string[]) => {
    const c = await OcppClient.connect({
      url: gw.url,
      chargePointId,
      password: password ?? undefined,
      protocols,
      callTimeoutMs: 10000,
    });
    clients.push(c);
    return c;
  };
  const register = async (id: string, password = PASSWORD, evseIds: Record<string, string> = {}) =>
    gw.gateway.chargers.upsert({
      id,
      fleetId: 'fleet-a',
      passwordHash: await hashChargerPassword(password),
      evseIds,
    });
  const onTopic = (messageId: string) =>
    events.matching<OcppCallReceived>((e) => e.type === 'OcppCallReceived' && e.data.messageId === messageId);

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('gw'), createTestKafka('gw')]);
    await migrateApp('ocpp-gateway', db.url);
    gw = await startGateway({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      GATEWAY_ID: 'gw-main',
      OCPP_DATA_TRANSFER_VENDORS: 'com.chargebill',
      OCPP_HEARTBEAT_SAMPLE_S: '300',
      OCPP_COMMANDS_ENABLED: 'false',
    });
    events = new TopicRecorder(tk.kafka, topicName('ocppEvents', tk.prefix));
    await events.start();
    await register('CP-1', PASSWORD, { '1': 'DE*2GO*E1311*1' });
    await gw.gateway.chargers.upsertIdTag('fleet-a', 'AABBCCDD', {
      status: 'Accepted',
      expiryDate: null,
      parentIdTag: null,
    });
  });

  afterAll(async () => {
    for (const c of clients) c.terminate();
    await events?.stop();
    await gw?.stop();
    await db?.drop();
  });

  describe('handshake', () => {
    it('refuses a connection offering neither ocpp1.6 nor ocpp2.0.1', async () => {
      await expect(connect('CP-1', PASSWORD, ['ocpp1.5', 'ocpp2.0'])).rejects.toEqual(
        new HandshakeRefusedError(400),
      );
    });

    it('refuses an unknown charger and a wrong password alike (401)', async () => {
      await expect(connect('CP-UNKNOWN')).rejects.toEqual(new HandshakeRefusedError(401));
      await expect(connect('CP-1', 'wrong-password-123')).rejects.toEqual(new HandshakeRefusedError(401));
      await expect(connect('CP-1', null)).rejects.toEqual(new HandshakeRefusedError(401));
    });

    it('refuses a path that is not /ocpp/{id} (404)', async () => {
      await expect(
        OcppClient.connect({
          url: gw.url.replace('/ocpp', '/nope'),
          chargePointId: 'CP-1',
          password: PASSWORD,
        }),
      ).rejects.toEqual(new HandshakeRefusedError(404));
    });

    it('refuses the old password once the password was rotated', async () => {
      await register('CP-ROT', 'first-password-0001');
      (await connect('CP-ROT', 'first-password-0001')).terminate();
      await register('CP-ROT', 'second-password-0002');
      await expect(connect('CP-ROT', 'first-password-0001')).rejects.toEqual(new HandshakeRefusedError(401));
      expect((await connect('CP-ROT', 'second-password-0002')).isOpen).toBe(true);
    });

    it('announces the connection on the topic with the registered EVSE ids', async () => {
      await connect('CP-1');
      const connected = await events.waitFor<ChargerConnected>(
        (e) => e.type === 'ChargerConnected' && e.subject === 'CP-1',
      );
      expect(connected.data.evseIds).toEqual({ '1': 'DE*2GO*E1311*1' });
      expect(connected.data.protocol).toBe('ocpp1.6');
    });
  });

  describe('CALLs', () => {
    let cp: OcppClient;
    beforeAll(async () => {
      await register('CP-CALLS');
      cp = await connect('CP-CALLS');
    });

    it.each(OCPP_INBOUND_ACTIONS.map((a) => [a]))(
      'confirms a valid %s only after its record is on the topic',
      async (action) => {
        const payload = exampleRequests()[action];
        const messageId = `valid-${action}`;
        // Odd spacing on purpose: the record must keep the frame byte for byte.
        const raw = `[2,  "${messageId}", "${action}",\n ${JSON.stringify(payload, null, 1)} ]`;
        const answer = cp.nextFrame((f) => f[1] === messageId);
        cp.sendRaw(raw);
        const frame = await answer;
        expect(frame[0]).toBe(3);
        // Publish-before-confirm: by the time the CALLRESULT arrived, Kafka had the record.
        const record = await events.waitFor<OcppCallReceived>(
          (e) => e.type === 'OcppCallReceived' && e.data.messageId === messageId,
          5000,
        );
        expect(record.subject).toBe('CP-CALLS');
        expect(record.data).toMatchObject({
          chargePointId: 'CP-CALLS',
          fleetId: 'fleet-a',
          action,
          payload,
          rawFrame: raw,
          gatewayId: 'gw-main',
        });
        expect(record.data.reply).toEqual(frame[2]);
      },
    );

    it('answers each action as the Central System should', async () => {
      expect(await cp.confirm('BootNotification', exampleRequests().BootNotification)).toMatchObject({
        status: 'Accepted',
        interval: 300,
      });
      expect(await cp.confirm('Authorize', { idTag: 'AABBCCDD' })).toEqual({
        idTagInfo: { status: 'Accepted' },
      });
      expect(await cp.confirm('Authorize', { idTag: 'NOT-KNOWN' })).toEqual({
        idTagInfo: { status: 'Invalid' },
      });
      expect(await cp.confirm('DataTransfer', { vendorId: 'com.chargebill' })).toEqual({
        status: 'Accepted',
      });
      expect(await cp.confirm('DataTransfer', { vendorId: 'com.other' })).toEqual({
        status: 'UnknownVendorId',
      });
      const hb = await cp.confirm('Heartbeat', {});
      expect(Math.abs(Date.parse(String(hb.currentTime)) - Date.now())).toBeLessThan(5000);
    });

    it('publishes only one Heartbeat per sampling period per connection', async () => {
      const c = await connect('CP-1');
      const ids = ['hb-1', 'hb-2', 'hb-3'];
      for (const id of ids) expect((await c.call('Heartbeat', {}, id)).type).toBe('result');
      await events.waitFor<OcppCallReceived>(
        (e) => e.type === 'OcppCallReceived' && e.data.messageId === 'hb-1',
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(onTopic('hb-2')).toHaveLength(0);
      expect(onTopic('hb-3')).toHaveLength(0);
    });

    it.each([
      ['unknown action', [2, 'bad-1', 'MakeCoffee', {}], 'NotImplemented'],
      [
        'CSMS action sent by the charger',
        [2, 'bad-2', 'RemoteStartTransaction', { idTag: 'x' }],
        'NotSupported',
      ],
      [
        'missing required field',
        [2, 'bad-3', 'StartTransaction', { connectorId: 1, idTag: 'x', timestamp: new Date().toISOString() }],
        'OccurenceConstraintViolation',
      ],
      [
        'wrong type',
        [
          2,
          'bad-4',
          'StopTransaction',
          { transactionId: '1', meterStop: 1, timestamp: new Date().toISOString() },
        ],
        'TypeConstraintViolation',
      ],
      [
        'value outside the enum',
        [2, 'bad-5', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Happy' }],
        'PropertyConstraintViolation',
      ],
      ['payload not an object', [2, 'bad-6', 'Heartbeat', []], 'FormationViolation'],
      ['no payload', [2, 'bad-7', 'Heartbeat'], 'ProtocolError'],
    ])(
      'answers a CALL with %s by its CALLERROR, publishes nothing, stays connected',
      async (_n, frame, code) => {
        const id = (frame as unknown[])[1] as string;
        const answer = cp.nextFrame((f) => f[1] === id);
        cp.sendRaw(JSON.stringify(frame));
        expect(await answer).toEqual([4, id, code, expect.any(String), expect.any(Object)]);
        expect(onTopic(id)).toHaveLength(0);
        expect(cp.isOpen).toBe(true);
      },
    );

    it('survives garbage frames and keeps serving the connection', async () => {
      const garbage: Array<string | Buffer> = [
        'hello',
        '{"a":1}',
        '[2,',
        '[]',
        '[2, 7, "Heartbeat", {}]',
        '"x"',
        'null',
        Buffer.from([0xff, 0x00, 0xfe]),
      ];
      for (const g of garbage) {
        const answer = cp.nextFrame((f) => f[0] === 4 && f[1] === '-1');
        cp.sendRaw(g);
        expect((await answer)[2]).toBe('FormationViolation');
      }
      cp.sendRaw('[7, "x", "Heartbeat", {}]'); // unknown MessageTypeId: ignored, no answer
      cp.sendRaw('[3, "never-sent", {}]'); // answer to nothing: ignored
      expect(
        await cp.confirm('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' }),
      ).toEqual({});
      expect(cp.isOpen).toBe(true);
    });

    it('refuses a CALL whose message id is already in progress, and publishes it once', async () => {
      const frame = JSON.stringify([
        2,
        'dup-1',
        'StatusNotification',
        { connectorId: 1, errorCode: 'NoError', status: 'Preparing' },
      ]);
      const answers: unknown[][] = [];
      const both = new Promise<void>((resolve) => {
        const take = () =>
          cp
            .nextFrame((f) => f[1] === 'dup-1')
            .then((f) => {
              answers.push(f);
              if (answers.length === 2) resolve();
              else void take();
            });
        void take();
      });
      cp.sendRaw(frame);
      cp.sendRaw(frame);
      await both;
      expect(answers.map((f) => f[0]).sort()).toEqual([3, 4]);
      expect(answers.find((f) => f[0] === 4)?.[2]).toBe('GenericError');
      await new Promise((r) => setTimeout(r, 500));
      expect(onTopic('dup-1')).toHaveLength(1);
    });
  });

  describe('flooding', () => {
    it('refuses CALLs beyond the per-connection queue instead of buffering without bound', async () => {
      await register('CP-FLOOD');
      const flood = await connect('CP-FLOOD');
      const total = 200;
      const answers = Array.from({ length: total }, (_, i) =>
        flood.nextFrame((f) => f[1] === `fl-${i}`, 20000),
      );
      for (let i = 0; i < total; i++) flood.sendRaw(JSON.stringify([2, `fl-${i}`, 'Heartbeat', {}]));
      const frames = await Promise.all(answers);
      const refused = frames.filter((f) => f[0] === 4);
      expect(frames.filter((f) => f[0] === 3).length).toBeGreaterThanOrEqual(50);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((f) => f[2] === 'GenericError')).toBe(true);
      expect(flood.isOpen).toBe(true);
    });
  });

  describe('transactions', () => {
    let cp: OcppClient;
    beforeAll(async () => {
      await register('CP-TX');
      cp = await connect('CP-TX');
    });

    it('gives a retried StartTransaction the same transactionId, and a new start a new one', async () => {
      const start = {
        connectorId: 1,
        idTag: 'AABBCCDD',
        meterStart: 500,
        timestamp: '2026-01-15T10:00:00.000Z',
      };
      const first = await cp.confirm('StartTransaction', start);
      const retry = await cp.confirm('StartTransaction', start);
      const other = await cp.confirm('StartTransaction', { ...start, timestamp: '2026-01-15T11:00:00.000Z' });
      expect(first).toEqual({ transactionId: expect.any(Number), idTagInfo: { status: 'Accepted' } });
      expect(retry.transactionId).toBe(first.transactionId);
      expect(other.transactionId).not.toBe(first.transactionId);
    });

    it('answers an unknown idTag Invalid but still allocates a transaction', async () => {
      const r = await cp.confirm('StartTransaction', {
        connectorId: 2,
        idTag: 'STRANGER',
        meterStart: 0,
        timestamp: new Date().toISOString(),
      });
      expect(r).toEqual({ transactionId: expect.any(Number), idTagInfo: { status: 'Invalid' } });
    });

    it('hands out unique transactionIds under concurrency from many chargers', async () => {
      const ids = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          await register(`CP-CONC-${i}`);
          const c = await connect(`CP-CONC-${i}`);
          const r = await c.confirm('StartTransaction', {
            connectorId: 1,
            idTag: 'AABBCCDD',
            meterStart: i,
            timestamp: new Date().toISOString(),
          });
          return r.transactionId as number;
        }),
      );
      expect(new Set(ids).size).toBe(30);
    });

    it('confirms a duplicate and an unknown StopTransaction, and keeps both on the topic byte for byte', async () => {
      const stop = {
        transactionId: 999999,
        meterStop: 16750,
        timestamp: '2026-01-15T12:45:00Z',
        reason: 'EVDisconnected',
      };
      const raw = JSON.stringify([2, 'stop-unknown-1', 'StopTransaction', stop]);
      const a = cp.nextFrame((f) => f[1] === 'stop-unknown-1');
      cp.sendRaw(raw);
      expect(await a).toEqual([3, 'stop-unknown-1', {}]);
      expect((await cp.call('StopTransaction', stop, 'stop-unknown-2')).type).toBe('result');
      const r1 = await events.waitFor<OcppCallReceived>(
        (e) => e.type === 'OcppCallReceived' && e.data.messageId === 'stop-unknown-1',
      );
      await events.waitFor<OcppCallReceived>(
        (e) => e.type === 'OcppCallReceived' && e.data.messageId === 'stop-unknown-2',
      );
      expect(r1.data.rawFrame).toBe(raw);
    });

    it('keeps MeterValues without a transactionId and signed meter values as sent', async () => {
      const signed =
        'OCMF|{"FV":"1.0","GI":"SIM","RD":[{"TM":"2026-01-15T12:00:00,000+0000 S","RV":12.345,"RI":"1-b:1.8.0","RU":"kWh"}]}|{"SD":"3045022100AB"}';
      const payload = {
        connectorId: 1,
        meterValue: [
          { timestamp: '2026-01-15T12:00:00Z', sampledValue: [{ value: signed, format: 'SignedData' }] },
        ],
      };
      const raw = JSON.stringify([2, 'mv-signed', 'MeterValues', payload]);
      const a = cp.nextFrame((f) => f[1] === 'mv-signed');
      cp.sendRaw(raw);
      expect((await a)[0]).toBe(3);
      const rec = await events.waitFor<OcppCallReceived>(
        (e) => e.type === 'OcppCallReceived' && e.data.messageId === 'mv-signed',
      );
      expect(rec.data.rawFrame).toBe(raw);
      expect(rec.data.payload).toEqual(payload);
    });
  });

  describe('connections', () => {
    it('replaces the first connection when the same charger connects again', async () => {
      await register('CP-TWICE');
      const first = await connect('CP-TWICE');
      const second = await connect('CP-TWICE');
      const closed = await first.closed;
      expect(closed.reason).toBe('replaced');
      expect((await second.call('Heartbeat', {}, 'twice-hb')).type).toBe('result');
      // Same key, same partition: the heartbeat's record comes after the second announcement.
      await events.waitFor<OcppCallReceived>(
        (e) => e.type === 'OcppCallReceived' && e.data.messageId === 'twice-hb',
      );
      const disconnected = await events.waitFor<{ reason: string }>(
        (e) => e.type === 'ChargerDisconnected' && e.subject === 'CP-TWICE',
      );
      expect(disconnected.data.reason).toBe('replaced');
      // The replaced socket's disconnect is published before the new connection's announcement.
      const order = events.records
        .filter((r) => r.key === 'CP-TWICE' && r.envelope.type !== 'OcppCallReceived')
        .map((r) => r.envelope.type);
      expect(order).toEqual(['ChargerConnected', 'ChargerDisconnected', 'ChargerConnected']);
    });

    it('reports a charger that closes its connection', async () => {
      await register('CP-LEAVES');
      const c = await connect('CP-LEAVES');
      await c.close(1000, 'bye');
      const d = await events.waitFor<{ reason: string; code: number }>(
        (e) => e.type === 'ChargerDisconnected' && e.subject === 'CP-LEAVES',
      );
      expect(d.data).toMatchObject({ reason: 'closed-by-charger', code: 1000 });
    });
  });

  describe('contract', () => {
    it('every record the gateway wrote matches the JSON schema of its type (libs/contracts/schemas)', () => {
      const validate = createEnvelopeValidator();
      expect(events.records.length).toBeGreaterThan(50);
      const problems = events.records.flatMap((r) =>
        validate(r.envelope).map((p) => `${r.envelope.type} ${p}`),
      );
      expect(problems).toEqual([]);
    });
  });

  describe('simulator', () => {
    it('drives a whole session through the gateway', async () => {
      await register('CP-SIM');
      const sim = new SimulatedCharger({
        url: gw.url,
        chargePointId: 'CP-SIM',
        password: PASSWORD,
        meterValuesIntervalMs: 100,
        powerW: 36000,
      });
      await sim.connect();
      const session = await sim.runSession({
        idTag: 'AABBCCDD',
        durationMs: 400,
        reason: 'EVDisconnected',
        suspend: true,
      });
      await sim.close();
      expect(session.meterStop! - session.meterStart).toBeGreaterThan(0);
      // Same key, same partition: once the disconnect is seen, everything before it was too.
      await events.waitFor((e) => e.type === 'ChargerDisconnected' && e.subject === 'CP-SIM');
      const stop = await events.waitFor<OcppCallReceived>(
        (e) => e.type === 'OcppCallReceived' && e.subject === 'CP-SIM' && e.data.action === 'StopTransaction',
      );
      expect(stop.data.payload).toMatchObject({
        transactionId: session.transactionId,
        meterStop: session.meterStop,
        reason: 'EVDisconnected',
      });
      const statuses = events
        .matching<OcppCallReceivedOf<'StatusNotification'>>(
          (e) =>
            e.type === 'OcppCallReceived' && e.subject === 'CP-SIM' && e.data.action === 'StatusNotification',
        )
        .map((e) => e.data.payload.status);
      expect(statuses).toEqual([
        'Available',
        'Preparing',
        'Charging',
        'SuspendedEV',
        'Charging',
        'Finishing',
        'Available',
      ]);
    });
  });

  it('answers HTTP errors in the shape of every app; /health keeps its own body', async () => {
    const base = `http://127.0.0.1:${gw.port}`;
    const unknown = await fetch(`${base}/v1/nowhere`);
    expect({ status: unknown.status, body: await unknown.json() }).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'Cannot GET /v1/nowhere' } },
    });
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).not.toHaveProperty('error');
  });
});
