/**
 * `decide(command, state) → events`, pure (no clock, no I/O: times come in the commands). One
 * function per command; `decide` only dispatches.
 */
import type { Actor, SessionRef } from '@app/contracts';
import type { EnergyReading } from '../meter-values';
import type { SessionEvent, StoredSessionCompleted } from '../session-events';
import type {
  CheckTimers,
  RecordCharge,
  RecordMeterValues,
  RecordRemoteStartResult,
  RecordRemoteStopResult,
  RecordStartTransaction,
  RecordStatusNotification,
  RecordStopTransaction,
  RequestStart,
  RequestStop,
  SessionCommand,
} from './commands';
import { SessionRuleError } from './commands';
import { sameReport } from './connector';
import { startFailureReason } from './failure';
import { closed, fold, mergeSigned } from './evolve';
import { hasSeqNo } from './seq-nos';
import {
  awaitsIdTag,
  billedMeterStart,
  isCharging,
  NO_ID_TOKEN_TAG,
  type ChargingSession,
  type SessionState,
  type StopRecord,
} from './state';
import { inferredStopAt, maxChargingStopDueAt, startTimeoutAt } from './timers';

/** The actor of what the service decides itself (a stop at max_charging_time). */
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'session-service' };

const ms = (iso: string) => Date.parse(iso);

function ref(s: SessionState): SessionRef {
  const r: SessionRef = {
    sessionId: s.sessionId,
    fleetId: s.fleetId,
    chargePointId: s.chargePointId,
    connectorId: s.connectorId,
    evse: s.evse,
  };
  if (s.start !== null) r.transactionId = s.start.transactionId;
  if (s.start?.chargerTransactionId !== undefined) r.chargerTransactionId = s.start.chargerTransactionId;
  return r;
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

/** The SessionCompleted of a running session ending with `stop`: the facts and flags of the CLOSED state it folds to. */
function completion(state: ChargingSession, stop: StopRecord, signed: string[]): StoredSessionCompleted {
  const after = closed(state, stop, signed);
  return {
    ...ref(after),
    transactionId: after.start.transactionId,
    authType: after.authType,
    userReference: after.userReference,
    idTag: after.idTag,
    tariff: after.tariff,
    meterStartWh: billedMeterStart(after),
    meterStopWh: stop.meterStopWh,
    startedAt: after.start.startedAt,
    completedAt: stop.completedAt,
    receivedAt: stop.receivedAt,
    stopReason: stop.stopReason,
    flags: after.flags,
    signedMeterValues: after.signedMeterValues,
    ...(stop.offline ? { offline: true as const } : {}),
  };
}

function requestStart(command: RequestStart, state: SessionState): SessionEvent[] {
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

function recordRemoteStartResult(command: RecordRemoteStartResult, state: SessionState): SessionEvent[] {
  if (state.status !== 'STARTING' && state.status !== 'PREPARING') return [];
  if (command.outcome === 'Accepted') {
    return state.status === 'STARTING'
      ? [{ type: 'SessionStartAccepted', data: { ...ref(state), acceptedAt: command.at } }]
      : [];
  }
  const reason = startFailureReason(command.outcome, {
    connector: command.connectorStatus?.connector ?? state.connectorStatus,
    charger: command.connectorStatus?.charger ?? null,
  });
  return [{ type: 'SessionFailed', data: { ...ref(state), reason, failedAt: command.at } }];
}

function recordStartTransaction(command: RecordStartTransaction, state: SessionState): SessionEvent[] {
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
        ...(command.chargerTransactionId !== undefined
          ? { chargerTransactionId: command.chargerTransactionId }
          : {}),
        ...(command.offline ? { offline: true as const } : {}),
        ...(command.evseConnectorId !== undefined ? { evseConnectorId: command.evseConnectorId } : {}),
      },
    },
  ];
}

function recordMeterValues(command: RecordMeterValues, state: SessionState): SessionEvent[] {
  if (state.start === null) return [];
  const events: SessionEvent[] = meterUpdates(state, command.readings, command.receivedAt);
  // 2.0.1 reports the charging state in the TransactionEvent, not in StatusNotification (which
  // says Occupied): it joins the connector reports the session's charging_state derives from.
  const charging = command.chargingState;
  const report = charging && { status: charging.state, at: charging.at, receivedAt: command.receivedAt };
  const statusChange: SessionEvent[] =
    report && !state.connectorReports.some((r) => sameReport(r, report))
      ? [
          {
            type: 'SessionConnectorStatusChanged',
            data: {
              ...ref(state),
              connectorStatus: report.status,
              at: report.at,
              receivedAt: report.receivedAt,
            },
          },
        ]
      : [];
  if (events.length > 0 && command.signed.length > 0) {
    // Signed data travels with the first kept reading (not the first sent: that may be a placeholder).
    events[0] = {
      ...events[0],
      data: { ...events[0].data, signedMeterValues: command.signed },
    } as SessionEvent;
  } else if (command.signed.length > 0) {
    // Signed data without a plain reading: keep it anyway (attached to the last reading we know).
    const at = state.lastMeter ?? { wh: state.start.meterStartWh, measuredAt: state.start.startedAt };
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
  return [...events, ...statusChange];
}

function recordStatusNotification(command: RecordStatusNotification, state: SessionState): SessionEvent[] {
  if (state.status === null) return [];
  const report = {
    status: command.connectorStatus,
    at: command.timestamp ?? command.receivedAt,
    receivedAt: command.receivedAt,
  };
  if (state.connectorReports.some((r) => sameReport(r, report))) return []; // the same record again
  return [
    {
      type: 'SessionConnectorStatusChanged',
      data: { ...ref(state), connectorStatus: report.status, at: report.at, receivedAt: report.receivedAt },
    },
  ];
}

function recordStopTransaction(command: RecordStopTransaction, state: SessionState): SessionEvent[] {
  if (!isCharging(state)) return []; // repeated stop, or a stop for a session that never started: nothing changes
  const signed = mergeSigned([], command.signed);
  // Readings in transactionData are meter values like any other (a Transaction.End reading, samples).
  const events: SessionEvent[] = meterUpdates(state, command.readings, command.receivedAt);
  const withReadings = fold(events, state) as ChargingSession; // meter updates never change the status
  const meterStart = billedMeterStart(withReadings);
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
        ...(command.offline ? { offline: true as const } : {}),
      },
    });
    return events;
  }
  events.push({
    type: 'SessionCompleted',
    data: completion(
      withReadings,
      {
        meterStopWh: command.meterStopWh,
        completedAt: command.timestamp,
        receivedAt: command.receivedAt,
        stopReason: command.reason ?? 'Local',
        ...(command.offline ? { offline: true as const } : {}),
      },
      signed,
    ),
  });
  return events;
}

function requestStop(command: RequestStop, state: SessionState): SessionEvent[] {
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

function recordRemoteStopResult(command: RecordRemoteStopResult, state: SessionState): SessionEvent[] {
  if (state.status !== 'ACTIVE' || command.outcome !== 'Accepted') return [];
  return [{ type: 'SessionRemoteStopAccepted', data: { ...ref(state), acceptedAt: command.at } }];
}

function checkTimers(command: CheckTimers, state: SessionState): SessionEvent[] {
  const now = ms(command.now);
  const settings = {
    stopGraceMinutes: command.stopGraceMinutes,
    startTimeoutSeconds: command.startTimeoutSeconds,
  };
  const timeout = startTimeoutAt(state, settings);
  if (timeout !== null) {
    return now >= timeout
      ? [{ type: 'SessionFailed', data: { ...ref(state), reason: 'START_TIMEOUT', failedAt: command.now } }]
      : [];
  }
  if (!isCharging(state)) return [];
  // Connector back to Available without a StopTransaction: close from the last meter value after the grace period.
  const inferred = inferredStopAt(state, settings);
  if (inferred !== null && now >= inferred) {
    const start = billedMeterStart(state);
    const last = state.lastMeter;
    const meterStop = last && last.wh >= start ? last.wh : start;
    const completedAt =
      last && last.wh === meterStop ? last.measuredAt : (state.connectorStatusAt ?? command.now);
    return [
      {
        type: 'SessionCompleted',
        data: completion(
          state,
          { meterStopWh: meterStop, completedAt, receivedAt: null, stopReason: 'INFERRED' },
          [],
        ),
      },
    ];
  }
  // Still within the grace period: a max_charging_time stop that falls due now still applies.
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

function recordCharge(command: RecordCharge, state: SessionState): SessionEvent[] {
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

type Decider<K extends SessionCommand['type']> = (
  command: Extract<SessionCommand, { type: K }>,
  state: SessionState,
) => SessionEvent[];

const DECIDERS: { [K in SessionCommand['type']]: Decider<K> } = {
  RequestStart: requestStart,
  RecordRemoteStartResult: recordRemoteStartResult,
  RecordStartTransaction: recordStartTransaction,
  RecordMeterValues: recordMeterValues,
  RecordStatusNotification: recordStatusNotification,
  RecordStopTransaction: recordStopTransaction,
  RequestStop: requestStop,
  RecordRemoteStopResult: recordRemoteStopResult,
  CheckTimers: checkTimers,
  RecordCharge: recordCharge,
};

type SeqNoCommand = RecordStartTransaction | RecordMeterValues | RecordStopTransaction;

const hasSeqNoField = (c: SessionCommand): c is SeqNoCommand =>
  c.type === 'RecordStartTransaction' || c.type === 'RecordMeterValues' || c.type === 'RecordStopTransaction';

/**
 * OCPP 2.0.1: a session that started on NO_ID_TOKEN_TAG takes the first real idToken of its
 * transaction (SessionIdTagLearned) before the rest of the event, so a stop that brings the token
 * already completes with it.
 */
function learningIdTag(decider: Decider<SessionCommand['type']>): Decider<SeqNoCommand['type']> {
  return (command, state) => {
    const token = command.idTag;
    if (token === undefined || token === '' || token === NO_ID_TOKEN_TAG || !awaitsIdTag(state))
      return decider(command, state);
    const learned: SessionEvent[] = [
      { type: 'SessionIdTagLearned', data: { ...ref(state), idTag: token, receivedAt: command.receivedAt } },
    ];
    return [...learned, ...decider(command, fold(learned, state))];
  };
}

/**
 * An OCPP 2.0.1 command (it carries the TransactionEvent's seqNo): once per seqNo. The seqNo is
 * recorded (SessionSeqNoSeen) even when the event changes nothing else, so a gap means an event
 * that never came. A start records it after SessionStarted (the session exists from then on);
 * any other command before its events, so a stop's SessionCompleted already counts its own seqNo.
 */
function decideOnce(
  command: SeqNoCommand & { seqNo: number },
  state: SessionState,
  decider: Decider<SessionCommand['type']>,
): SessionEvent[] {
  if (hasSeqNo(state.seqNos, command.seqNo)) return []; // the station repeated this TransactionEvent
  const seen = (s: SessionState): SessionEvent => ({
    type: 'SessionSeqNoSeen',
    data: {
      ...ref(s),
      seqNo: command.seqNo,
      receivedAt: command.receivedAt,
      ...(command.type === 'RecordStartTransaction' ? { from: command.seqNoFrom ?? 0 } : {}),
    },
  });
  if (command.type === 'RecordStartTransaction') {
    const events = decider(command, state);
    const after = fold(events, state);
    return after.status === null ? events : [...events, seen(after)];
  }
  if (state.status === null) return decider(command, state); // no session to record it on
  const first = seen(state);
  return [first, ...decider(command, fold([first], state))];
}

export function decide(command: SessionCommand, state: SessionState): SessionEvent[] {
  const decider = DECIDERS[command.type] as Decider<SessionCommand['type']> | undefined;
  if (!decider) throw new Error(`unknown session command ${(command as { type: string }).type}`);
  if (!hasSeqNoField(command)) return decider(command, state);
  const learning = learningIdTag(decider) as Decider<SessionCommand['type']>;
  if (command.seqNo !== undefined)
    return decideOnce(command as SeqNoCommand & { seqNo: number }, state, learning);
  return learning(command, state);
}
