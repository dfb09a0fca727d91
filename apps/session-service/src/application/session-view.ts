/**
 * A session as the pump fleet API shows it (seeds/pump-fleet-api-stop-session.md), field for field.
 *
 * Energy: integer Wh in the aggregate; `energy_in_kwh` is a JSON number in pump's format, so the
 * kWh value is computed exactly with decimal.js (Wh / 1000, three decimals at most) and turned into
 * a number only here, at the very edge: a decimal with at most 16 significant digits survives
 * `Number()` and `JSON.stringify` unchanged. `duration_in_minutes` likewise (one decimal, half up).
 * Money (`final_amount`, `tariff` prices) stays decimal strings, as in our contracts.
 */
import Decimal from 'decimal.js';
import type { FinalAmount, SessionFlag, TariffSnapshot } from '@app/contracts';
import { durationSeconds, effectiveMeterStart, type SessionState } from '../domain/session';

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
  final_amount: FinalAmount | null;
  tariff: TariffSnapshot | null;
  /** Additions to pump's fields (a pump client ignores them). */
  stop_reason: string | null;
  flags: SessionFlag[];
}

const unix = (iso: string | null): number | null => (iso ? Math.floor(Date.parse(iso) / 1000) : null);

export function energyWh(s: SessionState): number {
  const start = effectiveMeterStart(s);
  if (start === null) return 0;
  if (s.status === 'CLOSED' && s.meterStopWh !== null) return Math.max(0, s.meterStopWh - start);
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
    started_at: unix(s.startedAt),
    completed_at:
      s.status === 'CLOSED' || s.status === 'INVALID' || s.status === 'FAILED' ? unix(s.completedAt) : null,
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
    final_amount: s.finalAmount,
    tariff: s.tariff,
    stop_reason: s.stopReason,
    flags: s.flags,
  };
}
