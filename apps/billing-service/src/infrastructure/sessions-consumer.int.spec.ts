import { Client } from 'pg';
import Decimal from 'decimal.js';
import {
  deadLetterTopicName,
  parseEnvelope,
  topicName,
  type ChargeCalculated,
  type SessionCompleted,
  type TariffSnapshot,
} from '@app/contracts';
import { KafkaPublisher } from '@app/kafka';
import { createEnvelopeValidator } from '@app/contracts/schemas';
import {
  sessionCompleted,
  sessionEnvelope,
  TARIFF_A,
  TARIFF_A_AS_NUMBERS,
  TARIFF_D,
} from '@app/testing/fixtures';
import { http, readTopicUntil, startBilling, waitFor, type RunningBilling } from '../../test/billing-app';

const base = { session_price: '0', time_tariffs: [], vat: '0.19', currency: 'EUR', max_charging_time: 4320 };
const TARIFFS: Record<string, TariffSnapshot> = {
  // A JSON number, as a pump-shaped producer may send it: billing stores it as a decimal string.
  A: {
    ...TARIFF_A,
    tariff_id: 'A',
    version: 1,
    kwh_price: TARIFF_A_AS_NUMBERS.kwh_price as unknown as string,
  },
  B: {
    ...base,
    kwh_price: '0.59',
    time_tariffs: [
      { starting_at_minute: 30, minute_price: '0.05' },
      { starting_at_minute: 60, minute_price: '0.10' },
      { starting_at_minute: 240, minute_price: '0.20' },
    ],
  },
  C: {
    ...base,
    kwh_price: '0.56',
    session_price: '0.56',
    time_tariffs: [{ starting_at_minute: 180, minute_price: '0.95' }],
  },
  D: { ...TARIFF_D },
};

// ARCHITECTURE.md "Pricing", worked examples: tariff, Wh, seconds → energy, session, time, net, vat, gross.
const EXAMPLES: Array<[string, number, number, string, string, string, string, string, string]> = [
  ['A', 15000, 3000, '13.2000', '0.0000', '0.6000', '13.80', '2.62', '16.42'],
  ['A', 12345, 2745, '10.8636', '0.0000', '0.0900', '10.95', '2.08', '13.03'],
  ['B', 30000, 16200, '17.7000', '0.0000', '25.5000', '43.20', '8.21', '51.41'],
  ['C', 0, 12000, '0.0000', '0.0000', '19.0000', '19.00', '3.61', '22.61'],
  ['D', 8765, 900, '4.3825', '1.0000', '0.0000', '5.38', '1.02', '6.40'],
];

function completed(
  tariff: TariffSnapshot | null,
  wh: number,
  seconds: number,
  over: Partial<SessionCompleted> = {},
): SessionCompleted {
  const start = Date.parse('2024-05-01T10:00:00Z');
  return sessionCompleted({
    transactionId: 42,
    tariff,
    meterStartWh: 1000,
    meterStopWh: 1000 + wh,
    startedAt: new Date(start).toISOString(),
    completedAt: new Date(start + seconds * 1000).toISOString(),
    signedMeterValues: ['<?xml version="1.0"?><signedMeterValue>OCMF|{...}|{...}</signedMeterValue>'],
    ...over,
  });
}

const envelope = sessionEnvelope;

describe('billing consumes charging.sessions.v1 (real Kafka + Postgres)', () => {
  let b: RunningBilling;
  let publisher: KafkaPublisher;
  let db: Client;

  beforeAll(async () => {
    b = await startBilling('billing_consumer');
    publisher = new KafkaPublisher(b.kafka.kafka);
    await publisher.connect();
    db = new Client({ connectionString: b.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await publisher.disconnect();
    await b.stop();
  });

  const send = (env: ReturnType<typeof envelope>) =>
    publisher.publish({
      topic: topicName('chargingSessions', b.kafka.prefix),
      key: env.subject,
      value: JSON.stringify(env),
    });

  it('prices the worked examples through the running service, bills a redelivered session once, and books anomalies', async () => {
    const sessions = EXAMPLES.map(([t, wh, s]) => completed(TARIFFS[t], wh, s));
    const envelopes = sessions.map((s) => envelope('SessionCompleted', s));
    for (const e of envelopes) await send(e);
    // Redelivery: the same record again, and the same session under a new envelope id.
    await send(envelopes[0]);
    await send(envelope('SessionCompleted', sessions[1]));
    // Not billable: INVALID, no tariff, meter went backwards, bad tariff, unreadable.
    const invalidated = {
      ...completed(TARIFFS.A, 0, 60),
      reason: 'meterStop < meterStart',
      invalidatedAt: new Date().toISOString(),
    };
    await send(envelope('SessionInvalidated', invalidated));
    await send(envelope('SessionCompleted', completed(null, 1000, 60)));
    await send(envelope('SessionCompleted', completed(TARIFFS.A, 1000, 60, { meterStopWh: 500 })));
    await send(envelope('SessionCompleted', completed({ ...TARIFFS.D, vat: '1.5' }, 1000, 60)));
    await publisher.publish({
      topic: topicName('chargingSessions', b.kafka.prefix),
      key: 'x',
      value: 'not json',
    });
    // A charger clock's own spelling (comma, offset, nanoseconds) is billed, its instant kept exactly; a year Postgres cannot store is an anomaly.
    const odd = completed(TARIFFS.D, 1000, 0, {
      startedAt: '2024-05-01T12:00:00,5+02:00',
      completedAt: '2024-05-01T10:15:00.123456789Z',
    });
    await send(envelope('SessionCompleted', odd));
    await send(
      envelope(
        'SessionCompleted',
        completed(TARIFFS.D, 1000, 0, {
          startedAt: '0000-01-01T00:00:00Z',
          completedAt: '0000-01-01T00:10:00Z',
        }),
      ),
    );

    await waitFor(async () => (await db.query('select count(*)::int as n from anomalies')).rows[0].n === 6);
    await waitFor(async () => (await db.query('select count(*)::int as n from charges')).rows[0].n === 6);
    const oddRow = await db.query(
      `select duration_s::int, started_at = '2024-05-01T10:00:00.5Z' as exact, inputs->>'started_at' as raw from charges where session_id = $1`,
      [odd.sessionId],
    );
    expect(oddRow.rows[0]).toEqual({ duration_s: 899, exact: true, raw: '2024-05-01T10:00:00.5Z' });
    const oddInputs = await db.query(
      `select inputs->>'completed_at' as c from charges where session_id = $1`,
      [odd.sessionId],
    );
    expect(oddInputs.rows[0].c).toBe('2024-05-01T10:15:00.123456789Z'); // every digit kept
    const { rows } = await db.query(
      `select session_id, kind, energy_wh::int, duration_s::int, energy_amount::text, session_amount::text, time_amount::text,
              net::text, vat::text, gross::text, currency, signed_meter_values, inputs from charges where session_id <> $1 order by seq`,
      [odd.sessionId],
    );
    expect(rows).toHaveLength(5);
    EXAMPLES.forEach(([, wh, s, energy, session, time, net, vat, gross], i) => {
      const row = rows.find((r) => r.session_id === sessions[i].sessionId);
      expect(row).toMatchObject({
        kind: 'CHARGE',
        energy_wh: wh,
        duration_s: s,
        energy_amount: energy,
        session_amount: session,
        time_amount: time,
        net,
        vat,
        gross,
        currency: 'EUR',
      });
      expect(row.signed_meter_values).toEqual(sessions[i].signedMeterValues);
      // The inputs in canonical form: prices as decimal strings (A's 0.88 arrived as a JSON number), RFC 3339 UTC.
      const tariff = { ...sessions[i].tariff!, kwh_price: String(sessions[i].tariff!.kwh_price) };
      expect(row.inputs).toEqual({
        tariff,
        meter_start: 1000,
        meter_stop: 1000 + wh,
        started_at: sessions[i].startedAt.replace('.000Z', 'Z'),
        completed_at: sessions[i].completedAt.replace('.000Z', 'Z'),
      });
    });
    const anomalies = (await db.query('select kind from anomalies order by kind')).rows.map((r) => r.kind);
    expect(anomalies).toEqual([
      'INVALID_TARIFF',
      'MALFORMED_EVENT',
      'MALFORMED_EVENT',
      'MISSING_TARIFF',
      'PRICING_INVALID',
      'SESSION_INVALIDATED',
    ]);
    const report = await http('GET', `${b.url}/v1/anomalies`);
    expect(
      report.body.anomalies.find((a: { reason: string }) => /not storable/.test(a.reason)),
    ).toMatchObject({ kind: 'MALFORMED_EVENT', fleet_id: 'fleet-1' });

    // ChargeCalculated on the topic: one per charge, the same amounts, reconciling to the cent.
    const records = await readTopicUntil(
      b.kafka,
      topicName('sessionCharges', b.kafka.prefix),
      (rs) => rs.length >= 6,
    );
    const events = records.map((r) => parseEnvelope(r.value));
    expect(events.map((e) => e.type)).toEqual(Array(6).fill('ChargeCalculated'));
    const violations = createEnvelopeValidator();
    for (const e of events) expect(violations(e)).toEqual([]); // the JSON Schema of libs/contracts
    const charges = events
      .map((e) => e.data as ChargeCalculated)
      .filter((c) => c.sessionId !== odd.sessionId);
    expect(new Set(charges.map((c) => c.sessionId))).toEqual(new Set(sessions.map((s) => s.sessionId)));
    for (const r of records)
      expect(r.key!.toString()).toBe((parseEnvelope(r.value).data as ChargeCalculated).sessionId);
    const topicGross = charges.reduce((sum, c) => sum.plus(c.finalAmount.gross), new Decimal(0));
    const dbGross = (
      await db.query('select sum(gross)::text as s from charges where session_id <> $1', [odd.sessionId])
    ).rows[0].s;
    expect(topicGross.toFixed(2)).toBe(new Decimal(dbGross).toFixed(2));
    expect(topicGross.toFixed(2)).toBe('109.87');

    // The offsets of the whole partition are stored with the effects.
    const offsets = (
      await db.query(`select sum(next_offset)::int as n from consumer_offsets where group_id = $1`, [
        `${b.kafka.prefix}billing-service.sessions`,
      ])
    ).rows[0].n;
    expect(offsets).toBe(14);
  });

  it('corrects a charge by a linked reversal and a new charge, once, with a reason', async () => {
    const session = completed(TARIFFS.D, 8765, 900);
    await send(envelope('SessionCompleted', session));
    const original = await waitFor(
      async () => (await http('GET', `${b.url}/v1/charges?session_id=${session.sessionId}`)).body.charges[0],
    );
    expect(original.final_amount.gross).toBe('6.40');

    const noReason = await http('POST', `${b.url}/v1/charges/${original.id}/corrections`, {
      tariff: { ...TARIFFS.D, kwh_price: '0.40' },
    });
    expect(noReason.status).toBe(400);
    const res = await http('POST', `${b.url}/v1/charges/${original.id}/corrections`, {
      reason: 'wrong tariff applied',
      tariff: { ...TARIFFS.D, kwh_price: '0.40' },
    });
    expect(res.status).toBe(201);
    expect(res.body.reversal).toMatchObject({
      kind: 'REVERSAL',
      reverses_charge_id: original.id,
      reason: 'wrong tariff applied',
      energy_wh: -8765,
    });
    expect(res.body.reversal.final_amount).toEqual({
      energy: '-4.3825',
      session: '-1.0000',
      time: '0.0000',
      net: '-5.38',
      vat: '-1.02',
      gross: '-6.40',
      currency: 'EUR',
    });
    // 0.40 × 8.765 = 3.5060, + 1.0000 = 4.51 net, 0.86 vat.
    expect(res.body.charge).toMatchObject({
      kind: 'CHARGE',
      replaces_charge_id: original.id,
      reason: 'wrong tariff applied',
    });
    expect(res.body.charge.final_amount).toEqual({
      energy: '3.5060',
      session: '1.0000',
      time: '0.0000',
      net: '4.51',
      vat: '0.86',
      gross: '5.37',
      currency: 'EUR',
    });

    const again = await http('POST', `${b.url}/v1/charges/${original.id}/corrections`, {
      reason: 'twice',
      cancel: true,
    });
    expect(again.status).toBe(409);
    const ofReversal = await http('POST', `${b.url}/v1/charges/${res.body.reversal.id}/corrections`, {
      reason: 'x',
      cancel: true,
    });
    expect(ofReversal.body.error.code).toBe('NOT_A_CHARGE');

    const all = (await http('GET', `${b.url}/v1/charges?session_id=${session.sessionId}`)).body.charges;
    expect(all.map((c: { kind: string }) => c.kind)).toEqual(['CHARGE', 'REVERSAL', 'CHARGE']);
    const original2 = await db.query('select gross::text from charges where charge_id = $1', [original.id]);
    expect(original2.rows[0].gross).toBe('6.40');

    const records = await readTopicUntil(
      b.kafka,
      topicName('sessionCharges', b.kafka.prefix),
      (rs) => rs.filter((r) => r.key!.toString() === session.sessionId).length >= 3,
    );
    const violations = createEnvelopeValidator();
    for (const r of records) expect(violations(parseEnvelope(r.value))).toEqual([]);
    const forSession = records
      .filter((r) => r.key!.toString() === session.sessionId)
      .map((r) => parseEnvelope(r.value).data as ChargeCalculated);
    expect(forSession.map((c) => [c.kind, c.reversesChargeId ?? null, c.replacesChargeId ?? null])).toEqual([
      ['CHARGE', null, null],
      ['REVERSAL', original.id, null],
      ['CHARGE', null, original.id],
    ]);
  });

  it('parks an envelope it must not act on in the dead-letter topic with the reason, and bills on after it', async () => {
    const before = (await db.query('select count(*)::int as n from anomalies')).rows[0].n;
    const future = {
      ...envelope('SessionCompleted', completed(TARIFFS.D, 8765, 900)),
      schema: 'charging.session-completed/v2',
    };
    const next = completed(TARIFFS.D, 8765, 900);
    await send(future);
    await send(envelope('SessionCompleted', next));

    // The record after it is billed: the partition did not stall.
    const billed = await waitFor(
      async () => (await http('GET', `${b.url}/v1/charges?session_id=${next.sessionId}`)).body.charges[0],
    );
    expect(billed.final_amount.gross).toBe('6.40');
    const [parked] = await readTopicUntil(
      b.kafka,
      deadLetterTopicName(topicName('chargingSessions', b.kafka.prefix)),
      (rs) => rs.some((r) => parseEnvelope(r.value).id === future.id),
    ).then((rs) => rs.filter((r) => parseEnvelope(r.value).id === future.id));
    expect(parked.headers!['x-dead-letter-reason']!.toString()).toBe(
      'invalid envelope: SessionCompleted with schema "charging.session-completed/v2": billing reads charging.session-completed/v1',
    );
    expect(parked.headers!['x-consumer-group']!.toString()).toBe(`${b.kafka.prefix}billing-service.sessions`);
    // Neither a charge nor an anomaly: operations' business, not finance's.
    const unbilled = (future.data as SessionCompleted).sessionId;
    expect(
      (await db.query('select count(*)::int as n from charges where session_id = $1', [unbilled])).rows[0].n,
    ).toBe(0);
    expect((await db.query('select count(*)::int as n from anomalies')).rows[0].n).toBe(before);
  });
});
