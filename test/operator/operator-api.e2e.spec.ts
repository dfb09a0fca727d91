/**
 * Issue 12, "Done when": the operator API on the real stack. The three apps run as processes with
 * production settings (no OCPP_ALLOW_UNREGISTERED: a charger needs a registered password), on
 * fresh databases and a fresh topic prefix of the real broker, with API keys for an operator and
 * two fleets; the gateway runs as two replicas on one gateway database, so "refused at once by
 * every replica" and "the replica that holds it closes it" are seen, not assumed. A simulated charger (Basic auth) is registered through the API, connects, reports
 * its boot data and connector statuses, and answers the operator's commands as scripted: Accepted,
 * a rejection, a CALLERROR, or nothing at all.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { provisionApiKeys } from '@app/auth/testing';
import { parseEnvelope, topicName, type Envelope } from '@app/contracts';
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
import { HandshakeRefusedError, OcppClient, sleep } from '@app/testing/simulator';

const OPERATOR_KEY = 'ops-e2e-operator-key-0123456789';
const FLEET_A = 'ops-fleet-a';
const FLEET_B = 'ops-fleet-b';
const FLEET_A_KEY = 'ops-e2e-fleet-a-key-0123456789';
const FLEET_B_KEY = 'ops-e2e-fleet-b-key-0123456789';
const GATEWAY_ID = 'ops-gw-1';
/** A second gateway replica on the same gateway database (the registry copy every replica reads). */
const GATEWAY_2_ID = 'ops-gw-2';
/** session-service's command wait in this test (504 CHARGER_TIMEOUT after it). */
const COMMAND_WAIT_SECONDS = 3;

const suffix = randomUUID().slice(0, 8).toUpperCase();
const CP = `OPS-${suffix}-1`;
const CP_B = `OPS-${suffix}-B`;
const CP_B_PASSWORD = 'fleet-b-charger-password-0001';
const EVSE_1 = `DE*OPS*E${suffix}*1`;
const EVSE_2 = `DE*OPS*E${suffix}*2`;
const EVSE_1_NEW = `DE*OPS*E${suffix}*1N`;

const BOOT = {
  chargePointVendor: 'ChargeBill',
  chargePointModel: 'OpsSim-22',
  chargePointSerialNumber: `CPS-${suffix}`,
  chargeBoxSerialNumber: `CBS-${suffix}`,
  firmwareVersion: '2.4.1-ops',
  iccid: '8949020000001234567',
  imsi: '262011234567890',
  meterType: 'EM340',
  meterSerialNumber: `MTR-${suffix}`,
};

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

interface ChargerView {
  id: string;
  fleet: string;
  active: boolean;
  online: boolean;
  online_since: string | null;
  last_message_at: string | null;
  gateway_id: string | null;
  protocol: string;
  boot: Record<string, string | null> | null;
  connectors: Array<{
    connector_id: number;
    evse_id: string | null;
    status: string | null;
    error_code: string | null;
    info: string | null;
    vendor_id: string | null;
    vendor_error_code: string | null;
    since: string | null;
    session_id: string | null;
  }>;
  firmware: { status: string; at: string } | null;
  diagnostics: { status: string; at: string } | null;
  created_at: string;
  updated_at: string;
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

describe('operator API on the real stack (issue 12)', () => {
  const procs: AppProcess[] = [];
  const dbs: TestDatabase[] = [];
  let tk: TestKafka;
  let access: TestDatabase;
  let gatewayUrl: string;
  let gateway2Url: string;
  let sessions: string;
  let charger: ScriptedCharger;
  let password: string;
  const tags = new Map<string, number>(); // fleet A's tags → their registry version
  const dumpLogs = () => procs.map((p) => `--- ${p.name} ---\n${p.output().slice(-6000)}`).join('\n');

  async function api(method: string, path: string, key: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`${sessions}${path}`, {
      method,
      headers: {
        'x-api-key': key,
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

  const getCharger = (id: string, key = OPERATOR_KEY) =>
    api('GET', `/v1/chargers/${encodeURIComponent(id)}`, key);
  const command = (action: string, payload: unknown, id = CP, key = OPERATOR_KEY) =>
    api('POST', `/v1/chargers/${encodeURIComponent(id)}/commands/${action}`, key, payload);

  /** Polls `GET path` until `pick` returns something; on a timeout the error shows the last answer. */
  async function apiWhen<T>(
    what: string,
    path: string,
    key: string,
    pick: (body: any) => T | null | undefined, // eslint-disable-line @typescript-eslint/no-explicit-any
    timeoutMs = 20_000,
  ): Promise<T> {
    let last: Answer | undefined;
    try {
      return await poll(what, timeoutMs, async () => {
        last = await api('GET', path, key);
        return last.status === 200 ? pick(last.body) : null;
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}; last answer to GET ${path}: ${JSON.stringify(last)}`);
    }
  }

  /** The charger's view once `ready` holds for it (polled through the API). */
  function viewWhen(
    what: string,
    ready: (v: ChargerView) => boolean,
    timeoutMs = 20_000,
  ): Promise<ChargerView> {
    return apiWhen(
      what,
      `/v1/chargers/${encodeURIComponent(CP)}`,
      OPERATOR_KEY,
      (v: ChargerView) => (ready(v) ? v : null),
      timeoutMs,
    );
  }

  function newCharger(pw: string, url = gatewayUrl): ScriptedCharger {
    return new ScriptedCharger({
      url,
      chargePointId: CP,
      password: pw,
      connectors: 2,
      boot: BOOT,
      autoRunRemoteSessions: true,
      callTimeoutMs: 15_000,
    });
  }

  /** A handshake with `pw`: 'accepted' (then closed) or the HTTP status it was refused with. */
  async function handshake(pw: string, url = gatewayUrl): Promise<'accepted' | number> {
    try {
      const c = await OcppClient.connect({ url, chargePointId: CP, password: pw });
      await c.close();
      return 'accepted';
    } catch (e) {
      if (e instanceof HandshakeRefusedError) return e.status;
      throw e;
    }
  }

  async function auditRows(
    targetId: string,
  ): Promise<
    Array<{ action: string; actor_kind: string; actor_id: string; details: Record<string, unknown> | null }>
  > {
    const client = new Client({ connectionString: access.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `select action, actor_kind, actor_id, details from auth_audit_log where target_id = $1 order by seq`,
        [targetId],
      );
      return rows;
    } finally {
      await client.end();
    }
  }

  /** The first record on `topic` (read from the beginning) that `match` accepts. */
  async function firstRecord(
    topic: 'chargingSessions' | 'chargerStatus',
    what: string,
    match: (e: Envelope) => boolean,
    ms = 20_000,
  ): Promise<Envelope> {
    const consumer = tk.kafka.consumer({ groupId: `ops-e2e-read-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(topic, tk.prefix), fromBeginning: true });
    try {
      return await new Promise<Envelope>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} on ${topic} within ${ms} ms`)), ms);
        void consumer.run({
          eachMessage: async ({ message }) => {
            const e = parseEnvelope(message.value);
            if (match(e)) {
              clearTimeout(timer);
              resolve(e);
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
  }

  beforeAll(async () => {
    tk = await createTestKafka('ops');
    for (const app of APPS) {
      const db = await createTestDatabase(`ops_${app.database}`);
      dbs.push(db);
      await migrateApp(app.name, db.url);
    }
    access = await createTestDatabase('ops_access');
    dbs.push(access);
    await provisionApiKeys(access.url, [
      { key: OPERATOR_KEY, name: 'ops e2e operator', roles: ['operator'] },
      { key: FLEET_A_KEY, name: 'ops e2e fleet a', roles: ['fleet'], fleet: FLEET_A },
      { key: FLEET_B_KEY, name: 'ops e2e fleet b', roles: ['fleet'], fleet: FLEET_B },
    ]);
    const ports = await Promise.all(APPS.map(() => freePort()));
    const env = (i: number): Record<string, string> => ({
      PORT: String(ports[i]),
      DATABASE_URL: dbs[i].url,
      AUTH_DATABASE_URL: access.url,
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      CONSUMER_GROUP: `${tk.prefix}session-service`,
      GATEWAY_ID,
      COMMAND_WAIT_SECONDS: String(COMMAND_WAIT_SECONDS),
      // OPS_E2E_LOG_LEVEL=info shows the apps' logs of a failing step in more detail.
      ...(process.env.OPS_E2E_LOG_LEVEL ? { LOG_LEVEL: process.env.OPS_E2E_LOG_LEVEL } : {}),
    });
    const started = await Promise.allSettled(
      APPS.map((app, i) => startAppProcess(app.name, env(i), { readyTimeoutMs: 120_000 })),
    );
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason; // afterAll still stops the ones that started
    gatewayUrl = `ws://127.0.0.1:${procs.find((p) => p.name === 'ocpp-gateway')!.port}/ocpp`;
    const gateway2 = await startAppProcess(
      'ocpp-gateway',
      { ...env(0), PORT: String(await freePort()), GATEWAY_ID: GATEWAY_2_ID },
      { readyTimeoutMs: 120_000 },
    );
    procs.push(gateway2);
    gateway2Url = `ws://127.0.0.1:${gateway2.port}/ocpp`;
    sessions = procs.find((p) => p.name === 'session-service')!.baseUrl;
  }, 180_000);

  afterAll(async () => {
    await charger?.close().catch(() => undefined);
    const codes = await Promise.all(procs.map((p) => p.stop()));
    // OPS_E2E_KEEP_DATABASES=1 keeps them to look into after a failure.
    if (process.env.OPS_E2E_KEEP_DATABASES === '1')
      process.stderr.write(`databases kept: ${dbs.map((d) => d.url).join(' ')}\n`);
    else await Promise.all(dbs.map((d) => d.drop()));
    expect(codes).toEqual(procs.map(() => 0));
  }, 60_000);

  /** Every step builds on the previous ones (one charger's life); a failing one prints the apps' logs. */
  function step(name: string, body: () => Promise<void>): void {
    it(name, async () => {
      try {
        await body();
      } catch (e) {
        process.stderr.write(`${dumpLogs()}\n`);
        throw e;
      }
    });
  }

  step("keeps each fleet's id tags (operator writes, fleet keys cannot)", async () => {
    const put = async (tag: string, fleet: string, body: Record<string, unknown>) => {
      const res = await api('PUT', `/v1/id-tags/${tag}`, OPERATOR_KEY, { fleet, ...body });
      // New tags: 201.
      expect(res).toMatchObject({ status: 201, body: { id_tag: tag, fleet, ...body } });
      expect(Number.isSafeInteger(res.body.version) && res.body.version >= 1).toBe(true);
      return res.body.version as number;
    };
    tags.set('OPS-A1', await put('OPS-A1', FLEET_A, { status: 'Accepted' }));
    tags.set('OPS-A2', await put('OPS-A2', FLEET_A, { status: 'Blocked' }));
    tags.set(
      'OPS-A3',
      await put('OPS-A3', FLEET_A, {
        status: 'Accepted',
        expiry_date: '2030-06-30T00:00:00.000Z',
        parent_id_tag: 'OPS-A1',
      }),
    );
    await put('OPS-B1', FLEET_B, { status: 'Accepted' });
    // A fleet key may not write id tags.
    const denied = await api('PUT', '/v1/id-tags/OPS-A9', FLEET_A_KEY, {
      fleet: FLEET_A,
      status: 'Accepted',
    });
    expect(denied).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  });

  step(
    'registers a charger with a generated password (once), and refuses a second registration',
    async () => {
      const created = await api('POST', '/v1/chargers', OPERATOR_KEY, {
        id: CP,
        fleet: FLEET_A,
        generate: true,
        connectors: [
          { connector_id: 1, evse_id: EVSE_1 },
          { connector_id: 2, evse_id: EVSE_2 },
        ],
      });
      expect(created).toMatchObject({
        status: 201,
        body: {
          id: CP,
          fleet: FLEET_A,
          active: true,
          online: false,
          connectors: [
            { connector_id: 1, evse_id: EVSE_1 },
            { connector_id: 2, evse_id: EVSE_2 },
          ],
        },
      });
      password = created.body.password;
      expect(password).toMatch(/^[\x21-\x7e]{32}$/);
      // Shown once: reading the charger never shows a password.
      const read = await getCharger(CP);
      expect(read.status).toBe(200);
      expect(read.body).not.toHaveProperty('password');
      expect(JSON.stringify(read.body)).not.toContain(password);

      const again = await api('POST', '/v1/chargers', OPERATOR_KEY, {
        id: CP,
        fleet: FLEET_A,
        generate: true,
      });
      expect(again).toMatchObject({ status: 409, body: { error: { code: 'CHARGER_EXISTS' } } });
      // Another fleet's charger, with a password of its own.
      const other = await api('POST', '/v1/chargers', OPERATOR_KEY, {
        id: CP_B,
        fleet: FLEET_B,
        password: CP_B_PASSWORD,
      });
      expect(other).toMatchObject({ status: 201, body: { id: CP_B, fleet: FLEET_B } });
      expect(other.body).not.toHaveProperty('password');
      // Registering is an operator's job.
      const denied = await api('POST', '/v1/chargers', FLEET_A_KEY, {
        id: `${CP}-X`,
        fleet: FLEET_A,
        generate: true,
      });
      expect(denied).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    },
  );

  step(
    'lets the charger in with Basic auth (and no one with a wrong password); it shows online with its boot data and connector statuses',
    async () => {
      // The registry reaches the gateway through chargers.registry.v1: connect once it is there.
      charger = newCharger(password);
      await poll('the gateway to accept the registered charger', 30_000, async () => {
        try {
          await charger.connect();
          return true;
        } catch (e) {
          if (e instanceof HandshakeRefusedError && e.status === 401) return null;
          throw e;
        }
      });
      expect(charger.bootStatus).toBe('Accepted');
      expect(await handshake(`${password.slice(0, -1)}!`)).toBe(401);
      expect(charger.client.isOpen).toBe(true); // a refused stranger does not disturb it

      await charger.reportStatus(2, 'Faulted', {
        errorCode: 'GroundFailure',
        info: 'RCD tripped',
        vendorId: 'ChargeBill',
        vendorErrorCode: 'E-42',
      });
      await charger.client.confirm('FirmwareStatusNotification', { status: 'Downloading' });
      await charger.client.confirm('DiagnosticsStatusNotification', { status: 'Uploaded' });
      const view = await viewWhen(
        'the charger online with its boot data, connector 2 Faulted, firmware and diagnostics status',
        (v) =>
          v.online &&
          v.connectors.find((c) => c.connector_id === 2)?.status === 'Faulted' &&
          v.diagnostics !== null,
      );
      expect(view).toMatchObject({
        id: CP,
        fleet: FLEET_A,
        active: true,
        online: true,
        gateway_id: GATEWAY_ID,
        protocol: 'ocpp1.6',
        boot: {
          vendor: BOOT.chargePointVendor,
          model: BOOT.chargePointModel,
          charge_point_serial_number: BOOT.chargePointSerialNumber,
          charge_box_serial_number: BOOT.chargeBoxSerialNumber,
          firmware_version: BOOT.firmwareVersion,
          iccid: BOOT.iccid,
          imsi: BOOT.imsi,
          meter_type: BOOT.meterType,
          meter_serial_number: BOOT.meterSerialNumber,
        },
        firmware: { status: 'Downloading' },
        diagnostics: { status: 'Uploaded' },
      });
      expect(view.connectors).toEqual([
        {
          connector_id: 1,
          evse_id: EVSE_1,
          status: 'Available',
          error_code: 'NoError',
          info: null,
          vendor_id: null,
          vendor_error_code: null,
          since: expect.any(String),
          session_id: null,
        },
        {
          connector_id: 2,
          evse_id: EVSE_2,
          status: 'Faulted',
          error_code: 'GroundFailure',
          info: 'RCD tripped',
          vendor_id: 'ChargeBill',
          vendor_error_code: 'E-42',
          since: expect.any(String),
          session_id: null,
        },
      ]);
      const now = Date.now();
      for (const at of [view.online_since, view.last_message_at, view.boot!.booted_at, view.firmware!.at])
        expect(Math.abs(Date.parse(at!) - now)).toBeLessThan(60_000);
      expect(Date.parse(view.last_message_at!)).toBeGreaterThanOrEqual(Date.parse(view.online_since!));
      await charger.reportStatus(2, 'Available');
      await viewWhen('connector 2 Available again', (v) => v.connectors[1]?.status === 'Available');
    },
  );

  step('shows a fleet key its own chargers only; operator routes answer it 403', async () => {
    const own = await getCharger(CP, FLEET_A_KEY);
    expect(own).toMatchObject({ status: 200, body: { id: CP, fleet: FLEET_A, online: true } });
    expect(await getCharger(CP_B, FLEET_A_KEY)).toMatchObject({
      status: 404,
      body: { error: { code: 'CHARGER_NOT_FOUND' } },
    });
    expect(await getCharger(CP, FLEET_B_KEY)).toMatchObject({
      status: 404,
      body: { error: { code: 'CHARGER_NOT_FOUND' } },
    });
    expect(await getCharger(`${CP}-UNKNOWN`)).toMatchObject({
      status: 404,
      body: { error: { code: 'CHARGER_NOT_FOUND' } },
    });
    const listA = await api('GET', '/v1/chargers', FLEET_A_KEY);
    expect(listA.status).toBe(200);
    expect(listA.body.chargers.map((c: ChargerView) => c.id)).toEqual([CP]);
    const sneaky = await api('GET', `/v1/chargers?fleet=${FLEET_B}`, FLEET_A_KEY);
    expect(sneaky).toMatchObject({ status: 200, body: { chargers: [], next_cursor: null } });
    const listB = await api('GET', `/v1/chargers?fleet=${FLEET_B}`, OPERATOR_KEY);
    expect(listB.body.chargers.map((c: ChargerView) => c.id)).toEqual([CP_B]);
    const online = await api('GET', '/v1/chargers?online=true', OPERATOR_KEY);
    expect(online.body.chargers.map((c: ChargerView) => c.id)).toEqual([CP]);
    const offline = await api('GET', '/v1/chargers?online=false', OPERATOR_KEY);
    expect(offline.body.chargers.map((c: ChargerView) => c.id)).toEqual([CP_B]);

    for (const [method, path, body] of [
      ['POST', `/v1/chargers/${CP}/commands/Reset`, { type: 'Soft' }],
      ['PATCH', `/v1/chargers/${CP}`, { connectors: [{ connector_id: 1, evse_id: 'X' }] }],
      ['POST', `/v1/chargers/${CP}/password`, { generate: true }],
      ['POST', `/v1/chargers/${CP}/local-list`, {}],
      ['DELETE', `/v1/chargers/${CP}`, undefined],
    ] as const) {
      const res = await api(method, path, FLEET_A_KEY, body);
      expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({
        method,
        path,
        status: 403,
        code: 'FORBIDDEN',
      });
    }
    expect(charger.received.filter((c) => c.action === 'Reset')).toEqual([]);
  });

  step('changes an EVSE id; the next session shows it (charger-side and remote)', async () => {
    const patched = await api('PATCH', `/v1/chargers/${CP}`, OPERATOR_KEY, {
      connectors: [{ connector_id: 1, evse_id: EVSE_1_NEW }],
    });
    expect(patched.status).toBe(200);
    expect(
      patched.body.connectors.map((c: ChargerView['connectors'][number]) => [c.connector_id, c.evse_id]),
    ).toEqual([
      [1, EVSE_1_NEW],
      [2, EVSE_2],
    ]);
    // The fleet's tags are in force at the gateway (Authorize), a blocked one refused.
    await poll('OPS-A1 Accepted at Authorize', 20_000, async () => {
      const reply = await charger.client.confirm('Authorize', { idTag: 'OPS-A1' });
      return (reply.idTagInfo as { status: string }).status === 'Accepted' ? true : null;
    });
    const blocked = await charger.client.confirm('Authorize', { idTag: 'OPS-A2' });
    expect(blocked.idTagInfo).toEqual({ status: 'Blocked' });
    const child = await charger.client.confirm('Authorize', { idTag: 'OPS-A3' });
    expect(child.idTagInfo).toEqual({
      status: 'Accepted',
      expiryDate: '2030-06-30T00:00:00.000Z',
      parentIdTag: 'OPS-A1',
    });
    // Another fleet's tag is unknown here.
    const strangers = await charger.client.confirm('Authorize', { idTag: 'OPS-B1' });
    expect(strangers.idTagInfo).toEqual({ status: 'Invalid' });

    // Charger side: a driver's tag on connector 1.
    const tx = await charger.startTransaction(1, 'OPS-A1');
    const local = await apiWhen(
      'the charger-side session ACTIVE in the API',
      `/v1/sessions?charging_station=${encodeURIComponent(CP)}`,
      FLEET_A_KEY,
      (b) => b.sessions?.find((s: { status: string }) => s.status === 'ACTIVE'),
    );
    expect(local).toMatchObject({ evse: EVSE_1_NEW, charging_station: { id: CP, connector_id: 1 } });
    const busy = await viewWhen(
      'connector 1 Charging with its session',
      (v) => v.connectors[0]?.status === 'Charging' && v.connectors[0]?.session_id === local.id,
    );
    expect(busy.connectors[0]).toMatchObject({ evse_id: EVSE_1_NEW, session_id: local.id });
    await charger.stopTransaction(1, 'Local');
    expect(tx).toBeGreaterThan(0);
    await apiWhen('the charger-side session CLOSED', `/v1/sessions/${local.id}`, FLEET_A_KEY, (b) =>
      b.session?.status === 'CLOSED' ? true : null,
    );
    await viewWhen('connector 1 free again', (v) => v.connectors[0]?.status === 'Available');

    // Remote: the fleet starts on the new EVSE id; the session names it; the charger got the start.
    const remoteStart = charger.nextCall('RemoteStartTransaction');
    const started = await api('POST', '/v1/sessions/start', FLEET_A_KEY, { evse: EVSE_1_NEW });
    expect(started).toMatchObject({ status: 201, body: { session: { evse: EVSE_1_NEW } } });
    expect((await remoteStart).payload).toMatchObject({ connectorId: 1 });
    const remote = await apiWhen(
      'the remote session ACTIVE',
      `/v1/sessions/${started.body.session.id}`,
      FLEET_A_KEY,
      (b) => (b.session?.status === 'ACTIVE' ? b.session : null),
    );
    expect(remote).toMatchObject({ evse: EVSE_1_NEW, charging_station: { id: CP, connector_id: 1 } });
    const stopped = await api('POST', `/v1/sessions/${remote.id}/stop`, FLEET_A_KEY);
    expect(stopped.status).toBe(200);
    await charger.settle();
    await viewWhen(
      'connector 1 free after the remote session',
      (v) => v.connectors[0]?.status === 'Available',
    );
  });

  step('an id tag change applies at the next Authorize, on the other replica too', async () => {
    // Fleet B's charger on replica 2.
    const other = await poll('fleet B charger accepted by replica 2', 20_000, async () => {
      try {
        return await OcppClient.connect({ url: gateway2Url, chargePointId: CP_B, password: CP_B_PASSWORD });
      } catch (e) {
        if (e instanceof HandshakeRefusedError && e.status === 401) return null;
        throw e;
      }
    });
    try {
      const authorize = async (idTag: string) =>
        ((await other.confirm('Authorize', { idTag })).idTagInfo as { status: string }).status;
      expect(await authorize('OPS-B1')).toBe('Accepted');
      expect(await authorize('OPS-A1')).toBe('Invalid'); // fleet A's tag is not fleet B's
      const changed = await api('PUT', '/v1/id-tags/OPS-B1', OPERATOR_KEY, {
        fleet: FLEET_B,
        status: 'Blocked',
      });
      expect(changed).toMatchObject({
        status: 200,
        body: { id_tag: 'OPS-B1', fleet: FLEET_B, status: 'Blocked' },
      });
      await poll('OPS-B1 Blocked at the next Authorize on replica 2', 10_000, async () =>
        (await authorize('OPS-B1')) === 'Blocked' ? true : null,
      );
      // Fleet A's charger on replica 1 is unaffected.
      expect((await charger.client.confirm('Authorize', { idTag: 'OPS-A1' })).idTagInfo).toEqual({
        status: 'Accepted',
      });
    } finally {
      await other.close();
    }
  });

  step(
    'sends Reset (200 with the charger answer, audited), validates the payload, knows the 12 actions only',
    async () => {
      const reset = charger.nextCall('Reset');
      const res = await command('Reset', { type: 'Soft' });
      expect(res).toMatchObject({
        status: 200,
        body: { charger_id: CP, action: 'Reset', response: { status: 'Accepted' } },
      });
      expect(typeof res.body.command_id).toBe('string');
      expect((await reset).payload).toEqual({ type: 'Soft' });
      const audit = (await auditRows(CP)).filter((r) => r.details?.command_id === res.body.command_id);
      expect(audit.map((r) => r.action)).toEqual(['charger.command_sent', 'charger.command_answered']);

      const before = charger.received.length;
      const bad = await command('Reset', { type: 'Medium' });
      expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_COMMAND' } } });
      expect(bad.body.error.message).toContain('type');
      const missing = await command('UnlockConnector', {});
      expect(missing).toMatchObject({ status: 400, body: { error: { code: 'INVALID_COMMAND' } } });
      expect(missing.body.error.message).toContain('connectorId');
      const unknown = await command('RemoteStartTransaction', { idTag: 'OPS-A1' });
      expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_COMMAND' } } });
      await sleep(300);
      expect(charger.received.slice(before)).toEqual([]); // nothing invalid reached the charger
    },
  );

  step(
    'answers 502 for a rejected UnlockConnector and for a CALLERROR, 504 for an unanswered GetConfiguration',
    async () => {
      charger.reply('UnlockConnector', { result: { status: 'UnlockFailed' } }, 1);
      const unlock = await command('UnlockConnector', { connectorId: 2 });
      expect(unlock).toMatchObject({ status: 502, body: { error: { code: 'CHARGER_REJECTED' } } });
      expect(unlock.body.error.message).toContain('UnlockFailed');
      expect(charger.calls('UnlockConnector').at(-1)!.payload).toEqual({ connectorId: 2 });

      charger.reply(
        'DataTransfer',
        { error: { code: 'NotSupported', description: 'no vendor extensions' } },
        1,
      );
      const transfer = await command('DataTransfer', { vendorId: 'ChargeBill', messageId: 'ping' });
      expect(transfer).toMatchObject({ status: 502, body: { error: { code: 'CHARGER_ERROR' } } });
      expect(transfer.body.error.message).toContain('NotSupported');
      expect(transfer.body.error.message).toContain('no vendor extensions');

      charger.reply('GetConfiguration', { silence: true }, 1);
      const t0 = Date.now();
      const config = await command('GetConfiguration', { key: ['HeartbeatInterval'] });
      const waited = Date.now() - t0;
      expect(config).toMatchObject({ status: 504, body: { error: { code: 'CHARGER_TIMEOUT' } } });
      // Like stop: the API answers within COMMAND_WAIT_SECONDS; the charger's deadline is 1 s earlier,
      // so the gateway's Timeout (or a last-moment answer) arrives in time.
      expect(waited).toBeGreaterThanOrEqual((COMMAND_WAIT_SECONDS - 1) * 1000 - 100);
      expect(waited).toBeLessThan(COMMAND_WAIT_SECONDS * 1000 + 1000);
      expect(charger.calls('GetConfiguration').at(-1)!.payload).toEqual({ key: ['HeartbeatInterval'] });
      // Answered, GetConfiguration gives the charger's keys.
      const configuration = {
        configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
        unknownKey: [],
      };
      charger.reply('GetConfiguration', { result: configuration }, 1);
      const answered = await command('GetConfiguration', { key: ['HeartbeatInterval'] });
      expect(answered).toMatchObject({ status: 200, body: { action: 'GetConfiguration' } });
      expect(answered.body.response).toEqual(configuration);
    },
  );

  step("pushes the fleet's id tags to the charger's local list", async () => {
    charger.reply('SendLocalList', { result: { status: 'Accepted' } }, 1);
    const sent = charger.nextCall('SendLocalList');
    const res = await api('POST', `/v1/chargers/${CP}/local-list`, OPERATOR_KEY, { update_type: 'Full' });
    const listVersion = Math.max(...tags.values());
    expect(res).toMatchObject({
      status: 200,
      body: {
        charger_id: CP,
        action: 'SendLocalList',
        response: { status: 'Accepted' },
        list_version: listVersion,
        entries: 3, // fleet A's three tags, not fleet B's
      },
    });
    const { payload } = await sent;
    expect(payload).toMatchObject({ listVersion, updateType: 'Full' });
    const list = [...(payload.localAuthorizationList as Array<{ idTag: string }>)].sort((a, b) =>
      a.idTag.localeCompare(b.idTag),
    );
    expect(list).toEqual([
      { idTag: 'OPS-A1', idTagInfo: { status: 'Accepted' } },
      { idTag: 'OPS-A2', idTagInfo: { status: 'Blocked' } },
      {
        idTag: 'OPS-A3',
        idTagInfo: { status: 'Accepted', expiryDate: expect.any(String), parentIdTag: 'OPS-A1' },
      },
    ]);
    expect(
      Date.parse((list[2] as unknown as { idTagInfo: { expiryDate: string } }).idTagInfo.expiryDate),
    ).toBe(Date.parse('2030-06-30T00:00:00.000Z'));
    charger.reply('GetLocalListVersion', { result: { listVersion } }, 1);
    expect(await command('GetLocalListVersion', {})).toMatchObject({
      status: 200,
      body: { action: 'GetLocalListVersion', response: { listVersion } },
    });
  });

  step(
    'rotates the password: the connection is closed, the old one refused at once by both replicas, the new one accepted',
    async () => {
      // The charger moves to the second replica: the view names the replica that holds it.
      await charger.close();
      await viewWhen('the charger offline after leaving replica 1', (v) => !v.online);
      charger = newCharger(password, gateway2Url);
      await charger.connect();
      const moved = await viewWhen('the charger online on replica 2', (v) => v.online);
      expect(moved.gateway_id).toBe(GATEWAY_2_ID);
      const closed = charger.client.closed;
      const res = await api('POST', `/v1/chargers/${CP}/password`, OPERATOR_KEY, { generate: true });
      expect(res).toMatchObject({ status: 200, body: { id: CP, applied: true } });
      const rotated = res.body.password as string;
      expect(rotated).toMatch(/^[\x21-\x7e]{32}$/);
      expect(rotated).not.toBe(password);
      expect(await closed).toMatchObject({ code: 1008, reason: 'password-changed' });
      // applied: every gateway replica refuses the old password now, no waiting.
      expect(await handshake(password)).toBe(401);
      expect(await handshake(password, gateway2Url)).toBe(401);
      expect(await handshake(rotated, gateway2Url)).toBe('accepted');
      expect(await handshake(rotated)).toBe('accepted');
      password = rotated;
      // A password of its own choosing, too short, is refused with the field named.
      const short = await api('POST', `/v1/chargers/${CP}/password`, OPERATOR_KEY, { password: 'short' });
      expect(short.status).toBe(400);
      expect(short.body.error.message).toContain('password');
      charger = newCharger(password);
      await charger.connect();
      await viewWhen('the charger online again after the rotation', (v) => v.online);
    },
  );

  step('answers 409 for an offline charger; a remote start to it FAILS with CHARGER_OFFLINE', async () => {
    await charger.close();
    const offline = await viewWhen('the charger offline', (v) => !v.online);
    expect(offline).toMatchObject({ online: false, gateway_id: null });
    const before = charger.received.length;
    expect(await command('Reset', { type: 'Hard' })).toMatchObject({
      status: 409,
      body: { error: { code: 'CHARGER_OFFLINE' } },
    });
    const start = await api('POST', '/v1/sessions/start', FLEET_A_KEY, { evse: EVSE_1_NEW });
    expect(start).toMatchObject({ status: 201, body: { session: { evse: EVSE_1_NEW } } });
    const id = start.body.session.id as string;
    const failed = await apiWhen(
      'the remote start to the offline charger FAILED',
      `/v1/sessions/${id}`,
      FLEET_A_KEY,
      (b) => (b.session?.status === 'FAILED' ? b.session : null),
      30_000,
    );
    expect(failed).toMatchObject({ id, status: 'FAILED', failure_reason: 'CHARGER_OFFLINE' });
    const event = await firstRecord(
      'chargingSessions',
      `SessionFailed of ${id}`,
      (e) => e.type === 'SessionFailed' && e.subject === id,
    );
    expect(event.data).toMatchObject({ sessionId: id, reason: 'CHARGER_OFFLINE' });
    expect(charger.received.length).toBe(before);
  });

  step(
    'deactivates the charger: its connection is closed, a new handshake refused, its history kept',
    async () => {
      charger = newCharger(password);
      await charger.connect();
      await viewWhen('the charger online before the deactivation', (v) => v.online);
      const closed = charger.client.closed;
      const res = await api('DELETE', `/v1/chargers/${CP}`, OPERATOR_KEY);
      expect(res).toMatchObject({ status: 200, body: { id: CP, active: false } });
      expect(await closed).toMatchObject({ code: 1008, reason: 'deactivated' });
      expect(await handshake(password)).toBe(401);
      expect(await handshake(password, gateway2Url)).toBe(401);
      // Idempotent, and kept: it is still there to read, inactive; commands no longer reach it.
      expect(await api('DELETE', `/v1/chargers/${CP}`, OPERATOR_KEY)).toMatchObject({
        status: 200,
        body: { id: CP, active: false },
      });
      const view = await viewWhen('the deactivated charger offline', (v) => !v.online);
      expect(view).toMatchObject({ id: CP, fleet: FLEET_A, active: false });
      expect(await command('Reset', { type: 'Soft' })).toMatchObject({
        status: 404,
        body: { error: { code: 'CHARGER_NOT_FOUND' } },
      });
      const history = await api(
        'GET',
        `/v1/sessions?charging_station=${encodeURIComponent(CP)}`,
        FLEET_A_KEY,
      );
      expect(history.body.sessions.length).toBe(3);
      // Downstream consumers see it too: chargers.status.v1 carries its picture, inactive and offline.
      const status = await firstRecord('chargerStatus', `an inactive, offline picture of ${CP}`, (e) => {
        const d = e.data as { chargePointId?: string; active?: boolean; online?: boolean };
        return e.type === 'ChargerStatusChanged' && d.chargePointId === CP && !d.active && !d.online;
      });
      expect(status.data).toMatchObject({
        chargePointId: CP,
        fleetId: FLEET_A,
        protocol: 'ocpp1.6',
        active: false,
        online: false,
        gatewayId: null,
        boot: { vendor: BOOT.chargePointVendor, chargeBoxSerialNumber: BOOT.chargeBoxSerialNumber },
      });
      // Every registry change of the charger is audited, by the operator's key, in order.
      const changes = (await auditRows(CP)).filter((r) => !r.action.startsWith('charger.command_'));
      expect(changes.slice(0, 4).map((r) => r.action)).toEqual([
        'charger.registered',
        'charger.updated',
        'charger.password_rotated',
        'charger.deactivated',
      ]);
      expect(changes.slice(4).every((r) => r.action === 'charger.deactivated')).toBe(true);
      expect(new Set(changes.map((r) => `${r.actor_kind}:${r.actor_id}`)).size).toBe(1);
      expect(changes[0].actor_kind).toBe('api_key');
    },
  );
});
