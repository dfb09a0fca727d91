import { randomUUID } from 'node:crypto';
import {
  makeEnvelope,
  SESSION_EVENT_SCHEMAS,
  SESSIONS_SOURCE,
  type SessionCompleted,
  type TariffSnapshot,
} from '@app/contracts';

/**
 * Test data that several test files share (import from `@app/testing/fixtures`). Each value is
 * frozen: a test that needs a variant spreads it (`{ ...TARIFF_A, session_price: '0.50' }`).
 */

/**
 * Tariff A of pump's examples and ARCHITECTURE.md "Pricing": 0.88 per kWh, from minute 45
 * 0.12 per minute, 19 % VAT. Prices as decimal strings (how our contracts carry them).
 */
export const TARIFF_A: Readonly<TariffSnapshot> = Object.freeze({
  kwh_price: '0.88',
  session_price: '0',
  time_tariffs: [{ starting_at_minute: 45, minute_price: '0.12' }],
  vat: '0.19',
  currency: 'EUR',
  max_charging_time: 4320,
});

/** Tariff A as pump's clients send it: prices as JSON numbers. */
export const TARIFF_A_AS_NUMBERS = Object.freeze({
  kwh_price: 0.88,
  session_price: 0,
  time_tariffs: [{ starting_at_minute: 45, minute_price: 0.12 }],
  vat: 0.19,
  currency: 'EUR',
  max_charging_time: 4320,
});

/** Tariff D of the worked examples: 0.50 per kWh and 1.00 per session, no time fee. */
export const TARIFF_D: Readonly<TariffSnapshot> = Object.freeze({
  kwh_price: '0.50',
  session_price: '1.00',
  time_tariffs: [],
  vat: '0.19',
  currency: 'EUR',
  max_charging_time: 4320,
});

/** Energy only, 0.40 per kWh, capped at 600 minutes: the failover scenarios' tariff. */
export const TARIFF_ENERGY_ONLY: Readonly<TariffSnapshot> = Object.freeze({
  kwh_price: '0.40',
  session_price: '0.00',
  time_tariffs: [],
  vat: '0.19',
  currency: 'EUR',
  max_charging_time: 600,
});

/**
 * A completed session as session-service publishes it: a fresh session id, CP1 connector 1 of
 * fleet-1, 1000 → 9765 Wh over 15 minutes from 2024-05-01T10:00:00Z with tariff D (6.40 gross).
 */
export function sessionCompleted(over: Partial<SessionCompleted> = {}): SessionCompleted {
  return {
    sessionId: randomUUID(),
    fleetId: 'fleet-1',
    chargePointId: 'CP1',
    connectorId: 1,
    evse: 'CP1*1',
    transactionId: 7,
    authType: 'LOCAL',
    userReference: null,
    idTag: 'TAG1',
    tariff: { ...TARIFF_D },
    meterStartWh: 1000,
    meterStopWh: 9765,
    startedAt: '2024-05-01T10:00:00.000Z',
    completedAt: '2024-05-01T10:15:00.000Z',
    stopReason: 'Local',
    flags: [],
    signedMeterValues: [],
    ...over,
  };
}

/** The envelope session-service puts `data` in on `charging.sessions.v1`. */
export function sessionEnvelope<T extends { sessionId: string }>(
  type: 'SessionCompleted' | 'SessionInvalidated',
  data: T,
  id?: string,
) {
  return makeEnvelope({
    id,
    type,
    source: SESSIONS_SOURCE,
    subject: data.sessionId,
    schema: SESSION_EVENT_SCHEMAS[type],
    data,
  });
}
