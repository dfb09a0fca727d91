/**
 * The session's timers (start timeout, inferred stop, max_charging_time): when each is due. They run
 * on the gateway/API clock (receive times), never on a charger's possibly skewed clock. `decide`
 * (CheckTimers) acts on them and `nextTimerAt` schedules them, so the two cannot disagree.
 */
import type { SessionState } from './state';

export interface TimerSettings {
  stopGraceMinutes: number;
  startTimeoutSeconds: number;
}

/** How long the max_charging_time stop waits for the charger before it asks again. */
export const STOP_RETRY_MS = 15 * 60_000;

/**
 * When the max_charging_time stop is (next) due, ms since epoch, or null when it does not apply:
 * max_charging_time after the start, and then STOP_RETRY_MS after the latest stop request while the
 * session stays ACTIVE (charger offline, rejected, or an API stop that never got an answer).
 */
export function maxChargingStopDueAt(state: SessionState): number | null {
  const max = state.tariff?.max_charging_time;
  if (state.status !== 'ACTIVE' || !max) return null;
  const due = Date.parse(state.start.receivedAt) + max * 60_000;
  const lastRequest = state.lastStopRequestAt ?? state.stopRequestedAt;
  return lastRequest === null ? due : Math.max(due, Date.parse(lastRequest) + STOP_RETRY_MS);
}

/** When a start that the charger has not begun times out, ms since epoch, or null. */
export function startTimeoutAt(s: SessionState, settings: TimerSettings): number | null {
  if ((s.status !== 'STARTING' && s.status !== 'PREPARING') || !s.createdAt) return null;
  return Date.parse(s.createdAt) + settings.startTimeoutSeconds * 1000;
}

/** When a session whose connector is back to Available without a StopTransaction is closed, ms since epoch, or null. */
export function inferredStopAt(s: SessionState, settings: TimerSettings): number | null {
  if (s.status !== 'ACTIVE' && s.status !== 'REMOTE_STOPPED') return null;
  if (s.connectorStatus !== 'Available' || !s.connectorStatusReceivedAt) return null;
  return Date.parse(s.connectorStatusReceivedAt) + settings.stopGraceMinutes * 60_000;
}

/**
 * When the session's next timer is due, or null. Stored on the projection row so a sweeper finds
 * due sessions with an index instead of a scan.
 */
export function nextTimerAt(s: SessionState, settings: TimerSettings): string | null {
  const candidates = [
    startTimeoutAt(s, settings),
    inferredStopAt(s, settings),
    maxChargingStopDueAt(s),
  ].filter((at): at is number => at !== null);
  return candidates.length === 0 ? null : new Date(Math.min(...candidates)).toISOString();
}
