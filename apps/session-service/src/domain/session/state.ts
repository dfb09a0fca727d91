/**
 * The state of one charging session: a union by `status`, so what a status implies is in the type.
 * An ACTIVE or REMOTE_STOPPED session has its start record, a CLOSED one its start and stop records,
 * an INVALID one its start and the refused stop, a FAILED one the reason it never started.
 *
 * The fields every session has (ids, charger, connector, status, flags, times, billing) stay at the
 * top, so a reader that shows a session needs no narrowing for them.
 */
import type {
  AuthType,
  ChargingState,
  FinalAmount,
  SessionFailureReason,
  SessionFlag,
  SessionStatus,
  TariffSnapshot,
} from '@app/contracts';

export interface MeterPoint {
  wh: number;
  measuredAt: string;
}

/** What the charger's StartTransaction said. */
export interface StartRecord {
  transactionId: number;
  meterStartWh: number;
  /** Charger clock. */
  startedAt: string;
  /** Gateway clock: when the StartTransaction reached us. */
  receivedAt: string;
  /** OCPP 2.0.1: the station's transactionId (RequestStopTransaction names it); absent for 1.6. */
  chargerTransactionId?: string;
  /** OCPP 2.0.1: the station said it queued the record while offline (flags.ts). */
  offline?: true;
  /** OCPP 2.0.1: the connector within the EVSE the transaction uses (RecordStartTransaction.evseConnectorId). */
  evseConnectorId?: number;
}

/**
 * The idTag of an OCPP 2.0.1 session whose transaction started without a usable idToken: none
 * (TxStartPoint EVConnected starts it at plug-in, the driver's token comes in a later Updated with
 * triggerReason Authorized) or idToken "" (type NoAuthorization, a free-vend station). The published
 * session events require a non-empty idTag (charging.session-started/-completed v1), so "no token"
 * gets its 2.0.1 IdTokenEnumType name instead of ''. The session replaces it with the first real
 * token a later TransactionEvent carries (SessionIdTagLearned); a 1.6 StartTransaction always has one.
 */
export const NO_ID_TOKEN_TAG = 'NoAuthorization';

/**
 * The TransactionEvent seqNos a session folded, as sorted, disjoint, non-adjacent inclusive ranges
 * ([[0, 41]] for an unbroken transaction): compact whatever the transaction's length. Empty for 1.6.
 */
export type SeqNoRanges = [number, number][];

/** How a session ended: the charger's StopTransaction, or a stop the service inferred. */
export interface StopRecord {
  meterStopWh: number;
  /** Charger clock (the last meter value's time for an inferred stop). */
  completedAt: string;
  /** Gateway clock; null for a stop the service inferred (no charger record). */
  receivedAt: string | null;
  /** OCPP Reason, or INFERRED. */
  stopReason: string;
  /** OCPP 2.0.1: the station said it queued the record while offline (flags.ts). */
  offline?: true;
}

/** A StopTransaction the session refused (its meterStop is below meterStart). */
export interface InvalidRecord {
  reason: string;
  meterStopWh: number | null;
  invalidatedAt: string;
  receivedAt: string | null;
  stopReason: string;
  /** OCPP 2.0.1: the station said it queued the record while offline (flags.ts). */
  offline?: true;
}

/** Why a session never started. */
export interface FailureRecord {
  /** See failure.ts; null only for a version-1 stored state that recorded none. */
  reason: SessionFailureReason | null;
  failedAt: string;
}

/** One StatusNotification of the session's connector, as the charger sent it. */
export interface ConnectorReport {
  status: string;
  /** Charger timestamp (the receive time when the charger sent none). */
  at: string;
  receivedAt: string;
}

interface SessionBase {
  sessionId: string;
  fleetId: string;
  chargePointId: string;
  connectorId: number;
  evse: string;
  /** Gateway/API time the session came to exist. */
  createdAt: string | null;
  lastUpdatedAt: string | null;
  tariff: TariffSnapshot | null;
  /** The RemoteStartTransaction command of a REMOTE session. */
  startCommandId: string | null;
  /** A Transaction.Begin reading, used only when StartTransaction.meterStart was a 0 placeholder. */
  beginReadingWh: number | null;
  lastMeter: MeterPoint | null;
  /** Derived from `connectorReports` (see connector.ts): the connector as the session shows it. */
  connectorStatus: string | null;
  connectorStatusAt: string | null;
  /** Receive time of that status (the inferred-stop timer runs on the gateway clock). */
  connectorStatusReceivedAt: string | null;
  chargingState: ChargingState | null;
  chargingStateAt: string | null;
  /** The connector's StatusNotifications (the latest CONNECTOR_REPORTS_KEPT, sorted). */
  connectorReports: ConnectorReport[];
  stopRequestedAt: string | null;
  stopRequestedBy: string | null;
  /** The latest stop request (the max_charging_time stop is repeated until the charger stops). */
  lastStopRequestAt: string | null;
  /** Every flag, derived by flags.ts (`sessionFlags`) from the state: the one flag rule. */
  flags: SessionFlag[];
  /** Flags raised by a rule or timer that the state cannot derive (MAX_CHARGING_TIME_REACHED), sorted. */
  raisedFlags: SessionFlag[];
  signedMeterValues: string[];
  finalAmount: FinalAmount | null;
  chargeId: string | null;
  pricedAt: string | null;
  /** OCPP 2.0.1: the seqNos folded so far (a repeated TransactionEvent folds once; gaps flag SEQ_NO_GAP). */
  seqNos: SeqNoRanges;
  /** OCPP 2.0.1: the first seqNo the session expects (see RecordStartTransaction.seqNoFrom); null: 0. */
  seqNoFrom: number | null;
}

/** No event yet. */
export interface NewSession extends SessionBase {
  status: null;
  authType: null;
  idTag: null;
  userReference: null;
  start: null;
  stop: null;
  invalid: null;
  failure: null;
}

/** Asked for through the API; the charger has not started a transaction yet. */
export interface RequestedSession extends SessionBase {
  status: 'STARTING' | 'PREPARING';
  authType: 'REMOTE';
  idTag: string;
  userReference: string | null;
  start: null;
  stop: null;
  invalid: null;
  failure: null;
}

/** A charger transaction that still runs (a StopTransaction may come). */
export interface ChargingSession extends SessionBase {
  status: 'ACTIVE' | 'REMOTE_STOPPED';
  authType: AuthType;
  idTag: string;
  userReference: string | null;
  start: StartRecord;
  stop: null;
  invalid: null;
  failure: null;
}

export interface ClosedSession extends SessionBase {
  status: 'CLOSED';
  authType: AuthType;
  idTag: string;
  userReference: string | null;
  start: StartRecord;
  stop: StopRecord;
  invalid: null;
  failure: null;
}

export interface InvalidSession extends SessionBase {
  status: 'INVALID';
  authType: AuthType;
  idTag: string;
  userReference: string | null;
  start: StartRecord;
  stop: null;
  invalid: InvalidRecord;
  failure: null;
}

/** A REMOTE session whose start was rejected, failed or timed out. */
export interface FailedSession extends SessionBase {
  status: 'FAILED';
  authType: AuthType;
  idTag: string;
  userReference: string | null;
  start: StartRecord | null;
  stop: null;
  invalid: null;
  failure: FailureRecord;
}

export type SessionState =
  NewSession | RequestedSession | ChargingSession | ClosedSession | InvalidSession | FailedSession;

/** A session that has a charger transaction (running or ended). */
export type StartedSession = ChargingSession | ClosedSession | InvalidSession;

export function initialState(): NewSession {
  return {
    status: null,
    sessionId: '',
    fleetId: '',
    chargePointId: '',
    connectorId: 0,
    evse: '',
    authType: null,
    idTag: null,
    userReference: null,
    createdAt: null,
    lastUpdatedAt: null,
    tariff: null,
    startCommandId: null,
    start: null,
    stop: null,
    invalid: null,
    failure: null,
    beginReadingWh: null,
    lastMeter: null,
    connectorStatus: null,
    connectorStatusAt: null,
    connectorStatusReceivedAt: null,
    chargingState: null,
    chargingStateAt: null,
    connectorReports: [],
    stopRequestedAt: null,
    stopRequestedBy: null,
    lastStopRequestAt: null,
    flags: [],
    raisedFlags: [],
    signedMeterValues: [],
    finalAmount: null,
    chargeId: null,
    pricedAt: null,
    seqNos: [],
    seqNoFrom: null,
  };
}

const OPEN: ReadonlySet<SessionStatus> = new Set(['STARTING', 'PREPARING', 'ACTIVE', 'REMOTE_STOPPED']);
const FINISHED: ReadonlySet<SessionStatus> = new Set(['CLOSED', 'FAILED', 'INVALID']);

export function isOpen(state: SessionState): boolean {
  return state.status !== null && OPEN.has(state.status);
}
export function isFinished(state: SessionState): state is ClosedSession | InvalidSession | FailedSession {
  return state.status !== null && FINISHED.has(state.status);
}
/** Has a charger transaction that is still running (a StopTransaction may come). */
export function isCharging(state: SessionState): state is ChargingSession {
  return state.status === 'ACTIVE' || state.status === 'REMOTE_STOPPED';
}
/**
 * A running OCPP 2.0.1 session on NO_ID_TOKEN_TAG: the first real idToken a TransactionEvent of its
 * transaction carries becomes its idTag. Not once it ended: its SessionCompleted went out already.
 */
export function awaitsIdTag(state: SessionState): state is ChargingSession {
  return (
    isCharging(state) && state.idTag === NO_ID_TOKEN_TAG && state.start.chargerTransactionId !== undefined
  );
}
/** Has (or had) a charger transaction. */
export function isStarted(state: SessionState): state is StartedSession {
  return (
    state.status === 'ACTIVE' ||
    state.status === 'REMOTE_STOPPED' ||
    state.status === 'CLOSED' ||
    state.status === 'INVALID'
  );
}

/** When the session ended (charger time of the stop, or of the failure), or null while it runs. */
export function endedAt(state: SessionState): string | null {
  return state.stop?.completedAt ?? state.invalid?.invalidatedAt ?? state.failure?.failedAt ?? null;
}

/** The OCPP stop reason (or INFERRED) of a CLOSED or INVALID session, else null. */
export function stopReasonOf(state: SessionState): string | null {
  return state.stop?.stopReason ?? state.invalid?.stopReason ?? null;
}

/** meterStart as billed: StartTransaction's, unless it was a 0 placeholder and a real Transaction.Begin reading exists. */
export function billedMeterStart(s: SessionState & { start: StartRecord }): number {
  if (s.start.meterStartWh === 0 && s.beginReadingWh !== null && s.beginReadingWh > 0)
    return s.beginReadingWh;
  return s.start.meterStartWh;
}

/** `billedMeterStart`, or null before the charger started a transaction. */
export function effectiveMeterStart(s: SessionState): number | null {
  return s.start === null ? null : billedMeterStart(s as SessionState & { start: StartRecord });
}

/** Seconds between the charger's start and stop timestamps (the charger's clock), for a CLOSED session; else null. */
export function durationSeconds(state: SessionState): number | null {
  if (state.status !== 'CLOSED') return null;
  return Math.max(
    0,
    Math.floor((Date.parse(state.stop.completedAt) - Date.parse(state.start.startedAt)) / 1000),
  );
}
