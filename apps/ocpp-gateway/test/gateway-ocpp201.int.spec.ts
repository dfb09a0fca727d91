import { KafkaPublisher } from '@app/kafka';
import {
  OCPP201_INBOUND_ACTIONS,
  topicName,
  type AnyOcppCommandResult,
  type ChargerConnected,
  type Ocpp201CallReceived,
} from '@app/contracts';
import { createEnvelopeValidator } from '@app/contracts/schemas';
import { exampleRequests201, exampleTransactionEvents201, OCPP201_ERROR_CODES } from '@app/ocpp';
import { hashChargerPassword } from '@app/ocpp/charger-password';
import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { HandshakeRefusedError, OcppClient } from '@app/testing/simulator';
import { sendCommand, startGateway, TopicRecorder, type RunningGateway } from './harness';

/**
 * OCPP 2.0.1 through the gateway on the real broker and Postgres, with production settings
 * (registered stations with passwords): subprotocol negotiation, every accepted 2.0.1 CALL on
 * `ocpp.v201.events` and none on `ocpp.v16.events`, malformed CALLs answered with their 2.0.1
 * codes on a connection that stays open, and 2.0.1 commands from `ocpp.v201.commands`.
 */
describe('ocpp-gateway with OCPP 2.0.1 stations (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let gw: RunningGateway;
  let v16: TopicRecorder;
  let v201: TopicRecorder;
  let results16: TopicRecorder;
  let results201: TopicRecorder;
  let publisher: KafkaPublisher;
  const clients: OcppClient[] = [];
  const PASSWORD = 'correct-horse-battery';

  const connect = async (chargePointId: string, protocols: string[], url = gw.url) => {
    const c = await OcppClient.connect({
      url,
      chargePointId,
      password: PASSWORD,
      protocols,
      callTimeoutMs: 10000,
    });
    clients.push(c);
    return c;
  };
  const register = async (id: string) =>
    gw.gateway.chargers.upsert({
      id,
      fleetId: 'fleet-a',
      passwordHash: await hashChargerPassword(PASSWORD),
      evseIds: { '1': 'DE*2GO*E201*1' },
    });
  const calls201 = (messageId: string) =>
    v201.matching<Ocpp201CallReceived>(
      (e) => e.type === 'Ocpp201CallReceived' && e.data.messageId === messageId,
    );

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('gw201'), createTestKafka('gw201')]);
    await migrateApp('ocpp-gateway', db.url);
    gw = await startGateway({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      GATEWAY_ID: 'gw-201',
      OCPP_DATA_TRANSFER_VENDORS: 'com.chargebill',
      OCPP_HEARTBEAT_SAMPLE_S: '0',
      OCPP_REGISTRY_ENABLED: 'false',
    });
    v16 = new TopicRecorder(tk.kafka, topicName('ocppEvents', tk.prefix));
    v201 = new TopicRecorder(tk.kafka, topicName('ocppV201Events', tk.prefix));
    results16 = new TopicRecorder(tk.kafka, topicName('ocppCommandResults', tk.prefix));
    results201 = new TopicRecorder(tk.kafka, topicName('ocppV201CommandResults', tk.prefix));
    publisher = new KafkaPublisher(tk.kafka);
    await Promise.all([
      v16.start(),
      v201.start(),
      results16.start(),
      results201.start(),
      publisher.connect(),
    ]);
    for (const id of [
      'CS-NEG-BOTH',
      'CS-NEG-16',
      'CS-NEG-201',
      'CS-CALLS',
      'CS-BAD',
      'CS-CMD',
      'CS-ERR',
      'CS-SWITCH',
      'CP-16',
    ])
      await register(id);
    await gw.gateway.chargers.upsertIdTag('fleet-a', 'AABBCCDD', {
      status: 'Accepted',
      expiryDate: null,
      parentIdTag: null,
    });
  });

  afterAll(async () => {
    for (const c of clients) c.terminate();
    await Promise.all([
      v16?.stop(),
      v201?.stop(),
      results16?.stop(),
      results201?.stop(),
      publisher?.disconnect(),
    ]);
    await gw?.stop();
    await db?.drop();
  });

  describe('subprotocol negotiation', () => {
    it('gives a station offering both the preferred ocpp2.0.1, announced on ocpp.v201.events only', async () => {
      const c = await connect('CS-NEG-BOTH', ['ocpp1.6', 'ocpp2.0.1']);
      expect(c.ws.protocol).toBe('ocpp2.0.1');
      const connected = await v201.waitFor<ChargerConnected>(
        (e) => e.type === 'ChargerConnected' && e.subject === 'CS-NEG-BOTH',
      );
      expect(connected.data).toMatchObject({ protocol: 'ocpp2.0.1', evseIds: { '1': 'DE*2GO*E201*1' } });
      await c.close(1000, 'bye');
      const gone = await v201.waitFor<{ reason: string }>(
        (e) => e.type === 'ChargerDisconnected' && e.subject === 'CS-NEG-BOTH',
      );
      expect(gone.data.reason).toBe('closed-by-charger');
      expect(v16.records.filter((r) => r.key === 'CS-NEG-BOTH')).toEqual([]);
    });

    it('gives a station offering one protocol that one, whatever is preferred', async () => {
      const only16 = await connect('CS-NEG-16', ['ocpp1.6']);
      const only201 = await connect('CS-NEG-201', ['ocpp2.0.1']);
      expect(only16.ws.protocol).toBe('ocpp1.6');
      expect(only201.ws.protocol).toBe('ocpp2.0.1');
      const connected16 = await v16.waitFor<ChargerConnected>(
        (e) => e.type === 'ChargerConnected' && e.subject === 'CS-NEG-16',
      );
      expect(connected16.data.protocol).toBe('ocpp1.6');
      await v201.waitFor((e) => e.type === 'ChargerConnected' && e.subject === 'CS-NEG-201');
    });

    it('reports a 2.0.1 connection replaced by a 1.6 one on ocpp.v201.events, the new one on ocpp.v16.events', async () => {
      const first = await connect('CS-SWITCH', ['ocpp2.0.1']);
      const second = await connect('CS-SWITCH', ['ocpp1.6']);
      expect((await first.closed).reason).toBe('replaced');
      expect(second.ws.protocol).toBe('ocpp1.6');
      const gone = await v201.waitFor<{ reason: string; disconnectedAt: string }>(
        (e) => e.type === 'ChargerDisconnected' && e.subject === 'CS-SWITCH',
      );
      const back = await v16.waitFor<ChargerConnected>(
        (e) => e.type === 'ChargerConnected' && e.subject === 'CS-SWITCH',
      );
      expect(gone.data.reason).toBe('replaced');
      expect(back.data.protocol).toBe('ocpp1.6');
      // Two topics, no order between them for a consumer: the times say which came last.
      expect(Date.parse(back.data.connectedAt)).toBeGreaterThanOrEqual(
        Date.parse(
          v201.matching<ChargerConnected>(
            (e) => e.type === 'ChargerConnected' && e.subject === 'CS-SWITCH',
          )[0].data.connectedAt,
        ),
      );
      expect(v201.matching((e) => e.type === 'ChargerConnected' && e.subject === 'CS-SWITCH')).toHaveLength(
        1,
      );
    });

    it('refuses a station offering neither (400)', async () => {
      await expect(connect('CS-NEG-BOTH', ['ocpp2.0', 'ocpp1.5'])).rejects.toEqual(
        new HandshakeRefusedError(400),
      );
      await expect(connect('CS-NEG-BOTH', [])).rejects.toEqual(new HandshakeRefusedError(400));
    });

    it('with OCPP_PREFERRED_PROTOCOL=ocpp1.6 gives a station offering both ocpp1.6', async () => {
      const legacy = await startGateway({
        DATABASE_URL: db.url,
        KAFKA_BROKERS: tk.brokers.join(','),
        KAFKA_TOPIC_PREFIX: tk.prefix,
        GATEWAY_ID: 'gw-201-legacy',
        OCPP_PREFERRED_PROTOCOL: 'ocpp1.6',
        OCPP_COMMANDS_ENABLED: 'false',
        OCPP_REGISTRY_ENABLED: 'false',
      });
      try {
        const c = await connect('CS-NEG-BOTH', ['ocpp2.0.1', 'ocpp1.6'], legacy.url);
        expect(c.ws.protocol).toBe('ocpp1.6');
        const connected = await v16.waitFor<ChargerConnected>(
          (e) =>
            e.type === 'ChargerConnected' &&
            e.subject === 'CS-NEG-BOTH' &&
            e.data.gatewayId === 'gw-201-legacy',
        );
        expect(connected.data.protocol).toBe('ocpp1.6');
        c.terminate();
      } finally {
        await legacy.stop();
      }
    });
  });

  describe('CALLs', () => {
    let cs: OcppClient;
    beforeAll(async () => {
      cs = await connect('CS-CALLS', ['ocpp2.0.1']);
    });

    it.each(OCPP201_INBOUND_ACTIONS.map((a) => [a]))(
      'answers a valid %s only after its record is on ocpp.v201.events, kept byte for byte',
      async (action) => {
        const payload = exampleRequests201()[action];
        const messageId = `ok-${action}`;
        const raw = `[2, "${messageId}",  "${action}",\n${JSON.stringify(payload, null, 2)}]`;
        const answer = cs.nextFrame((f) => f[1] === messageId);
        cs.sendRaw(raw);
        const frame = await answer;
        expect(frame[0]).toBe(3);
        // Publish-before-reply: the record was acknowledged before the CALLRESULT left.
        const record = await v201.waitFor<Ocpp201CallReceived>(
          (e) => e.type === 'Ocpp201CallReceived' && e.data.messageId === messageId,
          5000,
        );
        expect(record.subject).toBe('CS-CALLS');
        expect(record.data).toMatchObject({
          chargePointId: 'CS-CALLS',
          fleetId: 'fleet-a',
          action,
          payload,
          rawFrame: raw,
          gatewayId: 'gw-201',
        });
        expect(record.data.reply).toEqual(frame[2]);
      },
    );

    it("answers Authorize and TransactionEvent from the fleet's id tags, DataTransfer by vendor", async () => {
      expect(await cs.confirm('Authorize', { idToken: { idToken: 'AABBCCDD', type: 'ISO14443' } })).toEqual({
        idTokenInfo: { status: 'Accepted' },
      });
      expect(await cs.confirm('Authorize', { idToken: { idToken: 'NOT-KNOWN', type: 'ISO14443' } })).toEqual({
        idTokenInfo: { status: 'Invalid' },
      });
      const { started, updated } = exampleTransactionEvents201(new Date(), 'tx-answers');
      expect(await cs.confirm('TransactionEvent', { ...started })).toEqual({
        idTokenInfo: { status: 'Accepted' },
      });
      expect(await cs.confirm('TransactionEvent', { ...updated })).toEqual({});
      expect(await cs.confirm('DataTransfer', { vendorId: 'com.chargebill' })).toEqual({
        status: 'Accepted',
      });
      expect(await cs.confirm('DataTransfer', { vendorId: 'com.other' })).toEqual({
        status: 'UnknownVendorId',
      });
      expect(await cs.confirm('BootNotification', exampleRequests201().BootNotification)).toMatchObject({
        status: 'Accepted',
        interval: 300,
      });
    });

    it("keeps a TransactionEvent's meter values and signed meter data exactly as the station wrote them", async () => {
      const { updated } = exampleTransactionEvents201(new Date(), 'tx-exact');
      // Text a float would change: JSON.parse reads 12.3456789012345678901 as 12.345678901234567.
      const raw = JSON.stringify([2, 'exact-1', 'TransactionEvent', updated]).replace(
        '8.5',
        '12.3456789012345678901',
      );
      const answer = cs.nextFrame((f) => f[1] === 'exact-1');
      cs.sendRaw(raw);
      expect((await answer)[0]).toBe(3);
      const record = await v201.waitFor<Ocpp201CallReceived>(
        (e) => e.type === 'Ocpp201CallReceived' && e.data.messageId === 'exact-1',
      );
      expect(record.data.rawFrame).toBe(raw);
      expect(record.data.rawFrame).toContain('"value":12.3456789012345678901');
      expect(record.data.rawFrame).toContain('"signedMeterData":"AP///////wEAAAABAAAAGgAAAGm2o0oAAAAAAAAA"');
    });
  });

  describe('malformed 2.0.1 CALLs', () => {
    let cs: OcppClient;
    /** The code of every CALLERROR the station got. */
    const codes: unknown[] = [];
    beforeAll(async () => {
      cs = await connect('CS-BAD', ['ocpp2.0.1']);
      cs.ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as unknown[];
        if (frame[0] === 4) codes.push(frame[2]);
      });
    });

    const now = new Date().toISOString();
    const status = { timestamp: now, connectorStatus: 'Available', evseId: 1, connectorId: 1 };
    const { started } = exampleTransactionEvents201(new Date(), 'tx-bad');
    const { transactionInfo: _omitted, ...startedWithoutInfo } = started;
    /** [what is wrong, the frame as sent, the message id the answer carries, its 2.0.1 code] */
    const TABLE: Array<[string, string | Buffer, string, string]> = [
      ['not JSON', 'hello', '-1', 'RpcFrameworkError'],
      ['truncated JSON', '[2, "t-1", "Heartbeat"', '-1', 'RpcFrameworkError'],
      ['not UTF-8 text', Buffer.from([0xff, 0x00, 0xfe]), '-1', 'RpcFrameworkError'],
      ['an object, not an array', '{"messageId":"o-1"}', '-1', 'RpcFrameworkError'],
      ['an empty array', '[]', '-1', 'RpcFrameworkError'],
      ['no MessageTypeId', '["x", "m-1", "Heartbeat", {}]', '-1', 'RpcFrameworkError'],
      ['a message id that is no string', '[2, 7, "Heartbeat", {}]', '-1', 'RpcFrameworkError'],
      ['an empty message id', '[2, "", "Heartbeat", {}]', '-1', 'RpcFrameworkError'],
      [
        'a message id longer than 36',
        JSON.stringify([2, 'i'.repeat(37), 'Heartbeat', {}]),
        'i'.repeat(37),
        'RpcFrameworkError',
      ],
      ['no action', '[2, "na-1", 5, {}]', 'na-1', 'RpcFrameworkError'],
      ['no payload', '[2, "np-1", "Heartbeat"]', 'np-1', 'RpcFrameworkError'],
      ['a fifth element', '[2, "fe-1", "Heartbeat", {}, {}]', 'fe-1', 'RpcFrameworkError'],
      ['an unknown MessageTypeId', '[7, "mt-1", "Heartbeat", {}]', 'mt-1', 'MessageTypeNotSupported'],
      ['a payload that is an array', '[2, "pa-1", "Heartbeat", []]', 'pa-1', 'FormatViolation'],
      ['a payload that is a string', '[2, "ps-1", "Heartbeat", "{}"]', 'ps-1', 'FormatViolation'],
      ['an action 2.0.1 does not define', '[2, "ua-1", "MakeCoffee", {}]', 'ua-1', 'NotImplemented'],
      [
        'a 1.6-only action',
        JSON.stringify([2, 'v16-1', 'StartTransaction', { connectorId: 1 }]),
        'v16-1',
        'NotImplemented',
      ],
      [
        'a CSMS-only action',
        JSON.stringify([
          2,
          'cs-1',
          'RequestStartTransaction',
          { idToken: { idToken: 'A', type: 'Central' }, remoteStartId: 1 },
        ]),
        'cs-1',
        'NotSupported',
      ],
      [
        'a missing required field',
        JSON.stringify([2, 'rq-1', 'Authorize', {}]),
        'rq-1',
        'OccurrenceConstraintViolation',
      ],
      [
        'a TransactionEvent without transactionInfo',
        JSON.stringify([2, 'rq-2', 'TransactionEvent', startedWithoutInfo]),
        'rq-2',
        'OccurrenceConstraintViolation',
      ],
      [
        'a field the schema does not have',
        JSON.stringify([2, 'ex-1', 'Heartbeat', { beat: 1 }]),
        'ex-1',
        'OccurrenceConstraintViolation',
      ],
      [
        'a wrong type',
        JSON.stringify([2, 'ty-1', 'StatusNotification', { ...status, evseId: '1' }]),
        'ty-1',
        'TypeConstraintViolation',
      ],
      [
        'a timestamp that is no date-time',
        JSON.stringify([2, 'dt-1', 'StatusNotification', { ...status, timestamp: 'yesterday' }]),
        'dt-1',
        'TypeConstraintViolation',
      ],
      [
        'a value outside the enum',
        JSON.stringify([2, 'en-1', 'StatusNotification', { ...status, connectorStatus: 'Happy' }]),
        'en-1',
        'PropertyConstraintViolation',
      ],
      [
        'a string longer than allowed',
        JSON.stringify([2, 'ln-1', 'Authorize', { idToken: { idToken: 'T'.repeat(37), type: 'ISO14443' } }]),
        'ln-1',
        'PropertyConstraintViolation',
      ],
      [
        'an integer beyond 32 bits',
        JSON.stringify([2, 'in-1', 'StatusNotification', { ...status, evseId: 2 ** 31 }]),
        'in-1',
        'PropertyConstraintViolation',
      ],
      [
        'an idToken type outside the enum',
        JSON.stringify([
          2,
          'en-2',
          'TransactionEvent',
          { ...started, idToken: { idToken: 'A', type: 'Badge' } },
        ]),
        'en-2',
        'PropertyConstraintViolation',
      ],
    ];

    it.each(TABLE)(
      'answers a CALL with %s by its 2.0.1 CALLERROR, publishes nothing, stays connected',
      async (_what, sent, answerId, code) => {
        const answer = cs.nextFrame((f) => f[0] === 4 && f[1] === answerId);
        cs.sendRaw(sent);
        expect(await answer).toEqual([4, answerId, code, expect.any(String), expect.any(Object)]);
        // Still served: a valid CALL right after gets its CALLRESULT on the same connection.
        expect(cs.isOpen).toBe(true);
        expect(await cs.confirm('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });
        if (answerId !== '-1') expect(calls201(answerId)).toEqual([]);
      },
    );

    it('answered every one with a 2.0.1 code (never a 1.6 spelling) and published none of the malformed CALLs', async () => {
      await new Promise((r) => setTimeout(r, 500));
      const ids = new Set(TABLE.map(([, , id]) => id));
      expect(
        v201.matching<Ocpp201CallReceived>(
          (e) => e.type === 'Ocpp201CallReceived' && ids.has(e.data.messageId),
        ),
      ).toEqual([]);
      expect(codes.length).toBeGreaterThanOrEqual(TABLE.length);
      expect(codes.filter((c) => !(OCPP201_ERROR_CODES as readonly unknown[]).includes(c))).toEqual([]);
    });

    it('refuses a CALL whose message id is already in progress with GenericError, publishing it once', async () => {
      const frame = JSON.stringify([2, 'dup-201', 'StatusNotification', status]);
      const answers: unknown[][] = [];
      const both = new Promise<void>((resolve) => {
        const take = () =>
          cs
            .nextFrame((f) => f[1] === 'dup-201')
            .then((f) => {
              answers.push(f);
              if (answers.length === 2) resolve();
              else void take();
            });
        void take();
      });
      cs.sendRaw(frame);
      cs.sendRaw(frame);
      await both;
      expect(answers.map((f) => f[0]).sort()).toEqual([3, 4]);
      expect(answers.find((f) => f[0] === 4)?.[2]).toBe('GenericError');
      await new Promise((r) => setTimeout(r, 500));
      expect(calls201('dup-201')).toHaveLength(1);
    });
  });

  describe('commands', () => {
    let cs: OcppClient;
    let cp16: OcppClient;
    /** Every frame the station received, as text. */
    const wire: string[] = [];
    const received: Array<{ action: string; payload: Record<string, unknown> }> = [];

    beforeAll(async () => {
      cs = await connect('CS-CMD', ['ocpp2.0.1']);
      cs.ws.on('message', (data) => wire.push(data.toString()));
      cs.onCall((action, payload) => {
        received.push({ action, payload });
        return { status: 'Accepted' };
      });
      cp16 = await connect('CP-16', ['ocpp1.6']);
      await v201.waitFor((e) => e.type === 'ChargerConnected' && e.subject === 'CS-CMD');
    });

    it('round-trips RequestStartTransaction through ocpp.v201.commands, and the station may use the idToken', async () => {
      const payload = { idToken: { idToken: 'REMOTE-201', type: 'Central' }, evseId: 1, remoteStartId: 4711 };
      const result = await sendCommand(
        publisher,
        results201,
        tk.prefix,
        { chargePointId: 'CS-CMD', action: 'RequestStartTransaction', payload, sessionId: 'sess-201' },
        'ocpp2.0.1',
      );
      expect(result).toMatchObject({
        outcome: 'Result',
        action: 'RequestStartTransaction',
        payload: { status: 'Accepted' },
        sessionId: 'sess-201',
        gatewayId: 'gw-201',
      });
      expect(received).toContainEqual({ action: 'RequestStartTransaction', payload });
      // Granted: the tag is in no fleet's list, yet the station's Authorize for it is Accepted.
      expect(await cs.confirm('Authorize', { idToken: { idToken: 'REMOTE-201', type: 'Central' } })).toEqual({
        idTokenInfo: { status: 'Accepted' },
      });
      expect(
        results16.matching((e) => (e.data as AnyOcppCommandResult).commandId === result.commandId),
      ).toEqual([]);
    });

    it('writes CostUpdated totalCost on the wire as the exact decimal text it came with', async () => {
      const totalCost = '12345.6789012345678901';
      const result = await sendCommand(
        publisher,
        results201,
        tk.prefix,
        {
          chargePointId: 'CS-CMD',
          action: 'CostUpdated',
          payload: { totalCost, transactionId: 'tx-cost-1' },
        },
        'ocpp2.0.1',
      );
      expect(result).toMatchObject({ outcome: 'Result', action: 'CostUpdated' });
      const frame = wire.find((f) => f.includes('"CostUpdated"'));
      expect(frame).toBe(
        `[2,"${result.commandId}","CostUpdated",{"totalCost":12345.6789012345678901,"transactionId":"tx-cost-1"}]`,
      );
    });

    it('refuses a CostUpdated whose totalCost is no decimal string, without sending it', async () => {
      const before = wire.length;
      const result = await sendCommand(
        publisher,
        results201,
        tk.prefix,
        {
          chargePointId: 'CS-CMD',
          action: 'CostUpdated',
          payload: { totalCost: '12,34', transactionId: 'tx-cost-2' },
        },
        'ocpp2.0.1',
      );
      expect(result).toMatchObject({ outcome: 'Error', error: { code: 'PropertyConstraintViolation' } });
      expect(wire.slice(before).filter((f) => f.includes('CostUpdated'))).toEqual([]);
    });

    it("answers a command of the other protocol NotSupported on the command's own results topic", async () => {
      const to201 = await sendCommand(publisher, results16, tk.prefix, {
        chargePointId: 'CS-CMD',
        action: 'Reset',
        payload: { type: 'Soft' },
      });
      expect(to201).toMatchObject({
        outcome: 'Error',
        error: { code: 'NotSupported', description: 'the charger is connected with ocpp2.0.1' },
      });
      const to16 = await sendCommand(
        publisher,
        results201,
        tk.prefix,
        { chargePointId: 'CP-16', action: 'Reset', payload: { type: 'Immediate' } },
        'ocpp2.0.1',
      );
      expect(to16).toMatchObject({
        outcome: 'Error',
        error: { code: 'NotSupported', description: 'the charger is connected with ocpp1.6' },
      });
      expect(received.filter((c) => c.action === 'Reset')).toEqual([]);
      expect(cp16.isOpen).toBe(true);
    });

    it('reports a 2.0.1 command for a station no replica holds Offline on ocpp.v201.command-results', async () => {
      const result = await sendCommand(
        publisher,
        results201,
        tk.prefix,
        { chargePointId: 'CS-NOWHERE', action: 'Reset', payload: { type: 'Immediate' } },
        'ocpp2.0.1',
      );
      expect(result).toMatchObject({ outcome: 'Offline', action: 'Reset' });
    });

    it("reports the station's CALLERROR in 2.0.1 spelling, whatever spelling it used", async () => {
      const station = await connect('CS-ERR', ['ocpp2.0.1']);
      station.onCall(() => new Promise(() => undefined)); // answered below, by hand
      station.ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as unknown[];
        if (frame[0] === 2)
          station.sendRaw(JSON.stringify([4, frame[1], 'FormationViolation', 'no thanks', {}]));
      });
      await v201.waitFor((e) => e.type === 'ChargerConnected' && e.subject === 'CS-ERR');
      const result = await sendCommand(
        publisher,
        results201,
        tk.prefix,
        { chargePointId: 'CS-ERR', action: 'Reset', payload: { type: 'OnIdle' } },
        'ocpp2.0.1',
      );
      expect(result).toMatchObject({
        outcome: 'Error',
        error: { code: 'FormatViolation', description: 'no thanks' },
      });
    });
  });

  describe('topics', () => {
    it("no 2.0.1 station's record is on ocpp.v16.events; every record matches the JSON schema of its type", async () => {
      await new Promise((r) => setTimeout(r, 500));
      const stations201 = new Set(['CS-CALLS', 'CS-BAD', 'CS-CMD', 'CS-ERR', 'CS-NEG-201']);
      expect(v16.records.filter((r) => stations201.has(r.key)).map((r) => r.envelope.type)).toEqual([]);
      expect(v201.records.filter((r) => r.key === 'CP-16' || r.key === 'CS-NEG-16')).toEqual([]);
      const validate = createEnvelopeValidator();
      const all = [...v16.records, ...v201.records, ...results16.records, ...results201.records];
      expect(v201.records.length).toBeGreaterThan(40);
      const problems = all.flatMap((r) => validate(r.envelope).map((p) => `${r.envelope.type} ${p}`));
      expect(problems).toEqual([]);
    });
  });
});
