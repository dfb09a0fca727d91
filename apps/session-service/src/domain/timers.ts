import { maxChargingStopDueAt, type SessionState } from './session';

export interface TimerSettings {
  stopGraceMinutes: number;
  startTimeoutSeconds: number;
}

/**
 * When the session's next timer (start timeout, inferred stop, max_charging_time) is due, or null.
 * Stored on the projection row so a sweeper finds due sessions with an index instead of a scan.
 * Timers run on the gateway/API clock (receive times), never on a charger's possibly skewed clock.
 */
export function nextTimerAt(s: SessionState, settings: TimerSettings): string | null {
  const at = (iso: string, plusMs: number) => new Date(Date.parse(iso) + plusMs).toISOString();
  if ((s.status === 'STARTING' || s.status === 'PREPARING') && s.createdAt)
    return at(s.createdAt, settings.startTimeoutSeconds * 1000);
  if (s.status !== 'ACTIVE' && s.status !== 'REMOTE_STOPPED') return null;
  const candidates: string[] = [];
  if (s.connectorStatus === 'Available' && s.connectorStatusReceivedAt) {
    candidates.push(at(s.connectorStatusReceivedAt, settings.stopGraceMinutes * 60_000));
  }
  const stopDue = maxChargingStopDueAt(s);
  if (stopDue !== null) candidates.push(new Date(stopDue).toISOString());
  if (candidates.length === 0) return null;
  return candidates.sort()[0];
}
