/**
 * A session as the pump fleet API shows it (seeds/pump-fleet-api-stop-session.md), field for field.
 *
 * Energy: integer Wh in the aggregate; `energy_in_kwh` is a JSON number in pump's format, so the
 * kWh value is computed exactly with decimal.js (Wh / 1000, three decimals at most) and turned into
 * a number only here, at the very edge: a decimal with at most 16 significant digits survives
 * `Number()` and `JSON.stringify` unchanged. `duration_in_minutes` likewise (one decimal, half up).
 * Money (`final_amount`, `tariff` prices) is decimal strings in the state and the Kafka events; here
 * each becomes a `DecimalText`, which `stringifyDecimalJson` (@app/http/decimal-json) writes as a
 * JSON number of exactly that text (`"kwh_price": 0.88`), or as the string when the client asked
 * for strings. Plain `JSON.stringify` of a view still writes the strings.
 */
import Decimal from 'decimal.js';
import type { FinalAmount, SessionFailureReason, SessionFlag, TariffSnapshot } from '@app/contracts';
import { DecimalText } from '@app/http/decimal-json';
import {
  durationSeconds,
  effectiveMeterStart,
  endedAt,
  stopReasonOf,
  type SessionState,
} from '../domain/session';

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

export interface PumpSession {
  id: string;
  auth_type: 'LOCAL' | 'REMOTE';
  status: string;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  last_updated_at: number;
  evse: string;
  charging_station: {
    id: string;
    connector_id: number;
    connector_status: string | null;
    charging_state: string | null;
  };
  user_reference: string | null;
  energy_in_kwh: number;
  duration_in_minutes: number | null;
  final_amount: PumpFinalAmount | null;
  tariff: PumpTariff | null;
  /** Additions to pump's fields (a pump client ignores them). */
  stop_reason: string | null;
  /** Why a FAILED session never started (domain/session/failure.ts); null for every other status. */
  failure_reason: SessionFailureReason | null;
  flags: SessionFlag[];
}

type WithDecimals<T, K extends keyof T> = Omit<T, K> & { [P in K]: DecimalText };

/** pump's `final_amount` (session, time, energy) plus net, vat, gross and currency. */
export type PumpFinalAmount = WithDecimals<
  FinalAmount,
  'energy' | 'session' | 'time' | 'net' | 'vat' | 'gross'
>;

/** pump's `tariff`, prices and VAT rate exact. */
export type PumpTariff = Omit<
  WithDecimals<TariffSnapshot, 'kwh_price' | 'session_price' | 'vat'>,
  'time_tariffs'
> & {
  time_tariffs: { starting_at_minute: number; minute_price: DecimalText }[];
};

export function toPumpFinalAmount(a: FinalAmount): PumpFinalAmount {
  // pump's order first: session, time, energy
  return {
    session: new DecimalText(a.session),
    time: new DecimalText(a.time),
    energy: new DecimalText(a.energy),
    net: new DecimalText(a.net),
    vat: new DecimalText(a.vat),
    gross: new DecimalText(a.gross),
    currency: a.currency,
  };
}

export function toPumpTariff(t: TariffSnapshot): PumpTariff {
  // pump's order (the stored JSONB state does not keep one), then which tariff version it was
  return {
    kwh_price: new DecimalText(t.kwh_price),
    session_price: new DecimalText(t.session_price),
    time_tariffs: t.time_tariffs.map((tier) => ({
      starting_at_minute: tier.starting_at_minute,
      minute_price: new DecimalText(tier.minute_price),
    })),
    vat: new DecimalText(t.vat),
    currency: t.currency,
    max_charging_time: t.max_charging_time,
    ...(t.tariff_id !== undefined ? { tariff_id: t.tariff_id } : {}),
    ...(t.version !== undefined ? { version: t.version } : {}),
  };
}

const unix = (iso: string | null): number | null => (iso ? Math.floor(Date.parse(iso) / 1000) : null);

export function energyWh(s: SessionState): number {
  const start = effectiveMeterStart(s);
  if (start === null) return 0;
  if (s.status === 'CLOSED') return Math.max(0, s.stop.meterStopWh - start);
  if ((s.status === 'ACTIVE' || s.status === 'REMOTE_STOPPED') && s.lastMeter)
    return Math.max(0, s.lastMeter.wh - start);
  return 0;
}

export function toPumpSession(s: SessionState): PumpSession {
  const seconds = durationSeconds(s);
  return {
    id: s.sessionId,
    auth_type: s.authType ?? 'LOCAL',
    status: s.status ?? 'STARTING',
    created_at: unix(s.createdAt)!,
    started_at: unix(s.start?.startedAt ?? null),
    completed_at: unix(endedAt(s)),
    last_updated_at: unix(s.lastUpdatedAt ?? s.createdAt)!,
    evse: s.evse,
    charging_station: {
      id: s.chargePointId,
      connector_id: s.connectorId,
      connector_status: s.connectorStatus,
      charging_state: s.chargingState,
    },
    user_reference: s.userReference,
    energy_in_kwh: Number(new D(energyWh(s)).dividedBy(1000).toString()),
    duration_in_minutes:
      seconds === null
        ? null
        : Number(new D(seconds).dividedBy(60).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toString()),
    final_amount: s.finalAmount ? toPumpFinalAmount(s.finalAmount) : null,
    tariff: s.tariff ? toPumpTariff(s.tariff) : null,
    stop_reason: stopReasonOf(s),
    failure_reason: s.status === 'FAILED' ? s.failure.reason : null,
    flags: s.flags,
  };
}
