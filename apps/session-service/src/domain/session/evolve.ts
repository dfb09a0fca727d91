/**
 * `evolve(state, event) → state`, pure (times come in the events).
 *
 * Folding is order-tolerant: a charger's offline queue can deliver old MeterValues and
 * StatusNotifications late, and Kafka can redeliver. Everything after the start is folded with
 * commutative, idempotent rules (latest charger timestamp wins, set unions), the lifecycle only moves
 * forward (a second StopTransaction changes nothing), and the flags derive from the state
 * (flags.ts), so any interleaving of duplicates and late deliveries yields the same state (see the
 * property tests).
 */
import type { SessionEvent, SessionEventDataMap, SessionEventName } from '../session-events';
import { withConnectorReport, withShownConnector } from './connector';
import { failureReasonOf } from './failure';
import { sessionFlags } from './flags';
import { hasSeqNoGap, withSeqNo } from './seq-nos';
import {
  awaitsIdTag,
  initialState,
  isCharging,
  isFinished,
  type ChargingSession,
  type ClosedSession,
  type FailedSession,
  type InvalidSession,
  type RequestedSession,
  type SessionState,
  type StopRecord,
} from './state';

const ms = (iso: string) => Date.parse(iso);

/** `a` is later than `b` (null counts as earliest); equal times break on the tiebreak text. */
function later(a: string, b: string | null, tieA = '', tieB = ''): boolean {
  if (b === null) return true;
  const d = ms(a) - ms(b);
  return d > 0 || (d === 0 && tieA > tieB);
}

function maxIso(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return ms(a) >= ms(b) ? a : b;
}

export function mergeSigned(current: string[], more: string[] | undefined): string[] {
  if (!more || more.length === 0) return current;
  const all = new Set(current);
  for (const v of more) all.add(v);
  return [...all].sort();
}

// touch and withFlags change `s` in place: each handler hands them the one fresh copy it made of the
// state it got (one copy per event; folding is most of the consumer's CPU).
function touch<S extends SessionState>(s: S, at: string): S {
  s.lastUpdatedAt = maxIso(s.lastUpdatedAt, at);
  return s;
}

function withFlags<S extends SessionState>(s: S): S {
  s.flags = sessionFlags(s);
  return s;
}

/**
 * raisedFlags once the session ends: SEQ_NO_GAP when a TransactionEvent is missing then. Raised,
 * not derived: a late event filling the gap after the end must not change the flags the
 * SessionCompleted carried (and billing and the webhooks saw).
 */
function withEndFlags(state: ChargingSession): SessionState['raisedFlags'] {
  if (state.raisedFlags.includes('SEQ_NO_GAP') || !hasSeqNoGap(state.seqNos, state.seqNoFrom ?? 0))
    return state.raisedFlags;
  return [...state.raisedFlags, 'SEQ_NO_GAP' as const].sort();
}

/** The CLOSED state a running session folds to when it ends with `stop`; `decide` uses it to emit the same flags. */
export function closed(
  state: ChargingSession,
  stop: StopRecord,
  signed: string[] | undefined,
): ClosedSession {
  const next: ClosedSession = {
    ...state,
    status: 'CLOSED',
    stop,
    signedMeterValues: mergeSigned(state.signedMeterValues, signed),
    raisedFlags: withEndFlags(state),
  };
  return withFlags(withShownConnector(touch(next, stop.receivedAt ?? stop.completedAt)));
}

type Evolver<K extends SessionEventName> = (
  state: SessionState,
  data: SessionEventDataMap[K],
) => SessionState;

const EVOLVERS: { [K in SessionEventName]: Evolver<K> } = {
  SessionRequested(state, d) {
    if (state.status !== null) return state;
    const next: RequestedSession = {
      ...state,
      status: 'STARTING',
      sessionId: d.sessionId,
      fleetId: d.fleetId,
      chargePointId: d.chargePointId,
      connectorId: d.connectorId,
      evse: d.evse,
      authType: 'REMOTE',
      idTag: d.idTag,
      userReference: d.userReference,
      createdAt: d.requestedAt,
      startCommandId: d.commandId,
      tariff: d.tariff,
    };
    return withFlags(touch(next, d.requestedAt));
  },

  SessionStartAccepted(state, d) {
    if (state.status !== 'STARTING') return touch({ ...state }, d.acceptedAt);
    return touch({ ...state, status: 'PREPARING' }, d.acceptedAt);
  },

  SessionStarted(state, d) {
    if (state.status !== null && state.status !== 'STARTING' && state.status !== 'PREPARING') return state;
    const remote = state.status !== null;
    const next: ChargingSession = {
      ...state,
      status: 'ACTIVE',
      sessionId: d.sessionId,
      fleetId: d.fleetId,
      chargePointId: d.chargePointId,
      connectorId: d.connectorId,
      evse: d.evse,
      authType: remote ? 'REMOTE' : d.authType,
      idTag: d.idTag,
      userReference: remote ? state.userReference : d.userReference,
      createdAt: state.createdAt ?? d.receivedAt,
      start: {
        transactionId: d.transactionId,
        meterStartWh: d.meterStartWh,
        startedAt: d.startedAt,
        receivedAt: d.receivedAt,
        ...(d.chargerTransactionId !== undefined ? { chargerTransactionId: d.chargerTransactionId } : {}),
        ...(d.offline ? { offline: true as const } : {}),
        ...(d.evseConnectorId !== undefined ? { evseConnectorId: d.evseConnectorId } : {}),
      },
      // The snapshot taken at the charger's start time replaces the one taken at the request.
      tariff: d.tariff,
      signedMeterValues: mergeSigned(state.signedMeterValues, d.signedMeterValues),
    };
    return withFlags(touch(next, d.receivedAt));
  },

  SessionMeterUpdated(state, d) {
    const next: SessionState = {
      ...state,
      signedMeterValues: mergeSigned(state.signedMeterValues, d.signedMeterValues),
    };
    if (d.context === 'Transaction.Begin') {
      if (d.meterWh > 0) next.beginReadingWh = Math.max(next.beginReadingWh ?? 0, d.meterWh);
    } else if (
      !next.lastMeter ||
      later(
        d.measuredAt,
        next.lastMeter.measuredAt,
        String(d.meterWh).padStart(16, '0'),
        String(next.lastMeter.wh).padStart(16, '0'),
      )
    ) {
      next.lastMeter = { wh: d.meterWh, measuredAt: d.measuredAt };
    }
    // A Transaction.Begin reading can change the billed meterStart, never a flag: no withFlags.
    return touch(next, d.receivedAt);
  },

  SessionConnectorStatusChanged(state, d) {
    const next = withConnectorReport(
      { ...state },
      { status: d.connectorStatus, at: d.at, receivedAt: d.receivedAt },
    );
    return touch(next, d.receivedAt);
  },

  SessionStopRequested(state, d) {
    return touch(
      {
        ...state,
        stopRequestedAt: state.stopRequestedAt ?? d.requestedAt,
        stopRequestedBy: state.stopRequestedBy ?? d.requestedBy,
        lastStopRequestAt: d.requestedAt,
      },
      d.requestedAt,
    );
  },

  SessionRemoteStopAccepted(state, d) {
    if (state.status !== 'ACTIVE') return touch({ ...state }, d.acceptedAt);
    return touch({ ...state, status: 'REMOTE_STOPPED' }, d.acceptedAt);
  },

  SessionCompleted(state, d) {
    if (!isCharging(state)) return state;
    return closed(
      state,
      {
        meterStopWh: d.meterStopWh,
        completedAt: d.completedAt,
        receivedAt: d.receivedAt,
        stopReason: d.stopReason,
        ...(d.offline ? { offline: true as const } : {}),
      },
      d.signedMeterValues,
    );
  },

  SessionInvalidated(state, d) {
    if (!isCharging(state)) return state;
    const next: InvalidSession = {
      ...state,
      status: 'INVALID',
      invalid: {
        reason: d.reason,
        meterStopWh: d.meterStopWh ?? null,
        invalidatedAt: d.invalidatedAt,
        receivedAt: d.receivedAt,
        stopReason: d.stopReason,
        ...(d.offline ? { offline: true as const } : {}),
      },
      signedMeterValues: mergeSigned(state.signedMeterValues, d.signedMeterValues),
      raisedFlags: withEndFlags(state),
    };
    return withFlags(withShownConnector(touch(next, d.receivedAt ?? d.invalidatedAt)));
  },

  SessionFailed(state, d) {
    if (state.status === null || isFinished(state)) return state;
    const next: FailedSession = {
      ...state,
      status: 'FAILED',
      stop: null,
      invalid: null,
      failure: { reason: failureReasonOf(d.reason), failedAt: d.failedAt },
    };
    return withFlags(withShownConnector(touch(next, d.failedAt)));
  },

  SessionPriced(state, d) {
    return touch(
      { ...state, finalAmount: d.finalAmount, chargeId: d.chargeId, pricedAt: d.pricedAt },
      d.pricedAt,
    );
  },

  SessionChargeReversed(state, d) {
    if (state.chargeId !== d.reversesChargeId) return state;
    return touch({ ...state, finalAmount: null, chargeId: null }, d.reversedAt);
  },

  SessionSeqNoSeen(state, d) {
    const next = { ...state, seqNos: withSeqNo(state.seqNos, d.seqNo) };
    // A late Started (seqNo 0) lowers what a session started by a later event expects.
    if (d.from !== undefined) next.seqNoFrom = Math.min(state.seqNoFrom ?? d.from, d.from);
    return touch(next, d.receivedAt);
  },

  SessionIdTagLearned(state, d) {
    // Only the first token counts: a session that has a real idTag keeps it.
    if (!awaitsIdTag(state)) return state;
    return touch({ ...state, idTag: d.idTag }, d.receivedAt);
  },

  SessionFlagRaised(state, d) {
    return withFlags(
      touch({ ...state, raisedFlags: [...new Set([...state.raisedFlags, d.flag])].sort() }, d.at),
    );
  },
};

export function evolve(state: SessionState, event: SessionEvent): SessionState {
  const evolver = EVOLVERS[event.type] as Evolver<SessionEventName> | undefined;
  if (!evolver) throw new Error(`unknown session event ${(event as { type: string }).type}`);
  return evolver(state, event.data);
}

export function fold(events: SessionEvent[], state: SessionState = initialState()): SessionState {
  return events.reduce(evolve, state);
}
