import { fold } from '../domain/session';
import { REF, requested, started, t } from '../domain/session.fixtures.spec';
import type { SessionEvent } from '../domain/session-events';
import { generateApiKey, hashApiKey } from '@app/auth';
import { remoteOutcome } from './record-command-results';
import { signature, webhookTypes } from './webhooks';
import { stringifyDecimalJson } from '@app/http/decimal-json';
import { energyWh, toPumpSession } from './session-view';

const REF42 = { ...REF, transactionId: 42 };
const meter = (wh: number, minute: number): SessionEvent => ({
  type: 'SessionMeterUpdated',
  data: { ...REF42, meterWh: wh, measuredAt: t(minute), receivedAt: t(minute) },
});
const completed = (stopWh: number, minute: number): SessionEvent => ({
  type: 'SessionCompleted',
  data: {
    ...REF42,
    authType: 'REMOTE',
    userReference: 'user-7',
    idTag: 'R1',
    tariff: null,
    meterStartWh: 1000,
    meterStopWh: stopWh,
    startedAt: t(1),
    completedAt: t(minute),
    receivedAt: t(minute),
    stopReason: 'Remote',
    flags: [],
    signedMeterValues: [],
  },
});

describe('pump session view', () => {
  it('has pump fields with unix seconds; energy from integer Wh, duration from the charger clock', () => {
    const view = toPumpSession(fold([requested, started, meter(2028, 2), completed(2028, 2.8)]));
    expect(view).toMatchObject({
      id: REF.sessionId,
      auth_type: 'REMOTE',
      status: 'CLOSED',
      created_at: Date.parse(t(0)) / 1000,
      started_at: Date.parse(t(1)) / 1000,
      completed_at: Date.parse(t(2.8)) / 1000,
      evse: REF.evse,
      user_reference: 'user-7',
      energy_in_kwh: 1.028,
      duration_in_minutes: 1.8,
      final_amount: null,
    });
    expect(view.charging_station.id).toBe(REF.chargePointId);
  });
  it('active sessions show energy so far and no duration; not-yet-started ones 0', () => {
    expect(toPumpSession(fold([requested, started, meter(1333, 5)]))).toMatchObject({
      energy_in_kwh: 0.333,
      duration_in_minutes: null,
      completed_at: null,
    });
    expect(toPumpSession(fold([requested]))).toMatchObject({
      status: 'STARTING',
      energy_in_kwh: 0,
      started_at: null,
    });
  });
  it('energy is exact for values a float sum would distort', () => {
    // 0.1 + 0.2 style: 100 Wh + 200 Wh is exactly 0.3 kWh
    const s = fold([requested, started, meter(1300, 5)]);
    expect(energyWh(s)).toBe(300);
    expect(JSON.stringify(toPumpSession(s).energy_in_kwh)).toBe('0.3');
    const big = fold([
      requested,
      { ...started, data: { ...(started.data as object), meterStartWh: 123456789 } } as SessionEvent,
      meter(123456789 + 987654, 5),
    ]);
    expect(JSON.stringify(toPumpSession(big).energy_in_kwh)).toBe('987.654');
  });
});

describe('pump money as exact JSON numbers', () => {
  const priced = {
    ...fold([requested, started, meter(2028, 2), completed(2028, 2.8)]),
    finalAmount: {
      session: '0',
      time: '0',
      energy: '0.9046',
      net: '0.9046',
      vat: '0.1719',
      gross: '1.0765',
      currency: 'EUR',
    },
  };

  it('writes tariff prices and final amounts as number tokens of the decimal text', () => {
    const json = stringifyDecimalJson({ session: toPumpSession(priced) });
    expect(json).toContain(
      '"final_amount":{"session":0,"time":0,"energy":0.9046,"net":0.9046,"vat":0.1719,"gross":1.0765,"currency":"EUR"}',
    );
    expect(json).toContain(
      '"kwh_price":0.88,"session_price":0,"time_tariffs":[{"starting_at_minute":45,"minute_price":0.12}],"vat":0.19,"currency":"EUR","max_charging_time":4320',
    );
    const parsed = JSON.parse(json).session;
    expect(parsed.tariff.kwh_price).toBe(0.88);
    expect(parsed.final_amount.energy).toBe(0.9046);
  });

  it('keeps trailing zeros and digits a float would lose', () => {
    const view = toPumpSession({
      ...priced,
      finalAmount: { ...priced.finalAmount, energy: '12345678901234567.8900' },
    });
    expect(stringifyDecimalJson(view.final_amount)).toContain('"energy":12345678901234567.8900');
  });

  it('writes the decimal strings of the contracts when asked, and under plain JSON.stringify', () => {
    const view = toPumpSession(priced);
    for (const json of [stringifyDecimalJson(view, 'string'), JSON.stringify(view)]) {
      const parsed = JSON.parse(json);
      expect(parsed.final_amount).toEqual(priced.finalAmount);
      expect(parsed.tariff).toMatchObject({ kwh_price: '0.88', vat: '0.19' });
      expect(parsed.tariff.time_tariffs[0].minute_price).toBe('0.12');
      expect(parsed.energy_in_kwh).toBe(1.028);
    }
  });
});

describe('helpers', () => {
  it('webhook types follow the transitions of a transaction, or one updated', () => {
    expect(webhookTypes(['SessionStarted', 'SessionMeterUpdated', 'SessionCompleted'])).toEqual([
      'fleet.charging_session.started',
      'fleet.charging_session.closed',
    ]);
    expect(webhookTypes(['SessionMeterUpdated', 'SessionPriced'])).toEqual([
      'fleet.charging_session.updated',
    ]);
    expect(webhookTypes(['SessionRequested'])).toEqual(['fleet.charging_session.created']);
    expect(signature('k', '{}')).toBe(
      'sha256=' + require('node:crypto').createHmac('sha256', 'k').update('{}').digest('hex'),
    );
  });
  it('api keys are random and stored as sha256', () => {
    const a = generateApiKey();
    expect(a).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(a);
    expect(hashApiKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(a)).not.toContain(a.slice(3, 10));
  });
  it('maps command results to remote outcomes', () => {
    expect(remoteOutcome({ outcome: 'Result', payload: { status: 'Accepted' } })).toBe('Accepted');
    expect(remoteOutcome({ outcome: 'Result', payload: { status: 'Rejected' } })).toBe('Rejected');
    expect(remoteOutcome({ outcome: 'Offline' })).toBe('Offline');
    expect(remoteOutcome({ outcome: 'Timeout' })).toBe('Timeout');
    expect(remoteOutcome({ outcome: 'Error' })).toBe('Error');
  });
});
