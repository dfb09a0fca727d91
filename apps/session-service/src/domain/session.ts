/**
 * The charging session aggregate, Emmett style: `decide(command, state) → events` and
 * `evolve(state, event) → state`, both pure (no clock, no I/O: times come in the commands).
 *
 * Folding is order-tolerant: a charger's offline queue can deliver old MeterValues and
 * StatusNotifications late, and Kafka can redeliver. Everything after the start is folded with
 * commutative, idempotent rules (latest charger timestamp wins, min/max of clock lags, set unions),
 * and the lifecycle only moves forward (a second StopTransaction changes nothing), so any
 * interleaving of duplicates and late deliveries yields the same state (see the property tests).
 */
import type {
  Actor,
  AuthType,
  ChargingState,
  FinalAmount,
  SessionFlag,
  SessionRef,
  SessionStatus,
  TariffSnapshot,
} from '@app/contracts';
import type { EnergyReading } from './meter-values';
import { CHARGING_STATES, type SessionEvent, type StoredSessionCompleted } from './session-events';

export const CLOCK_SKEW_LIMIT_MS = 5 * 60_000;

/** The actor of what the service decides itself (a stop at max_charging_time). */
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'session-service' };

export interface MeterPoint {
  wh: number;
  measuredAt: string;
}

export interface SessionState {
  status: SessionStatus | null;
  sessionId: string;
  fleetId: string;
  chargePointId: string;
  connectorId: number;
  evse: string;
  transactionId: number | null;
  authType: AuthType | null;
  idTag: string | null;
  userReference: string | null;
  /** Gateway/API time the session came to exist. */
  createdAt: string | null;
  /** Charger clock. */
  startedAt: string | null;
  startReceivedAt: string | null;
  completedAt: string | null;
  completedReceivedAt: string | null;
  meterStartWh: number | null;
  /** A Transaction.Begin reading, used only when StartTransaction.meterStart was a 0 placeholder. */
  beginReadingWh: number | null;
  meterStopWh: number | null;
  lastMeter: MeterPoint | null;
  connectorStatus: string | null;
  connectorStatusAt: string | null;
  /** Receive time of the latest connector status (the inferred-stop timer runs on the gateway clock). */
  connectorStatusReceivedAt: string | null;
  chargingState: ChargingState | null;
  chargingStateAt: string | null;
  stopReason: string | null;
  stopRequestedAt: string | null;
  stopRequestedBy: string | null;
  /** The latest stop request (the max_charging_time stop is repeated until the charger stops). */
  lastStopRequestAt?: string | null;
  failureReason: string | null;
  invalidReason: string | null;
  tariff: TariffSnapshot | null;
  startCommandId: string | null;
  /** Raised flags (set, sorted), plus the derived CLOCK_SKEW / LATE_EVENTS. */
  flags: SessionFlag[];
  raisedFlags: SessionFlag[];
  /** receivedAt − charger timestamp over every charger message, ms. */
  minLagMs: number | null;
  maxLagMs: number | null;
  signedMeterValues: string[];
  finalAmount: FinalAmount | null;
  chargeId: string | null;
  pricedAt: string | null;
  lastUpdatedAt: string | null;
}

export function initialState(): SessionState {
  return {
    status: null,
    sessionId: '',
    fleetId: '',
    chargePointId: '',
    connectorId: 0,
    evse: '',
    transactionId: null,
    authType: null,
    idTag: null,
    userReference: null,
    createdAt: null,
    startedAt: null,
    startReceivedAt: null,
    completedAt: null,
    completedReceivedAt: null,
    meterStartWh: null,
    beginReadingWh: null,
    meterStopWh: null,
    lastMeter: null,
    connectorStatus: null,
    connectorStatusAt: null,
    connectorStatusReceivedAt: null,
    chargingState: null,
    chargingStateAt: null,
    stopReason: null,
    stopRequestedAt: null,
    stopRequestedBy: null,
    failureReason: null,
    invalidReason: null,
    tariff: null,
    startCommandId: null,
    flags: [],
    raisedFlags: [],
    minLagMs: null,
    maxLagMs: null,
    signedMeterValues: [],
    finalAmount: null,
    chargeId: null,
    pricedAt: null,
    lastUpdatedAt: null,
  };
}

// ---------------------------------------------------------------- commands

export type RemoteOutcome = 'Accepted' | 'Rejected' | 'Offline' | 'Timeout' | 'Error';

export type SessionCommand =
  | {
      type: 'RequestStart';
      sessionId: string;
      fleetId: string;
      chargePointId: string;
      connectorId: number;
      evse: string;
      idTag: string;
      userReference: string | null;
      commandId: string;
      tariff: TariffSnapshot | null;
      requestedAt: string;
      /** Who asked; carried in SessionRequested. */
      actor: Actor;
    }
  | { type: 'RecordRemoteStartResult'; outcome: RemoteOutcome; at: string }
  | {
      type: 'RecordStartTransaction';
      /** Used when this creates a LOCAL session. */
      sessionId: string;
      fleetId: string;
      chargePointId: string;
      connectorId: number;
      evse: string;
      transactionId: number;
      idTag: string;
      meterStartWh: number;
      timestamp: string;
      receivedAt: string;
      /** The tariff in force at `timestamp` (looked up by the caller). */
      tariff: TariffSnapshot | null;
    }
  | {
      type: 'RecordMeterValues';
      readings: { wh: number; measuredAt: string; context: string }[];
      signed: string[];
      receivedAt: string;
    }
  | {
      type: 'RecordStatusNotification';
      connectorStatus: string;
      timestamp: string | null;
      receivedAt: string;
    }
  | {
      type: 'RecordStopTransaction';
      transactionId: number;
      meterStopWh: number;
      timestamp: string;
      receivedAt: string;
      reason: string | null;
      signed: string[];
      readings: { wh: number; measuredAt: string; context: string }[];
    }
  | { type: 'RequestStop'; requestedAt: string; requestedBy: string; actor: Actor }
  | { type: 'RecordRemoteStopResult'; outcome: RemoteOutcome; at: string }
  | { type: 'CheckTimers'; now: string; stopGraceMinutes: number; startTimeoutSeconds: number }
  | {
      type: 'RecordCharge';
      chargeId: string;
      kind: 'CHARGE' | 'REVERSAL';
      reversesChargeId?: string;
      finalAmount: FinalAmount;
      pricedAt: string;
    };

export class SessionRuleError extends Error {
  constructor(
    readonly code: 'SESSION_NOT_FOUND' | 'SESSION_EXISTS' | 'NOT_STOPPABLE',
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- helpers

/** How long the max_charging_time stop waits for the charger before it asks again. */
export const STOP_RETRY_MS = 15 * 60_000;

/**
 * When the max_charging_time stop is (next) due, ms since epoch, or null when it does not apply:
 * max_charging_time after the start, and then STOP_RETRY_MS after the latest stop request while the
 * session stays ACTIVE (charger offline, rejected, or an API stop that never got an answer).
 * `checkTimers` acts on it and `nextTimerAt` schedules it, so the two cannot disagree.
 */
export function maxChargingStopDueAt(state: SessionState): number | null {
  const max = state.tariff?.max_charging_time;
  if (state.status !== 'ACTIVE' || !max || !state.startReceivedAt) return null;
  const due = ms(state.startReceivedAt) + max * 60_000;
  const lastRequest = state.lastStopRequestAt ?? state.stopRequestedAt;
  return lastRequest === null ? due : Math.max(due, ms(lastRequest) + STOP_RETRY_MS);
}

const OPEN: ReadonlySet<SessionStatus> = new Set(['STARTING', 'PREPARING', 'ACTIVE', 'REMOTE_STOPPED']);
const FINISHED: ReadonlySet<SessionStatus> = new Set(['CLOSED', 'FAILED', 'INVALID']);

export function isOpen(state: SessionState): boolean {
  return state.status !== null && OPEN.has(state.status);
}
export function isFinished(state: SessionState): boolean {
  return state.status !== null && FINISHED.has(state.status);
}
/** Has a charger transaction that is still running (a StopTransaction may come). */
export function isCharging(state: SessionState): boolean {
  return state.status === 'ACTIVE' || state.status === 'REMOTE_STOPPED';
}

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

/**
 * One SessionMeterUpdated per energy reading. A Transaction.Begin reading of 0 is a placeholder some
 * chargers send, never a meter value, so it is dropped here for MeterValues and StopTransaction alike.
 */
function meterUpdates(state: SessionState, readings: EnergyReading[], receivedAt: string): SessionEvent[] {
  return readings
    .filter((r) => !(r.context === 'Transaction.Begin' && r.wh === 0))
    .map((r) => ({
      type: 'SessionMeterUpdated' as const,
      data: {
        ...ref(state),
        meterWh: r.wh,
        measuredAt: r.measuredAt,
        receivedAt,
        ...(r.context === 'Transaction.Begin' ? { context: r.context } : {}),
      },
    }));
}

function ref(s: SessionState): SessionRef {
  const r: SessionRef = {
    sessionId: s.sessionId,
    fleetId: s.fleetId,
    chargePointId: s.chargePointId,
    connectorId: s.connectorId,
    evse: s.evse,
  };
  if (s.transactionId !== null) r.transactionId = s.transactionId;
  return r;
}

// withLag, withFlags and touch change `s` in place: evolve hands them the fresh copy it made of the
// state it got (one copy per event instead of four; folding is most of the consumer's CPU).
function withLag(s: SessionState, chargerTime: string | null, receivedAt: string): SessionState {
  if (chargerTime === null || Number.isNaN(ms(chargerTime)) || Number.isNaN(ms(receivedAt))) return s;
  const lag = ms(receivedAt) - ms(chargerTime);
  s.minLagMs = s.minLagMs === null ? lag : Math.min(s.minLagMs, lag);
  s.maxLagMs = s.maxLagMs === null ? lag : Math.max(s.maxLagMs, lag);
  return s;
}

/**
 * CLOCK_SKEW: the charger is ahead (a message "from the future" by more than 5 minutes), or every
 * message lags by more than 5 minutes (the charger's clock is behind). LATE_EVENTS: some messages
 * lag by more than 5 minutes but not all (an offline queue). Both derive from min/max of lags, so
 * they do not depend on delivery order.
 */
function withFlags(s: SessionState): SessionState {
  const flags = new Set<SessionFlag>(s.raisedFlags);
  if (s.minLagMs !== null && s.maxLagMs !== null) {
    if (s.minLagMs < -CLOCK_SKEW_LIMIT_MS || s.minLagMs > CLOCK_SKEW_LIMIT_MS) flags.add('CLOCK_SKEW');
    else if (s.maxLagMs > CLOCK_SKEW_LIMIT_MS) flags.add('LATE_EVENTS');
  }
  if (s.status !== null && s.tariff === null && s.status !== 'FAILED') flags.add('MISSING_TARIFF');
  s.flags = [...flags].sort();
  return s;
}

function mergeSigned(current: string[], more: string[] | undefined): string[] {
  if (!more || more.length === 0) return current;
  const all = new Set(current);
  for (const v of more) all.add(v);
  return [...all].sort();
}

function touch(s: SessionState, at: string): SessionState {
  s.lastUpdatedAt = maxIso(s.lastUpdatedAt, at);
  return s;
}

/** meterStart as billed: StartTransaction's, unless it was a 0 placeholder and a real Transaction.Begin reading exists. */
export function effectiveMeterStart(s: SessionState): number | null {
  if (s.meterStartWh === null) return null;
  if (s.meterStartWh === 0 && s.beginReadingWh !== null && s.beginReadingWh > 0) return s.beginReadingWh;
  return s.meterStartWh;
}

// ---------------------------------------------------------------- evolve

export function evolve(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case 'SessionRequested': {
      const d = event.data;
      if (state.status !== null) return state;
      return withFlags(
        touch(
          {
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
          },
          d.requestedAt,
        ),
      );
    }
    case 'SessionStartAccepted':
      return touch(
        { ...state, status: state.status === 'STARTING' ? 'PREPARING' : state.status },
        event.data.acceptedAt,
      );
    case 'SessionStarted': {
      const d = event.data;
      const remote = state.status === 'STARTING' || state.status === 'PREPARING';
      const next: SessionState = {
        ...state,
        status: 'ACTIVE',
        sessionId: d.sessionId,
        fleetId: d.fleetId,
        chargePointId: d.chargePointId,
        connectorId: d.connectorId,
        evse: d.evse,
        transactionId: d.transactionId,
        authType: remote ? 'REMOTE' : d.authType,
        idTag: d.idTag,
        userReference: remote ? state.userReference : d.userReference,
        createdAt: state.createdAt ?? d.receivedAt,
        startedAt: d.startedAt,
        startReceivedAt: d.receivedAt,
        meterStartWh: d.meterStartWh,
        // The snapshot taken at the charger's start time replaces the one taken at the request.
        tariff: d.tariff,
        signedMeterValues: mergeSigned(state.signedMeterValues, d.signedMeterValues),
      };
      return withFlags(touch(withLag(next, d.startedAt, d.receivedAt), d.receivedAt));
    }
    case 'SessionMeterUpdated': {
      const d = event.data;
      let next: SessionState = {
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
      if (
        d.chargingState &&
        later(d.measuredAt, next.chargingStateAt, d.chargingState, next.chargingState ?? '')
      ) {
        next = { ...next, chargingState: d.chargingState, chargingStateAt: d.measuredAt };
      }
      return withFlags(touch(withLag(next, d.measuredAt, d.receivedAt), d.receivedAt));
    }
    case 'SessionConnectorStatusChanged': {
      const d = event.data;
      let next = { ...state };
      // Ties on the charger time break on status, then receive time: deterministic whatever the order.
      if (
        later(
          d.at,
          state.connectorStatusAt,
          `${d.connectorStatus}|${d.receivedAt}`,
          `${state.connectorStatus}|${state.connectorStatusReceivedAt}`,
        )
      ) {
        next = {
          ...next,
          connectorStatus: d.connectorStatus,
          connectorStatusAt: d.at,
          connectorStatusReceivedAt: d.receivedAt,
        };
      }
      if (
        (CHARGING_STATES as string[]).includes(d.connectorStatus) &&
        later(d.at, next.chargingStateAt, d.connectorStatus, next.chargingState ?? '')
      ) {
        next = { ...next, chargingState: d.connectorStatus as ChargingState, chargingStateAt: d.at };
      }
      return withFlags(touch(withLag(next, d.at === d.receivedAt ? null : d.at, d.receivedAt), d.receivedAt));
    }
    case 'SessionStopRequested':
      return touch(
        {
          ...state,
          stopRequestedAt: state.stopRequestedAt ?? event.data.requestedAt,
          stopRequestedBy: state.stopRequestedBy ?? event.data.requestedBy,
          lastStopRequestAt: event.data.requestedAt,
        },
        event.data.requestedAt,
      );
    case 'SessionRemoteStopAccepted':
      return touch(
        { ...state, status: state.status === 'ACTIVE' ? 'REMOTE_STOPPED' : state.status },
        event.data.acceptedAt,
      );
    case 'SessionCompleted': {
      const d = event.data;
      if (isFinished(state)) return state;
      const raised =
        d.stopReason === 'INFERRED'
          ? [...new Set([...state.raisedFlags, 'INFERRED_STOP' as const])]
          : state.raisedFlags;
      let next: SessionState = {
        ...state,
        status: 'CLOSED',
        meterStopWh: d.meterStopWh,
        completedAt: d.completedAt,
        completedReceivedAt: d.receivedAt,
        stopReason: d.stopReason,
        raisedFlags: raised,
        signedMeterValues: mergeSigned(state.signedMeterValues, d.signedMeterValues),
      };
      if (d.receivedAt) next = withLag(next, d.completedAt, d.receivedAt);
      return withFlags(touch(next, d.receivedAt ?? d.completedAt));
    }
    case 'SessionInvalidated': {
      const d = event.data;
      if (isFinished(state)) return state;
      let next: SessionState = {
        ...state,
        status: 'INVALID',
        meterStopWh: d.meterStopWh ?? null,
        completedAt: d.invalidatedAt,
        completedReceivedAt: d.receivedAt,
        stopReason: d.stopReason,
        invalidReason: d.reason,
        signedMeterValues: mergeSigned(state.signedMeterValues, d.signedMeterValues),
      };
      if (d.receivedAt) next = withLag(next, d.invalidatedAt, d.receivedAt);
      return withFlags(touch(next, d.receivedAt ?? d.invalidatedAt));
    }
    case 'SessionFailed':
      if (isFinished(state)) return state;
      return withFlags(
        touch(
          { ...state, status: 'FAILED', failureReason: event.data.reason, completedAt: event.data.failedAt },
          event.data.failedAt,
        ),
      );
    case 'SessionPriced':
      return touch(
        {
          ...state,
          finalAmount: event.data.finalAmount,
          chargeId: event.data.chargeId,
          pricedAt: event.data.pricedAt,
        },
        event.data.pricedAt,
      );
    case 'SessionChargeReversed':
      if (state.chargeId !== event.data.reversesChargeId) return state;
      return touch({ ...state, finalAmount: null, chargeId: null }, event.data.reversedAt);
    case 'SessionFlagRaised':
      return withFlags(
        touch(
          { ...state, raisedFlags: [...new Set([...state.raisedFlags, event.data.flag])].sort() },
          event.data.at,
        ),
      );
    default: {
      const unknown: never = event;
      throw new Error(`unknown session event ${(unknown as { type: string }).type}`);
    }
  }
}

export function fold(events: SessionEvent[], state: SessionState = initialState()): SessionState {
  return events.reduce(evolve, state);
}

// ---------------------------------------------------------------- decide

export function decide(command: SessionCommand, state: SessionState): SessionEvent[] {
  switch (command.type) {
    case 'RequestStart': {
      if (state.status !== null) {
        throw new SessionRuleError('SESSION_EXISTS', `session ${state.sessionId} already exists`);
      }
      return [
        {
          type: 'SessionRequested',
          data: {
            sessionId: command.sessionId,
            fleetId: command.fleetId,
            chargePointId: command.chargePointId,
            connectorId: command.connectorId,
            evse: command.evse,
            authType: 'REMOTE',
            userReference: command.userReference,
            idTag: command.idTag,
            requestedAt: command.requestedAt,
            actor: command.actor,
            commandId: command.commandId,
            tariff: command.tariff,
          },
        },
      ];
    }
    case 'RecordRemoteStartResult': {
      if (state.status !== 'STARTING' && state.status !== 'PREPARING') return [];
      if (command.outcome === 'Accepted') {
        return state.status === 'STARTING'
          ? [{ type: 'SessionStartAccepted', data: { ...ref(state), acceptedAt: command.at } }]
          : [];
      }
      const reason =
        command.outcome === 'Rejected'
          ? 'START_REJECTED'
          : command.outcome === 'Offline'
            ? 'CHARGER_OFFLINE'
            : command.outcome === 'Timeout'
              ? 'START_TIMEOUT'
              : 'COMMAND_ERROR';
      return [{ type: 'SessionFailed', data: { ...ref(state), reason, failedAt: command.at } }];
    }
    case 'RecordStartTransaction': {
      if (state.status !== null && state.status !== 'STARTING' && state.status !== 'PREPARING') {
        // A StartTransaction delivered again: the session already runs (or ran) this transaction.
        return [];
      }
      const remote = state.status !== null;
      return [
        {
          type: 'SessionStarted',
          data: {
            sessionId: remote ? state.sessionId : command.sessionId,
            fleetId: command.fleetId,
            chargePointId: command.chargePointId,
            connectorId: command.connectorId,
            evse: remote ? state.evse : command.evse,
            transactionId: command.transactionId,
            authType: remote ? 'REMOTE' : 'LOCAL',
            idTag: command.idTag,
            userReference: remote ? state.userReference : null,
            meterStartWh: command.meterStartWh,
            startedAt: command.timestamp,
            receivedAt: command.receivedAt,
            tariff: command.tariff,
          },
        },
      ];
    }
    case 'RecordMeterValues': {
      if (state.status === null || state.startedAt === null) return [];
      const events: SessionEvent[] = meterUpdates(state, command.readings, command.receivedAt);
      if (events.length > 0 && command.signed.length > 0) {
        // Signed data travels with the first kept reading (not the first sent: that may be a placeholder).
        events[0] = {
          ...events[0],
          data: { ...events[0].data, signedMeterValues: command.signed },
        } as SessionEvent;
      } else if (command.signed.length > 0) {
        // Signed data without a plain reading: keep it anyway (attached to the last reading we know).
        const at = state.lastMeter ?? { wh: state.meterStartWh ?? 0, measuredAt: state.startedAt };
        events.push({
          type: 'SessionMeterUpdated',
          data: {
            ...ref(state),
            meterWh: at.wh,
            measuredAt: at.measuredAt,
            receivedAt: command.receivedAt,
            signedMeterValues: command.signed,
          },
        });
      }
      return events;
    }
    case 'RecordStatusNotification': {
      if (state.status === null) return [];
      const at = command.timestamp ?? command.receivedAt;
      if (
        state.connectorStatus === command.connectorStatus &&
        state.connectorStatusAt === at &&
        state.connectorStatusReceivedAt === command.receivedAt
      ) {
        return []; // the same record again
      }
      return [
        {
          type: 'SessionConnectorStatusChanged',
          data: {
            ...ref(state),
            connectorStatus: command.connectorStatus,
            at,
            receivedAt: command.receivedAt,
          },
        },
      ];
    }
    case 'RecordStopTransaction': {
      if (!isCharging(state)) return []; // repeated stop, or a stop for a session that never started: nothing changes
      const meterStart = effectiveMeterStart(state) ?? 0;
      const signed = mergeSigned([], command.signed);
      // Readings in transactionData are meter values like any other (a Transaction.End reading, samples).
      const events: SessionEvent[] = meterUpdates(state, command.readings, command.receivedAt);
      if (command.meterStopWh < meterStart) {
        events.push({
          type: 'SessionInvalidated',
          data: {
            ...ref(state),
            reason: `meterStop ${command.meterStopWh} Wh is below meterStart ${meterStart} Wh`,
            meterStartWh: meterStart,
            meterStopWh: command.meterStopWh,
            invalidatedAt: command.timestamp,
            receivedAt: command.receivedAt,
            stopReason: command.reason ?? 'Local',
            signedMeterValues: signed,
          },
        });
        return events;
      }
      const after = fold(events, state);
      events.push({
        type: 'SessionCompleted',
        data: completion(after, {
          meterStopWh: command.meterStopWh,
          completedAt: command.timestamp,
          receivedAt: command.receivedAt,
          stopReason: command.reason ?? 'Local',
          signed,
        }),
      });
      return events;
    }
    case 'RequestStop': {
      if (state.status === null) throw new SessionRuleError('SESSION_NOT_FOUND', 'session not found');
      if (state.status === 'REMOTE_STOPPED' || state.stopRequestedAt !== null) return []; // stopping twice: same session
      if (state.status !== 'ACTIVE') {
        throw new SessionRuleError(
          'NOT_STOPPABLE',
          `session is ${state.status}; only an ACTIVE session can be stopped`,
        );
      }
      return [
        {
          type: 'SessionStopRequested',
          data: {
            ...ref(state),
            requestedAt: command.requestedAt,
            requestedBy: command.requestedBy,
            actor: command.actor,
          },
        },
      ];
    }
    case 'RecordRemoteStopResult': {
      if (state.status !== 'ACTIVE' || command.outcome !== 'Accepted') return [];
      return [{ type: 'SessionRemoteStopAccepted', data: { ...ref(state), acceptedAt: command.at } }];
    }
    case 'CheckTimers':
      return checkTimers(command, state);
    case 'RecordCharge': {
      if (state.status === null) throw new SessionRuleError('SESSION_NOT_FOUND', 'session not found');
      if (command.kind === 'REVERSAL') {
        // A reversal cancels the current charge; the corrected charge that follows sets the amount again.
        if (state.chargeId !== command.reversesChargeId) return [];
        return [
          {
            type: 'SessionChargeReversed',
            data: {
              ...ref(state),
              chargeId: command.chargeId,
              reversesChargeId: command.reversesChargeId,
              reversedAt: command.pricedAt,
            },
          },
        ];
      }
      if (state.chargeId === command.chargeId) return []; // redelivered
      if (state.pricedAt !== null && ms(command.pricedAt) < ms(state.pricedAt)) return []; // an older charge arriving late
      return [
        {
          type: 'SessionPriced',
          data: {
            ...ref(state),
            chargeId: command.chargeId,
            finalAmount: command.finalAmount,
            pricedAt: command.pricedAt,
          },
        },
      ];
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown session command ${(unknown as { type: string }).type}`);
    }
  }
}

function completion(
  state: SessionState,
  stop: {
    meterStopWh: number;
    completedAt: string;
    receivedAt: string | null;
    stopReason: string;
    signed: string[];
  },
): StoredSessionCompleted {
  const flags = new Set<SessionFlag>(state.flags);
  if (stop.stopReason === 'INFERRED') flags.add('INFERRED_STOP');
  if (stop.receivedAt) {
    const lag = ms(stop.receivedAt) - ms(stop.completedAt);
    const min = Math.min(state.minLagMs ?? lag, lag);
    const max = Math.max(state.maxLagMs ?? lag, lag);
    if (min < -CLOCK_SKEW_LIMIT_MS || min > CLOCK_SKEW_LIMIT_MS) flags.add('CLOCK_SKEW');
    else if (max > CLOCK_SKEW_LIMIT_MS) flags.add('LATE_EVENTS');
  }
  return {
    ...ref(state),
    transactionId: state.transactionId ?? 0,
    authType: state.authType ?? 'LOCAL',
    userReference: state.userReference,
    idTag: state.idTag ?? '',
    tariff: state.tariff,
    meterStartWh: effectiveMeterStart(state) ?? 0,
    meterStopWh: stop.meterStopWh,
    startedAt: state.startedAt ?? stop.completedAt,
    completedAt: stop.completedAt,
    receivedAt: stop.receivedAt,
    stopReason: stop.stopReason,
    flags: [...flags].sort(),
    signedMeterValues: mergeSigned(state.signedMeterValues, stop.signed),
  };
}

function checkTimers(
  command: Extract<SessionCommand, { type: 'CheckTimers' }>,
  state: SessionState,
): SessionEvent[] {
  const now = ms(command.now);
  if (state.status === 'STARTING' || state.status === 'PREPARING') {
    if (state.createdAt && now - ms(state.createdAt) >= command.startTimeoutSeconds * 1000) {
      return [
        { type: 'SessionFailed', data: { ...ref(state), reason: 'START_TIMEOUT', failedAt: command.now } },
      ];
    }
    return [];
  }
  if (!isCharging(state)) return [];
  // Connector back to Available without a StopTransaction: close from the last meter value after the grace period.
  if (state.connectorStatus === 'Available' && state.connectorStatusReceivedAt) {
    if (now - ms(state.connectorStatusReceivedAt) >= command.stopGraceMinutes * 60_000) {
      const last = state.lastMeter;
      const meterStop =
        last && last.wh >= (effectiveMeterStart(state) ?? 0) ? last.wh : (effectiveMeterStart(state) ?? 0);
      const completedAt =
        last && last.wh === meterStop ? last.measuredAt : (state.connectorStatusAt ?? command.now);
      return [
        {
          type: 'SessionCompleted',
          data: completion(state, {
            meterStopWh: meterStop,
            completedAt,
            receivedAt: null,
            stopReason: 'INFERRED',
            signed: [],
          }),
        },
      ];
    }
    // Still within the grace period: a max_charging_time stop that falls due now still applies.
  }
  // max_charging_time reached: ask the charger to stop, and again every STOP_RETRY_MS while ACTIVE.
  const stopDue = maxChargingStopDueAt(state);
  if (stopDue !== null && now >= stopDue) {
    const flag: SessionEvent[] = state.raisedFlags.includes('MAX_CHARGING_TIME_REACHED')
      ? []
      : [
          {
            type: 'SessionFlagRaised',
            data: { ...ref(state), flag: 'MAX_CHARGING_TIME_REACHED', at: command.now },
          },
        ];
    return [
      ...flag,
      {
        type: 'SessionStopRequested',
        data: {
          ...ref(state),
          requestedAt: command.now,
          requestedBy: 'MAX_CHARGING_TIME',
          actor: SYSTEM_ACTOR,
        },
      },
    ];
  }
  return [];
}

/** When the charger's clock is used: minutes between the charger's start and stop timestamps. */
export function durationSeconds(state: SessionState): number | null {
  if (!state.startedAt || !state.completedAt || state.status !== 'CLOSED') return null;
  return Math.max(0, Math.floor((ms(state.completedAt) - ms(state.startedAt)) / 1000));
}
