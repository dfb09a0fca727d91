/**
 * Issue 13, "Done when": OCPP 2.0.1 on the real stack. The three apps run as processes with
 * production settings (registered chargers with passwords, no OCPP_ALLOW_UNREGISTERED) on fresh
 * databases and a fresh topic prefix of the real broker. Simulated 2.0.1 stations (and one 1.6J
 * charger) connect with Basic auth and charge:
 * - a local 2.0.1 session (Boot, StatusNotification, TransactionEvent Started / Updated / Ended)
 *   is CLOSED, priced by the calculator, on billing.session-charges.v1 and in the CSV export, with
 *   the Wh read exactly from kWh digits a double cannot hold, and CostUpdated brings the gross to
 *   the station digit for digit;
 * - a remote start and stop through the sessions API (RequestStartTransaction with remoteStartId,
 *   RequestStopTransaction with the station's transactionId);
 * - a TransactionEvent repeated with the same seqNo folds once; a gap in seqNo is flagged;
 * - a 1.6 and a 2.0.1 charger side by side in one fleet, each on its own topic.
 */
import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import type { Consumer } from 'kafkajs';
import { provisionApiKeys } from '@app/auth/testing';
import {
  ocpp201TransactionNumber,
  parseEnvelope,
  remoteStartIdOf,
  topicName,
  type ChargeCalculated,
  type Envelope,
  type SessionCompleted,
  type TopicKey,
} from '@app/contracts';
import { LosslessNumber } from '@app/ocpp';
import {
  APPS,
  createTestDatabase,
  createTestKafka,
  freePort,
  migrateApp,
  startAppProcess,
  testBrokers,
  type AppProcess,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { ScriptedCharger } from '@app/testing/operator';
import { HandshakeRefusedError, OcppClient, SimulatedCharger, sleep } from '@app/testing/simulator';
import { DEMO_TARIFF, runChargingFlow, type FlowEnv, type FlowResult } from '../../scripts/demo';

const ADMIN_KEY = 'v201-e2e-admin-key-0123456789';
const FLEET = 'v201-fleet';
const FLEET_KEY = 'v201-e2e-fleet-key-0123456789';
const GATEWAY_ID = 'v201-gw-1';
const COMMAND_WAIT_SECONDS = 10;
/** The id tag runChargingFlow's charger presents, and the one the hand-written stations use. */
const DEMO_TAG = 'DEMOTAG1';
const LOCAL_TAG = 'V201-TAG-1';

const suffix = randomUUID().slice(0, 8).toUpperCase();
const CP201 = `V201-${suffix}-A`; // local session, remote session, repeated events
const CP201_B = `V201-${suffix}-B`; // side by side with CP16
const CP16 = `V16-${suffix}`;
const EVSE = (cp: string, n: number) => `DE*V2E*E${cp.replace(/[^A-Z0-9]/g, '')}*${n}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of the APIs under test
type Json = any;

interface Answer {
  status: number;
  body: Json;
}

interface Seen {
  topic: TopicKey;
  key: string | null;
  envelope: Envelope;
}

async function poll<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    await sleep(100);
  }
}

/** decimal.js's default 20 significant digits are too few for a kWh reading with sub-Wh digits. */
const Exact = Decimal.clone({ precision: 60 });
/** Integer Wh of a kWh text, half up: the backend's reading, worked out by hand. */
const whOfKwh = (text: string) =>
  new Exact(text).times(1000).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();

describe('OCPP 2.0.1 on the real stack (issue 13)', () => {
  const procs: AppProcess[] = [];
  const dbs: TestDatabase[] = [];
  let tk: TestKafka;
  let consumer: Consumer;
  const seen: Seen[] = [];
  let gatewayUrl: string;
  let sessions: string;
  let billing: string;
  const passwords = new Map<string, string>();
  const open: Array<{ close(): Promise<unknown> }> = [];
  const dumpLogs = () => procs.map((p) => `--- ${p.name} ---\n${p.output().slice(-6000)}`).join('\n');

  async function api(
    base: string,
    method: string,
    path: string,
    key: string,
    body?: unknown,
  ): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        'x-api-key': key,
        accept: 'application/json; decimals=string',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: kept as text, so a failing expectation shows it */
    }
    return { status: res.status, body: parsed };
  }

  const sessionsApi = (method: string, path: string, key = FLEET_KEY, body?: unknown) =>
    api(sessions, method, path, key, body);

  /** GET `path` until `pick` returns something; a timeout shows the last answer. */
  async function apiWhen<T>(
    what: string,
    path: string,
    pick: (body: Json) => T | null | undefined,
    ms = 30_000,
  ) {
    let last: Answer | undefined;
    try {
      return await poll(what, ms, async () => {
        last = await sessionsApi('GET', path);
        return last.status === 200 ? pick(last.body) : null;
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}; last answer to GET ${path}: ${JSON.stringify(last)}`);
    }
  }

  const sessionWhen = (what: string, id: string, ready: (s: Json) => boolean, ms = 60_000) =>
    apiWhen(what, `/v1/sessions/${id}`, (b) => (b.session && ready(b.session) ? b.session : null), ms);

  /** The records seen so far on `topic` that `match` accepts; waits until `enough` of them. */
  function records(topic: TopicKey, match: (s: Seen) => boolean): Seen[] {
    return seen.filter((s) => s.topic === topic && match(s));
  }

  async function recordsWhen(
    what: string,
    topic: TopicKey,
    match: (s: Seen) => boolean,
    enough: (found: Seen[]) => boolean = (f) => f.length > 0,
    ms = 60_000,
  ): Promise<Seen[]> {
    return poll(`${what} on ${topic}`, ms, async () => {
      const found = records(topic, match);
      return enough(found) ? found : null;
    });
  }

  /** Every event of one session on charging.sessions.v1, once its SessionPriced is there (the last one). */
  async function sessionEvents(sessionId: string): Promise<Envelope[]> {
    await recordsWhen(`SessionPriced of ${sessionId}`, 'chargingSessions', (s) => {
      return s.envelope.subject === sessionId && s.envelope.type === 'SessionPriced';
    });
    return records('chargingSessions', (s) => s.envelope.subject === sessionId).map((s) => s.envelope);
  }

  const count = (events: Envelope[], type: string) => events.filter((e) => e.type === type).length;

  /** Connects once the gateway knows the registered charger (the registry reaches it via Kafka). */
  async function whenRegistered<T extends { close(): Promise<unknown> }>(
    connect: () => Promise<T>,
  ): Promise<T> {
    const connection = await poll('the gateway to accept the registered charger', 30_000, async () => {
      try {
        return await connect();
      } catch (e) {
        if (e instanceof HandshakeRefusedError && e.status === 401) return null;
        throw e;
      }
    });
    open.push(connection);
    return connection;
  }

  async function connected<T extends SimulatedCharger>(charger: T): Promise<T> {
    return whenRegistered(async () => {
      await charger.connect();
      return charger;
    });
  }

  /** A station written by hand (2.0.1, EVSE 1): its events exactly as a test wants them. */
  async function handStation(chargePointId: string) {
    const client = await whenRegistered(() =>
      OcppClient.connect({
        url: gatewayUrl,
        chargePointId,
        password: passwords.get(chargePointId),
        protocols: ['ocpp2.0.1'],
        exactNumbers: true,
      }),
    );
    await client.confirm('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { vendorName: 'ChargeBill', model: 'Hand-201' },
    });
    const status = (connectorStatus: string) =>
      client.confirm('StatusNotification', {
        timestamp: new Date().toISOString(),
        connectorStatus,
        evseId: 1,
        connectorId: 1,
      });
    const kwh = (text: string, context: string) => ({
      timestamp: new Date().toISOString(),
      sampledValue: [
        {
          value: new LosslessNumber(text),
          context,
          measurand: 'Energy.Active.Import.Register',
          unitOfMeasure: { unit: 'kWh' },
        },
      ],
    });
    /** One transaction's events as the station would send them, by seqNo. */
    const transaction =
      (txId: string) => (seqNo: number, eventType: string, extra: Record<string, unknown>) =>
        client.confirm('TransactionEvent', {
          eventType,
          timestamp: new Date().toISOString(),
          triggerReason:
            eventType === 'Started'
              ? 'Authorized'
              : eventType === 'Ended'
                ? 'StopAuthorized'
                : 'MeterValuePeriodic',
          seqNo,
          transactionInfo: {
            transactionId: txId,
            chargingState: eventType === 'Ended' ? 'EVConnected' : 'Charging',
          },
          ...extra,
        });

    return { client, status, kwh, transaction };
  }

  function flowEnv(chargePointId: string, protocol: FlowEnv['protocol']): FlowEnv {
    return {
      gatewayUrl,
      sessionsUrl: sessions,
      billingUrl: billing,
      apiKey: FLEET_KEY,
      adminKey: ADMIN_KEY,
      brokers: testBrokers().join(','),
      topicPrefix: tk.prefix,
      fleetId: FLEET,
      sessionsConsumerGroup: `${tk.prefix}session-service`,
      protocol,
      chargePointId,
      password: passwords.get(chargePointId)!,
    };
  }

  /** A flow's session checked against the calculator, Kafka and the CSV export. */
  function expectBilledExactly(flow: FlowResult): void {
    const { session, charge, charger, csvRow } = flow;
    const energyWh = charger.meterStop! - charger.meterStart;
    expect(energyWh).toBeGreaterThan(0);
    expect(session).toMatchObject({ status: 'CLOSED', charging_station: { id: flow.chargePointId } });
    expect(session.energy_in_kwh).toBe(Number(new Decimal(energyWh).div(1000).toString()));
    expect(charge).toMatchObject({ sessionId: session.id, kind: 'CHARGE', energyWh, fleetId: FLEET });
    expect(charge.inputs).toMatchObject({ meter_start: charger.meterStart, meter_stop: charger.meterStop });
    if (flow.quote.status !== 'PRICED') throw new Error(`calculator said ${flow.quote.reason}`);
    expect(session.final_amount).toEqual(flow.quote.final_amount);
    expect(charge.finalAmount).toEqual(flow.quote.final_amount);
    // Independent of the code under test: the energy fee from the tariff by hand.
    expect(session.final_amount!.energy).toBe(
      new Decimal(DEMO_TARIFF.kwh_price)
        .times(energyWh)
        .div(1000)
        .toDecimalPlaces(4, Decimal.ROUND_HALF_UP)
        .toFixed(4),
    );
    expect(csvRow).toMatchObject({
      charge_id: charge.chargeId,
      energy_wh: String(energyWh),
      meter_start_wh: String(charger.meterStart),
      meter_stop_wh: String(charger.meterStop),
      gross: charge.finalAmount.gross,
      transaction_id: String(charger.transactionId),
    });
  }

  beforeAll(async () => {
    tk = await createTestKafka('v201');
    consumer = tk.kafka.consumer({ groupId: `v201-e2e-reader-${randomUUID()}` });
    await consumer.connect();
    const watched: TopicKey[] = ['chargingSessions', 'sessionCharges', 'ocppEvents', 'ocppV201Events'];
    const byName = new Map(watched.map((k) => [topicName(k, tk.prefix), k]));
    await consumer.subscribe({ topics: [...byName.keys()], fromBeginning: true });
    void consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (!message.value) return;
        seen.push({
          topic: byName.get(topic)!,
          key: message.key?.toString() ?? null,
          envelope: parseEnvelope(message.value),
        });
      },
    });
    for (const app of APPS) {
      const db = await createTestDatabase(`v201_${app.database}`);
      dbs.push(db);
      await migrateApp(app.name, db.url);
    }
    const access = await createTestDatabase('v201_access');
    dbs.push(access);
    await provisionApiKeys(access.url, [
      { key: ADMIN_KEY, name: 'v201 e2e admin', roles: ['operator', 'finance', 'admin'] },
      { key: FLEET_KEY, name: 'v201 e2e fleet', roles: ['fleet'], fleet: FLEET },
    ]);
    const ports = await Promise.all(APPS.map(() => freePort()));
    const started = await Promise.allSettled(
      APPS.map((app, i) =>
        startAppProcess(
          app.name,
          {
            PORT: String(ports[i]),
            DATABASE_URL: dbs[i].url,
            AUTH_DATABASE_URL: access.url,
            KAFKA_BROKERS: testBrokers().join(','),
            KAFKA_TOPIC_PREFIX: tk.prefix,
            CONSUMER_GROUP: `${tk.prefix}session-service`,
            GATEWAY_ID,
            COMMAND_WAIT_SECONDS: String(COMMAND_WAIT_SECONDS),
            ...(process.env.V201_E2E_LOG_LEVEL ? { LOG_LEVEL: process.env.V201_E2E_LOG_LEVEL } : {}),
          },
          { readyTimeoutMs: 120_000 },
        ),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason; // afterAll still stops the ones that started
    gatewayUrl = `ws://127.0.0.1:${procs.find((p) => p.name === 'ocpp-gateway')!.port}/ocpp`;
    sessions = procs.find((p) => p.name === 'session-service')!.baseUrl;
    billing = procs.find((p) => p.name === 'billing-service')!.baseUrl;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close().catch(() => undefined)));
    await consumer?.disconnect();
    const codes = await Promise.all(procs.map((p) => p.stop()));
    if (process.env.V201_E2E_KEEP_DATABASES === '1')
      process.stderr.write(`databases kept: ${dbs.map((d) => d.url).join(' ')}\n`);
    else await Promise.all(dbs.map((d) => d.drop()));
    expect(codes).toEqual(procs.map(() => 0));
  }, 60_000);

  /** Every step builds on the previous ones; a failing one prints the apps' logs. */
  function step(name: string, body: () => Promise<void>, timeoutMs = 180_000): void {
    it(
      name,
      async () => {
        try {
          await body();
        } catch (e) {
          process.stderr.write(`${dumpLogs()}\n`);
          throw e;
        }
      },
      timeoutMs,
    );
  }

  step(
    'registers a 1.6 and two 2.0.1 chargers in one fleet, with passwords, and the fleet id tags',
    async () => {
      for (const [id, evses] of [
        [CP201, 2],
        [CP201_B, 1],
        [CP16, 1],
      ] as const) {
        const created = await api(sessions, 'POST', '/v1/chargers', ADMIN_KEY, {
          id,
          fleet: FLEET,
          generate: true,
          connectors: Array.from({ length: evses }, (_, i) => ({
            connector_id: i + 1,
            evse_id: EVSE(id, i + 1),
          })),
        });
        expect(created).toMatchObject({ status: 201, body: { id, fleet: FLEET, online: false } });
        passwords.set(id, created.body.password);
      }
      for (const tag of [DEMO_TAG, LOCAL_TAG]) {
        const put = await api(sessions, 'PUT', `/v1/id-tags/${tag}`, ADMIN_KEY, {
          fleet: FLEET,
          status: 'Accepted',
        });
        expect(put).toMatchObject({ status: 201, body: { id_tag: tag, fleet: FLEET } });
      }
      // No password, a wrong one: refused, whichever protocol is offered.
      for (const password of [undefined, 'wrong-password-000000000000']) {
        const refused = await OcppClient.connect({
          url: gatewayUrl,
          chargePointId: CP201,
          password,
          protocols: ['ocpp2.0.1'],
        }).then(
          async (c) => {
            await c.close();
            return 'accepted';
          },
          (e) => (e instanceof HandshakeRefusedError ? e.status : String(e)),
        );
        expect(refused).toBe(401);
      }
      // The station's id tags reach the gateway: Authorize (2.0.1) answers Accepted once they have.
      const probe = await connected(
        new SimulatedCharger({
          url: gatewayUrl,
          chargePointId: CP201,
          password: passwords.get(CP201),
          protocol: 'ocpp2.0.1',
          connectors: 2,
        }),
      );
      expect(probe.client.protocol).toBe('ocpp2.0.1');
      await poll('the fleet id tags at the gateway', 30_000, async () => {
        const reply = await probe.client.confirm('Authorize', {
          idToken: { idToken: DEMO_TAG, type: 'ISO14443' },
        });
        return (reply.idTokenInfo as { status: string }).status === 'Accepted' ? true : null;
      });
      const other = await probe.client.confirm('Authorize', {
        idToken: { idToken: 'NOT-A-TAG', type: 'ISO14443' },
      });
      expect((other.idTokenInfo as { status: string }).status).not.toBe('Accepted');
      await probe.close();
    },
  );

  let local: FlowResult;

  step(
    'a 2.0.1 station boots, starts locally, sends meter values, ends: CLOSED, priced, exported, CostUpdated on the station',
    async () => {
      local = await runChargingFlow(flowEnv(CP201, 'ocpp2.0.1'));
      expect(local.protocol).toBe('ocpp2.0.1');
      const record = local.charger;
      // The Wh came from kWh digits: Begin half a Wh up ("….5" → rounded up), End just under half a Wh up.
      expect(record.meterStartText).toMatch(/5$/);
      expect(record.meterStart).toBe(whOfKwh(record.meterStartText!));
      expect(record.meterStopText).toMatch(/4999999999999999999$/);
      expect(record.meterStop).toBe(whOfKwh(record.meterStopText!));
      expect(record.transactionId).toBe(ocpp201TransactionNumber(CP201, record.chargerTransactionId!));
      expect(record.transactionId).toBeGreaterThanOrEqual(2 ** 31);
      expectBilledExactly(local);
      expect(local.session.stop_reason).toBe('Local');
      expect(local.session.auth_type).toBe('LOCAL');

      // The bill on the station: CostUpdated with the gross, exactly as billing wrote it, for its transaction.
      expect(local.costUpdate).toMatchObject({
        transactionId: record.chargerTransactionId,
        totalCost: local.charge.finalAmount.gross,
      });

      // charging.sessions.v1: the station's transactionId alongside the number every consumer uses.
      const events = await sessionEvents(local.session.id);
      const completed = events.find((e) => e.type === 'SessionCompleted')!.data as SessionCompleted;
      expect(completed).toMatchObject({
        chargePointId: CP201,
        connectorId: 1,
        transactionId: record.transactionId,
        chargerTransactionId: record.chargerTransactionId,
        meterStartWh: record.meterStart,
        meterStopWh: record.meterStop,
        stopReason: 'Local',
      });
      expect(completed.flags).not.toContain('SEQ_NO_GAP');
      expect(count(events, 'SessionStarted')).toBe(1);
      expect(count(events, 'SessionCompleted')).toBe(1);
      // billing.session-charges.v1 has exactly one charge for it.
      const charges = await recordsWhen(
        'the charge',
        'sessionCharges',
        (s) =>
          s.envelope.type === 'ChargeCalculated' &&
          (s.envelope.data as ChargeCalculated).sessionId === local.session.id,
      );
      expect(charges.map((c) => (c.envelope.data as ChargeCalculated).chargeId)).toEqual([
        local.charge.chargeId,
      ]);
      // The CostUpdated command went through ocpp.v201 (recorded, answered).
      const status = await api(sessions, 'GET', `/v1/chargers/${CP201}`, ADMIN_KEY);
      expect(status).toMatchObject({ status: 200, body: { id: CP201, protocol: 'ocpp2.0.1' } });
    },
  );

  step('a remote start and stop round trip through the sessions API', async () => {
    const station = await connected(
      new ScriptedCharger({
        url: gatewayUrl,
        chargePointId: CP201,
        password: passwords.get(CP201),
        protocol: 'ocpp2.0.1',
        connectors: 2,
        initialMeterWh: 2_000_000,
        powerW: 3_600_000,
        signedMeterValues: true,
        callTimeoutMs: 15_000,
        boot201: {
          reason: 'PowerUp',
          chargingStation: { vendorName: 'ChargeBill', model: 'V201-E2E', serialNumber: `SN-${suffix}` },
        },
      }),
    );
    const startCall = station.nextCall('RequestStartTransaction');
    const started = await sessionsApi('POST', '/v1/sessions/start', FLEET_KEY, { evse: EVSE(CP201, 2) });
    expect(started).toMatchObject({
      status: 201,
      body: { session: { evse: EVSE(CP201, 2), status: 'STARTING' } },
    });
    const id = started.body.session.id as string;
    const request = await startCall;
    expect(request.payload).toMatchObject({
      evseId: 2,
      remoteStartId: remoteStartIdOf(id),
      idToken: { type: 'Central' },
    });
    const active = await sessionWhen('the remote session ACTIVE', id, (s) => s.status === 'ACTIVE');
    expect(active).toMatchObject({ auth_type: 'REMOTE', charging_station: { id: CP201, connector_id: 2 } });
    await station.settle();
    const record = station.sessions.find((s) => s.remoteStartId === remoteStartIdOf(id))!;
    expect(record).toMatchObject({
      connectorId: 2,
      idTag: (request.payload.idToken as { idToken: string }).idToken,
    });
    for (let i = 0; i < 2; i++) {
      await sleep(300);
      await station.sendMeterValues(2);
    }

    const stopCall = station.nextCall('RequestStopTransaction');
    const stopped = await sessionsApi('POST', `/v1/sessions/${id}/stop`);
    expect(stopped).toMatchObject({ status: 200, body: { session: { id } } });
    // The station ends the transaction right after accepting: the answer may already see it CLOSED.
    expect(['REMOTE_STOPPED', 'CLOSED']).toContain(stopped.body.session.status);
    expect((await stopCall).payload).toEqual({ transactionId: record.chargerTransactionId });
    await station.settle();
    const closed = await sessionWhen(
      'the remote session CLOSED and priced',
      id,
      (s) => s.status === 'CLOSED' && !!s.final_amount,
    );
    expect(closed).toMatchObject({ stop_reason: 'Remote', evse: EVSE(CP201, 2) });
    expect(closed.energy_in_kwh).toBe(
      Number(new Decimal(record.meterStop! - record.meterStart).div(1000).toString()),
    );
    // Matched through remoteStartId: no second (local) session was opened for the same transaction.
    const list = await sessionsApi('GET', `/v1/sessions?charging_station=${encodeURIComponent(CP201)}`);
    expect(list.body.sessions.filter((s: Json) => s.evse === EVSE(CP201, 2)).map((s: Json) => s.id)).toEqual([
      id,
    ]);

    const events = await sessionEvents(id);
    const completed = events.find((e) => e.type === 'SessionCompleted')!.data as SessionCompleted;
    expect(completed).toMatchObject({
      authType: 'REMOTE',
      chargerTransactionId: record.chargerTransactionId,
    });
    // Signed meter values byte for byte.
    expect(completed.signedMeterValues).toEqual(expect.arrayContaining(record.signedMeterData!));
    const priced = events.find((e) => e.type === 'SessionPriced')!.data as { finalAmount: { gross: string } };
    const cost = await station.costUpdated(record.chargerTransactionId, 60_000);
    expect(cost.totalCost).toBe(priced.finalAmount.gross);
    await station.close();
  });

  step('a TransactionEvent repeated with the same seqNo folds once; a gap in seqNo is flagged', async () => {
    const { client, status, kwh, transaction } = await handStation(CP201);
    await status('Available');
    await status('Occupied');
    const txA = randomUUID();
    const a = transaction(txA);
    await a(0, 'Started', {
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: LOCAL_TAG, type: 'ISO14443' },
      meterValue: [kwh('3000.000', 'Transaction.Begin')],
    });
    await a(1, 'Updated', { meterValue: [kwh('3000.500', 'Sample.Periodic')] });
    await a(1, 'Updated', { meterValue: [kwh('3000.500', 'Sample.Periodic')] }); // the station retried it
    await a(2, 'Updated', { meterValue: [kwh('3001.000', 'Sample.Periodic')] });
    await a(3, 'Ended', {
      meterValue: [kwh('3001.2505', 'Transaction.End')],
      transactionInfo: { transactionId: txA, stoppedReason: 'Local', chargingState: 'EVConnected' },
    });
    await a(3, 'Ended', {
      meterValue: [kwh('3001.2505', 'Transaction.End')],
      transactionInfo: { transactionId: txA, stoppedReason: 'Local', chargingState: 'EVConnected' },
    });
    await status('Available');

    const numberA = ocpp201TransactionNumber(CP201, txA);
    const completedA = await recordsWhen(
      'SessionCompleted of the repeated transaction',
      'chargingSessions',
      (s) => {
        const d = s.envelope.data as SessionCompleted;
        return s.envelope.type === 'SessionCompleted' && d.transactionId === numberA;
      },
    );
    const sessionA = (completedA[0].envelope.data as SessionCompleted).sessionId;
    const eventsA = await sessionEvents(sessionA);
    expect(count(eventsA, 'SessionStarted')).toBe(1);
    expect(count(eventsA, 'SessionCompleted')).toBe(1);
    const meterUpdates = eventsA
      .filter((e) => e.type === 'SessionMeterUpdated')
      .map((e) => (e.data as { meterWh: number }).meterWh);
    expect(meterUpdates.filter((wh) => wh === 3_000_500)).toHaveLength(1);
    expect(new Set(meterUpdates).size).toBe(meterUpdates.length);
    expect(completedA[0].envelope.data).toMatchObject({
      chargerTransactionId: txA,
      meterStartWh: 3_000_000,
      meterStopWh: 3_001_251, // 3001.2505 kWh, half up
      stopReason: 'Local',
    });
    expect((completedA[0].envelope.data as SessionCompleted).flags).not.toContain('SEQ_NO_GAP');
    const chargesA = await recordsWhen(
      'the charge',
      'sessionCharges',
      (s) =>
        s.envelope.type === 'ChargeCalculated' &&
        (s.envelope.data as ChargeCalculated).sessionId === sessionA,
    );
    expect(chargesA).toHaveLength(1);
    expect((chargesA[0].envelope.data as ChargeCalculated).energyWh).toBe(1251);
    const view = await sessionWhen('the repeated transaction CLOSED', sessionA, (s) => s.status === 'CLOSED');
    expect(view.energy_in_kwh).toBe(1.251);

    // seqNo 0, 1, 3: seqNo 2 never came.
    await status('Occupied');
    const txB = randomUUID();
    const b = transaction(txB);
    await b(0, 'Started', {
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: LOCAL_TAG, type: 'ISO14443' },
      meterValue: [kwh('3002.000', 'Transaction.Begin')],
    });
    await b(1, 'Updated', { meterValue: [kwh('3002.400', 'Sample.Periodic')] });
    await b(3, 'Ended', {
      meterValue: [kwh('3003.000', 'Transaction.End')],
      transactionInfo: { transactionId: txB, stoppedReason: 'EVDisconnected', chargingState: 'Idle' },
    });
    await status('Available');
    const numberB = ocpp201TransactionNumber(CP201, txB);
    const [completedB] = await recordsWhen(
      'SessionCompleted of the transaction with a gap',
      'chargingSessions',
      (s) => {
        return (
          s.envelope.type === 'SessionCompleted' &&
          (s.envelope.data as SessionCompleted).transactionId === numberB
        );
      },
    );
    expect(completedB.envelope.data).toMatchObject({
      chargerTransactionId: txB,
      meterStartWh: 3_002_000,
      meterStopWh: 3_003_000,
      stopReason: 'EVDisconnected',
    });
    expect((completedB.envelope.data as SessionCompleted).flags).toContain('SEQ_NO_GAP');
    await client.close();
  });

  step(
    'a transaction started by plugging in (the idToken comes in a later Updated) is closed and billed',
    async () => {
      // TxStartPoint EVConnected, the usual 2.0.1 setup: Started on the cable, Authorized afterwards.
      const { client, status, kwh, transaction } = await handStation(CP201);
      await status('Occupied');
      const txId = randomUUID();
      const tx = transaction(txId);
      await tx(0, 'Started', {
        triggerReason: 'CablePluggedIn',
        evse: { id: 1, connectorId: 1 },
        transactionInfo: { transactionId: txId, chargingState: 'EVConnected' },
        meterValue: [kwh('4000.000', 'Transaction.Begin')],
      });
      const authorized = await tx(1, 'Updated', {
        triggerReason: 'Authorized',
        idToken: { idToken: LOCAL_TAG, type: 'ISO14443' },
        meterValue: [kwh('4000.000', 'Sample.Periodic')],
      });
      expect(authorized).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
      await tx(2, 'Updated', { meterValue: [kwh('4002.000', 'Sample.Periodic')] });
      await tx(3, 'Ended', {
        meterValue: [kwh('4003.000', 'Transaction.End')],
        transactionInfo: { transactionId: txId, stoppedReason: 'EVDisconnected', chargingState: 'Idle' },
      });
      await status('Available');
      const number = ocpp201TransactionNumber(CP201, txId);
      const [completed] = await recordsWhen('its SessionCompleted', 'chargingSessions', (s) => {
        return (
          s.envelope.type === 'SessionCompleted' &&
          (s.envelope.data as SessionCompleted).transactionId === number
        );
      });
      const sessionId = (completed.envelope.data as SessionCompleted).sessionId;
      // The token the Updated brought is the session's (no token at the start: placeholder until then).
      expect(completed.envelope.data).toMatchObject({
        meterStartWh: 4_000_000,
        meterStopWh: 4_003_000,
        idTag: LOCAL_TAG,
      });
      const [charge] = await recordsWhen(
        'its charge',
        'sessionCharges',
        (s) =>
          s.envelope.type === 'ChargeCalculated' &&
          (s.envelope.data as ChargeCalculated).sessionId === sessionId,
      );
      expect((charge.envelope.data as ChargeCalculated).energyWh).toBe(3000);
      const view = await sessionWhen(
        'it CLOSED and priced',
        sessionId,
        (s) => s.status === 'CLOSED' && !!s.final_amount,
      );
      expect(view.final_amount.gross).toBe((charge.envelope.data as ChargeCalculated).finalAmount.gross);
      await client.close();
    },
  );

  step(
    'a transaction queued while the station was offline folds on reconnect: LATE_EVENTS, not CLOCK_SKEW',
    async () => {
      const { client, status, kwh, transaction } = await handStation(CP201);
      const now = Date.now();
      const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
      const txId = randomUUID();
      const tx = transaction(txId);
      const reading = (text: string, context: string, at: string) => ({
        ...kwh(text, context),
        timestamp: at,
      });
      // The station's queue, in seqNo order, each event at the time it happened.
      await tx(0, 'Started', {
        offline: true,
        timestamp: ago(20),
        evse: { id: 1, connectorId: 1 },
        idToken: { idToken: LOCAL_TAG, type: 'ISO14443' },
        meterValue: [reading('5000.000', 'Transaction.Begin', ago(20))],
      });
      await tx(1, 'Updated', {
        offline: true,
        timestamp: ago(15),
        meterValue: [reading('5004.500', 'Sample.Periodic', ago(15))],
      });
      await tx(2, 'Ended', {
        offline: true,
        timestamp: ago(10),
        meterValue: [reading('5007.125', 'Transaction.End', ago(10))],
        transactionInfo: { transactionId: txId, stoppedReason: 'Local', chargingState: 'EVConnected' },
      });
      await status('Available');
      const number = ocpp201TransactionNumber(CP201, txId);
      const [completed] = await recordsWhen('its SessionCompleted', 'chargingSessions', (s) => {
        return (
          s.envelope.type === 'SessionCompleted' &&
          (s.envelope.data as SessionCompleted).transactionId === number
        );
      });
      const data = completed.envelope.data as SessionCompleted;
      expect(data).toMatchObject({ meterStartWh: 5_000_000, meterStopWh: 5_007_125, stopReason: 'Local' });
      expect(Date.parse(data.completedAt) - Date.parse(data.startedAt)).toBe(10 * 60_000);
      expect(data.flags).toContain('LATE_EVENTS');
      expect(data.flags).not.toContain('CLOCK_SKEW');
      expect(data.flags).not.toContain('SEQ_NO_GAP');
      const view = await sessionWhen('it CLOSED', data.sessionId, (s) => s.status === 'CLOSED');
      expect(view).toMatchObject({ energy_in_kwh: 7.125, duration_in_minutes: 10 });
      await client.close();
    },
  );

  step('a 1.6 and a 2.0.1 charger side by side in one fleet, each on its own topic', async () => {
    const [v16, v201] = await Promise.all([
      runChargingFlow(flowEnv(CP16, 'ocpp1.6')),
      runChargingFlow(flowEnv(CP201_B, 'ocpp2.0.1')),
    ]);
    expect([v16.protocol, v201.protocol]).toEqual(['ocpp1.6', 'ocpp2.0.1']);
    expectBilledExactly(v16);
    expectBilledExactly(v201);
    // One tariff for the fleet, whatever the protocol.
    expect(v16.session.tariff).toEqual(v201.session.tariff);
    expect(v16.costUpdate).toBeUndefined();
    expect(v201.costUpdate).toMatchObject({ totalCost: v201.charge.finalAmount.gross });
    // The fleet's session list has both, in the same shape.
    const list = await sessionsApi('GET', '/v1/sessions?limit=100');
    const ids = list.body.sessions.map((s: Json) => s.id);
    expect(ids).toEqual(expect.arrayContaining([v16.session.id, v201.session.id, local.session.id]));
    expect(Object.keys(v16.session).sort()).toEqual(Object.keys(v201.session).sort());
    // The operator's view tells the protocols apart.
    const chargers = await api(sessions, 'GET', `/v1/chargers?fleet=${FLEET}&limit=50`, ADMIN_KEY);
    const protocols = Object.fromEntries(chargers.body.chargers.map((c: Json) => [c.id, c.protocol]));
    expect(protocols).toMatchObject({ [CP16]: 'ocpp1.6', [CP201_B]: 'ocpp2.0.1', [CP201]: 'ocpp2.0.1' });
    // Consumers of ocpp.v16.events never see a 2.0.1 record, and the other way round.
    const chargerOf = (s: Seen) => (s.envelope.data as { chargePointId?: string }).chargePointId;
    await recordsWhen('the 1.6 charger records', 'ocppEvents', (s) => chargerOf(s) === CP16);
    const on16 = records(
      'ocppEvents',
      (s) => [CP201, CP201_B].includes(chargerOf(s)!) && s.envelope.type !== 'ChargerRegistryApplied',
    );
    expect(on16.map((s) => s.envelope.type)).toEqual([]);
    const on201 = records('ocppV201Events', (s) => chargerOf(s) === CP16);
    expect(on201).toEqual([]);
    await recordsWhen(
      'the 2.0.1 station disconnected',
      'ocppV201Events',
      (s) => chargerOf(s) === CP201_B && s.envelope.type === 'ChargerDisconnected',
    );
    const v201Types = new Set(
      records('ocppV201Events', (s) => chargerOf(s) === CP201_B).map((s) => s.envelope.type),
    );
    expect(v201Types).toEqual(new Set(['ChargerConnected', 'Ocpp201CallReceived', 'ChargerDisconnected']));
    const connected = records(
      'ocppV201Events',
      (s) => chargerOf(s) === CP201_B && s.envelope.type === 'ChargerConnected',
    );
    expect(connected[0].envelope.data).toMatchObject({ protocol: 'ocpp2.0.1' });
    const connected16 = records(
      'ocppEvents',
      (s) => chargerOf(s) === CP16 && s.envelope.type === 'ChargerConnected',
    );
    expect(connected16[0].envelope.data).toMatchObject({ protocol: 'ocpp1.6' });
  });
});
