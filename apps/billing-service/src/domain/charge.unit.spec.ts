import type { SessionCompleted } from '@app/contracts';
import { validateTariff } from '@app/pricing';
import {
  canonicalInputs,
  chargeForCompletedSession,
  chargeIdForSession,
  malformedSessionCompleted,
  priceInputs,
  reversalOf,
  toChargeCalculated,
} from './charge';

const session = (over: Partial<SessionCompleted> = {}): SessionCompleted => ({
  sessionId: '5b0e1f7c-1111-4222-8333-444455556666',
  fleetId: 'f1',
  chargePointId: 'CP1',
  connectorId: 1,
  evse: 'CP1*1',
  transactionId: 9,
  authType: 'LOCAL',
  userReference: null,
  idTag: 'TAG',
  tariff: {
    kwh_price: '0.88',
    session_price: '0',
    time_tariffs: [{ starting_at_minute: 45, minute_price: '0.12' }],
    vat: '0.19',
    currency: 'EUR',
    max_charging_time: 60,
  },
  meterStartWh: 100,
  meterStopWh: 15100,
  startedAt: '2024-05-01T10:00:00Z',
  completedAt: '2024-05-01T10:50:00Z',
  stopReason: 'Local',
  flags: ['INFERRED_STOP'],
  signedMeterValues: ['sig'],
  ...over,
});

describe('charges', () => {
  it('derives the same charge id for the same session, a different one for another', () => {
    expect(chargeIdForSession('a')).toBe(chargeIdForSession('a'));
    expect(chargeIdForSession('a')).not.toBe(chargeIdForSession('b'));
    expect(chargeIdForSession('a')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('keeps the charge ids it has always stored and published (never a new algorithm for old sessions)', () => {
    // A session re-billed after a restore must get the id its ChargeCalculated already carried:
    // session-service records charges by id, so a new id would be a second charge downstream.
    expect(chargeIdForSession('5b0e1f7c-1111-4222-8333-444455556666')).toBe(
      '3e518f87-6f5c-5f9a-8dba-d506044a7177',
    );
  });

  it('prices a completed session with its own tariff and keeps every input', () => {
    const r = chargeForCompletedSession(session(), 'evt-1', '2024-05-01T11:00:00.000Z');
    if (!('charge' in r)) throw new Error('expected a charge');
    expect(r.charge.finalAmount).toEqual({
      energy: '13.2000',
      session: '0.0000',
      time: '0.6000',
      net: '13.80',
      vat: '2.62',
      gross: '16.42',
      currency: 'EUR',
    });
    expect(r.charge).toMatchObject({
      energyWh: 15000,
      durationS: 3000,
      sourceEventId: 'evt-1',
      flags: ['INFERRED_STOP'],
      signedMeterValues: ['sig'],
      vatRate: '0.19',
    });
    expect(r.charge.inputs).toEqual({
      tariff: session().tariff,
      meter_start: 100,
      meter_stop: 15100,
      started_at: '2024-05-01T10:00:00Z',
      completed_at: '2024-05-01T10:50:00Z',
    });
  });

  it('flags a session billed only up to max_charging_time', () => {
    const r = chargeForCompletedSession(
      session({ completedAt: '2024-05-01T12:00:00Z' }),
      'e',
      '2024-05-01T12:00:00Z',
    );
    if (!('charge' in r)) throw new Error('expected a charge');
    expect(r.charge.durationS).toBe(3600);
    expect(r.charge.flags).toEqual(['INFERRED_STOP', 'MAX_CHARGING_TIME_REACHED']);
  });

  it('turns what cannot be billed into an anomaly', () => {
    const anomaly = (over: Partial<SessionCompleted>) => {
      const r = chargeForCompletedSession(session(over), 'e', 'now');
      return 'anomaly' in r ? r.anomaly.kind : 'CHARGE';
    };
    expect(anomaly({ tariff: null })).toBe('MISSING_TARIFF');
    expect(anomaly({ meterStopWh: 50 })).toBe('PRICING_INVALID');
    expect(anomaly({ completedAt: '2024-05-01T09:00:00Z' })).toBe('PRICING_INVALID');
    expect(anomaly({ tariff: { ...session().tariff!, currency: 'EURO' } })).toBe('INVALID_TARIFF');
    expect(malformedSessionCompleted({ ...session(), sessionId: 'x' })).toMatch(/sessionId/);
    expect(malformedSessionCompleted({ ...session(), signedMeterValues: [1] })).toMatch(/signedMeterValues/);
    expect(malformedSessionCompleted(session())).toBeNull();
  });

  it('reverses a charge with every amount and quantity negated, linked, with a reason', () => {
    const r = chargeForCompletedSession(
      session({ tariff: { ...session().tariff!, time_tariffs: [] } }),
      'e',
      't',
    );
    if (!('charge' in r)) throw new Error('expected a charge');
    const rev = reversalOf(r.charge, 'rev-1', 'wrong meter', 't2');
    expect(rev).toMatchObject({
      chargeId: 'rev-1',
      kind: 'REVERSAL',
      reversesChargeId: r.charge.chargeId,
      reason: 'wrong meter',
      energyWh: -15000,
      durationS: -3000,
    });
    expect(rev.finalAmount).toEqual({
      energy: '-13.2000',
      session: '0.0000',
      time: '0.0000',
      net: '-13.20',
      vat: '-2.51',
      gross: '-15.71',
      currency: 'EUR',
    });
    expect(toChargeCalculated(rev)).toMatchObject({
      kind: 'REVERSAL',
      reversesChargeId: r.charge.chargeId,
      reason: 'wrong meter',
    });
    expect(toChargeCalculated(r.charge)).not.toHaveProperty('reversesChargeId');
  });

  it('keeps the priced inputs in canonical form: decimal strings, RFC 3339 UTC, every digit', () => {
    const raw = {
      tariff: {
        tariff_id: 't',
        version: 2,
        kwh_price: 0.88,
        session_price: '1e-2',
        time_tariffs: [{ starting_at_minute: 0, minute_price: 0.1 }],
        vat: 0.19,
        currency: 'EUR',
        max_charging_time: 60,
      },
      meter_start: '100',
      meter_stop: 200,
      started_at: '2024-05-01T12:00:00,25+02:00',
      completed_at: '2024-05-01T10:01:00.000000001Z',
    };
    expect(canonicalInputs(raw as never)).toEqual({
      tariff: {
        tariff_id: 't',
        version: 2,
        kwh_price: '0.88',
        session_price: '0.01',
        time_tariffs: [{ starting_at_minute: 0, minute_price: '0.1' }],
        vat: '0.19',
        currency: 'EUR',
        max_charging_time: 60,
      },
      meter_start: 100,
      meter_stop: 200,
      started_at: '2024-05-01T10:00:00.25Z',
      completed_at: '2024-05-01T10:01:00.000000001Z',
    });
  });

  it('validates the tariff once per priced charge (the calculator and the canonical inputs share it)', () => {
    // Count the reads of one price: what one validation costs, then what pricing costs.
    let reads = 0;
    const tariff = {
      session_price: '1.00',
      time_tariffs: [],
      vat: '0.19',
      currency: 'EUR',
      max_charging_time: 60,
      get kwh_price() {
        reads++;
        return '0.50';
      },
    };
    validateTariff(tariff);
    const oneValidation = reads;
    expect(oneValidation).toBeGreaterThan(0);
    reads = 0;
    const priced = priceInputs({
      tariff: tariff as never,
      meter_start: 0,
      meter_stop: 8765,
      started_at: '2024-05-01T10:00:00Z',
      completed_at: '2024-05-01T10:15:00Z',
    });
    expect(priced).toMatchObject({ ok: true, finalAmount: { net: '5.38', gross: '6.40' } });
    expect(priced.ok && priced.inputs.tariff.kwh_price).toBe('0.50');
    expect(reads).toBe(oneValidation);
  });
});
