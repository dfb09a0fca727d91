import { randomUUID } from 'node:crypto';
import { keysPerRole, provisionApiKeys } from '@app/auth/testing';
import { makeEnvelope, SESSION_EVENT_SCHEMAS, topicName, type SessionCompleted } from '@app/contracts';
import { KafkaPublisher } from '@app/kafka';
import {
  http,
  startBilling,
  waitFor,
  type RunningBilling,
} from '../../apps/billing-service/test/billing-app';
import { TARIFF_D } from '@app/testing/fixtures';

/**
 * The attacks of issue 10's first paragraph, each replayed against the running billing-service:
 * without a credential (what an attacker on the network has) and with credentials of the wrong
 * role. On the main before the access model each of these requests succeeded.
 */
describe('billing API attacks (real Kafka + Postgres)', () => {
  let b: RunningBilling;
  let publisher: KafkaPublisher;
  const keys = keysPerRole('sk_attack', 'fleet-1');
  let chargeId: string;
  let sessionId: string;

  const asStaff = (method: string, path: string, body?: unknown) => http(method, b.url + path, body);
  const billOf = async () => (await asStaff('GET', `/v1/charges?session_id=${sessionId}`)).body.charges;

  beforeAll(async () => {
    b = await startBilling('sec_attacks', { RATE_LIMIT_AUTH_FAILURES: '0' });
    await provisionApiKeys(b.db.url, Object.values(keys));
    publisher = new KafkaPublisher(b.kafka.kafka);
    await publisher.connect();
    sessionId = randomUUID();
    const session: SessionCompleted = {
      sessionId,
      fleetId: 'fleet-1',
      chargePointId: 'CP1',
      connectorId: 1,
      evse: 'CP1*1',
      transactionId: 7,
      authType: 'LOCAL',
      userReference: 'driver-42',
      idTag: 'SECRET-ID-TAG-0042',
      tariff: { ...TARIFF_D },
      meterStartWh: 1000,
      meterStopWh: 9765,
      startedAt: '2024-05-01T10:00:00.000Z',
      completedAt: '2024-05-01T10:15:00.000Z',
      stopReason: 'Local',
      flags: [],
      signedMeterValues: [],
    };
    const env = makeEnvelope({
      type: 'SessionCompleted',
      source: 'session-service',
      subject: sessionId,
      schema: SESSION_EVENT_SCHEMAS.SessionCompleted,
      data: session,
    });
    await publisher.publish({
      topic: topicName('chargingSessions', b.kafka.prefix),
      key: sessionId,
      value: JSON.stringify(env),
    });
    const [charge] = await waitFor(async () => {
      const charges = await billOf();
      return charges?.length ? charges : null;
    });
    chargeId = charge.id;
    expect(charge.final_amount.gross).toBe('6.40');
  });
  afterAll(async () => {
    await publisher?.disconnect();
    await b?.stop();
  });

  const expectRefused = async (
    method: string,
    path: string,
    body: unknown,
    wrongRoles: Array<keyof typeof keys>,
  ) => {
    const anonymous = await http(method, b.url + path, body, null);
    expect({ path, status: anonymous.status, code: anonymous.body?.error?.code }).toEqual({
      path,
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    for (const role of wrongRoles) {
      const res = await http(method, b.url + path, body, keys[role].key);
      expect({ path, role, status: res.status, code: res.body?.error?.code }).toEqual({
        path,
        role,
        status: 403,
        code: 'FORBIDDEN',
      });
    }
  };

  it('a correction to 100,000,000 Wh without a finance credential is refused and books nothing', async () => {
    const attack = { reason: 'x', meter_stop: 100_000_000 };
    await expectRefused('POST', `/v1/charges/${chargeId}/corrections`, attack, [
      'fleet',
      'operator',
      'admin',
    ]);
    expect(await billOf()).toEqual([
      expect.objectContaining({
        id: chargeId,
        kind: 'CHARGE',
        final_amount: expect.objectContaining({ gross: '6.40' }),
      }),
    ]);
  });

  it('{"cancel": true} without a finance credential is refused and the bill stays', async () => {
    await expectRefused('POST', `/v1/charges/${chargeId}/corrections`, { reason: 'x', cancel: true }, [
      'fleet',
      'operator',
    ]);
    expect(await billOf()).toHaveLength(1);
  });

  it('a 99 EUR/kWh tariff without an operator credential is refused and never in force', async () => {
    const attack = {
      name: 'attack',
      effective_from: new Date().toISOString(),
      tariff: {
        kwh_price: '99',
        session_price: '0',
        time_tariffs: [],
        vat: '0.19',
        currency: 'EUR',
        max_charging_time: 4320,
      },
      assignments: [{ scope: 'CHARGE_POINT', ref: 'CP1' }],
    };
    await expectRefused('POST', '/v1/tariffs', attack, ['fleet', 'finance', 'admin']);
    await expectRefused('PUT', '/v1/tariff-assignments/CHARGE_POINT/CP1', { tariff_id: randomUUID() }, [
      'fleet',
      'finance',
    ]);
    const tariffs = (await asStaff('GET', '/v1/tariffs')).body.tariffs as Array<{ name: string }>;
    expect(tariffs.map((t) => t.name)).not.toContain('attack');
    expect((await asStaff('GET', '/v1/tariffs/resolve?fleet_id=fleet-1&charge_point_id=CP1')).status).toBe(
      404,
    );
  });

  it("every fleet's charges with their id tags are not exported without a finance credential", async () => {
    // Exports select by booking time: the charge was booked just now.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const range = `from=${day(-1)}&to=${day(1)}`;
    for (const format of ['csv', 'jsonl', 'ocpi-cdr']) {
      const path = `/v1/exports/charges?${range}&format=${format}`;
      const anonymous = await http('GET', b.url + path, undefined, null);
      expect(anonymous.status).toBe(401);
      expect(anonymous.text).not.toContain('SECRET-ID-TAG-0042');
      await expectRefused('GET', path, undefined, ['fleet', 'operator', 'admin']);
    }
    await expectRefused('GET', `/v1/exports/charges/totals?${range}`, undefined, ['fleet', 'operator']);
    // The finance role gets the export, id tags included (the request above is what changed, not the export).
    const finance = await http(
      'GET',
      `${b.url}/v1/exports/charges?${range}&format=jsonl`,
      undefined,
      keys.finance.key,
    );
    expect(finance.text).toContain(sessionId);
  });
});
