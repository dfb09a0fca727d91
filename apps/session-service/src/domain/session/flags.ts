/**
 * THE flag rule: a session's flags are a function of its state, written here once. `evolve` stores
 * `sessionFlags(state)` on every state it makes, and the SessionCompleted that `decide` emits carries
 * the flags of the CLOSED state it folds to, so the API, the webhooks and the event never disagree.
 *
 * Clock flags. The lag of a charger record is its gateway receive time minus its charger timestamp.
 * Only the transaction's two bounding records count: the StartTransaction and the record that ends
 * it (StopTransaction; a stop the service inferred has no charger record and counts as nothing).
 * They are the only charger records certainly folded before the session's end is emitted, whatever
 * order the rest arrives in; MeterValues and StatusNotifications can arrive before or after the
 * StopTransaction, so a rule that looked at them would give a session different flags depending on
 * delivery order. They never set a clock flag (their late arrival shows in `lastMeter` and the
 * connector status alone).
 *
 * - CLOCK_SKEW: the charger's clock disagrees with ours. A bounding record is more than 5 minutes
 *   ahead (timestamp in the future), or every bounding record we have lags by more than 5 minutes.
 *   A record an OCPP 2.0.1 station marked `offline: true` is late for a known reason: its lag says
 *   nothing about the clock (a whole transaction queued offline is LATE_EVENTS, not CLOCK_SKEW).
 * - LATE_EVENTS: not CLOCK_SKEW, and a bounding record lags by more than 5 minutes while another came
 *   on time (the charger queued it, offline), or the station said it was offline.
 * - INFERRED_STOP: the service closed the session (connector Available past the grace period, no
 *   StopTransaction).
 * - MISSING_TARIFF: the session has no tariff snapshot (not flagged on a FAILED session: nothing to bill).
 * - anything in `raisedFlags`, kept as raised: MAX_CHARGING_TIME_REACHED (a timer), SEQ_NO_GAP (an
 *   OCPP 2.0.1 TransactionEvent missing when the session ended; evolve.ts raises it then).
 */
import type { SessionFlag } from '@app/contracts';
import type { SessionState } from './state';

export const CLOCK_SKEW_LIMIT_MS = 5 * 60_000;

/** receivedAt − charger time of the session's bounding records (StartTransaction, the stop), ms. */
export function boundingLagsMs(s: SessionState): { lagMs: number; offline: boolean }[] {
  const lags: { lagMs: number; offline: boolean }[] = [];
  const add = (chargerAt: string, receivedAt: string | null, offline: boolean | undefined) => {
    if (receivedAt === null) return;
    const lag = Date.parse(receivedAt) - Date.parse(chargerAt);
    if (!Number.isNaN(lag)) lags.push({ lagMs: lag, offline: offline === true });
  };
  if (s.start) add(s.start.startedAt, s.start.receivedAt, s.start.offline);
  if (s.stop) add(s.stop.completedAt, s.stop.receivedAt, s.stop.offline);
  if (s.invalid) add(s.invalid.invalidatedAt, s.invalid.receivedAt, s.invalid.offline);
  return lags;
}

export function sessionFlags(s: SessionState): SessionFlag[] {
  const flags = new Set<SessionFlag>(s.raisedFlags);
  const lags = boundingLagsMs(s);
  if (lags.length > 0) {
    const all = lags.map((l) => l.lagMs);
    const clock = lags.filter((l) => !l.offline).map((l) => l.lagMs);
    if (
      Math.min(...all) < -CLOCK_SKEW_LIMIT_MS ||
      (clock.length > 0 && Math.min(...clock) > CLOCK_SKEW_LIMIT_MS)
    )
      flags.add('CLOCK_SKEW');
    else if (Math.max(...all) > CLOCK_SKEW_LIMIT_MS) flags.add('LATE_EVENTS');
  }
  if (s.stop?.stopReason === 'INFERRED') flags.add('INFERRED_STOP');
  if (s.status !== null && s.status !== 'FAILED' && s.tariff === null) flags.add('MISSING_TARIFF');
  return [...flags].sort();
}
