/**
 * The session state as stored in `sessions.state` (jsonb), versioned: `toStoredState` writes the
 * current shape with `schemaVersion`; `fromStoredState` reads it, and also the unversioned flat shape
 * rows were written in before (version 1: ~40 nullable fields, no start/stop records), upcast to the
 * current one. An unknown version is refused: a newer build wrote the row, and guessing would corrupt it.
 */
import type {
  AuthType,
  ChargingState,
  FinalAmount,
  SessionFlag,
  SessionStatus,
  TariffSnapshot,
} from '@app/contracts';
import { failureReasonOf } from './failure';
import { sessionFlags } from './flags';
import {
  initialState,
  NO_ID_TOKEN_TAG,
  type ConnectorReport,
  type MeterPoint,
  type SessionState,
  type StartRecord,
} from './state';

export const STORED_STATE_VERSION = 2;

export type StoredSessionState = SessionState & { schemaVersion: typeof STORED_STATE_VERSION };

export class StoredStateError extends Error {}

export function toStoredState(state: SessionState): StoredSessionState {
  return { schemaVersion: STORED_STATE_VERSION, ...state };
}

export function fromStoredState(json: unknown): SessionState {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new StoredStateError(
      `sessions.state is not a JSON object (${json === null ? 'null' : typeof json})`,
    );
  }
  const version = (json as { schemaVersion?: unknown }).schemaVersion;
  if (version === undefined) return upcastV1(json as V1State);
  if (version === STORED_STATE_VERSION) {
    const { schemaVersion: _version, ...state } = json as StoredSessionState;
    // Same shape since issue 12, only more failure reasons: a row written before says START_REJECTED
    // for what is now CHARGER_REJECTED (failure.ts), read in today's words. No version bump, so a
    // build from before still reads rows this one writes (their reason is a string either way).
    if (state.failure) state.failure = { ...state.failure, reason: failureReasonOf(state.failure.reason) };
    // seqNos came with OCPP 2.0.1 (issue 13), additive like the reasons above: a row written before
    // folded no TransactionEvent. A build from before carries the field through untouched.
    if (!Array.isArray(state.seqNos)) state.seqNos = [];
    if (typeof state.seqNoFrom !== 'number') state.seqNoFrom = null;
    // A 2.0.1 session that started without an idToken was stored with idTag '' before it got
    // NO_ID_TOKEN_TAG: read as the placeholder, it still learns the token and completes valid.
    if (state.start?.chargerTransactionId !== undefined && state.idTag === '') state.idTag = NO_ID_TOKEN_TAG;
    return state as SessionState;
  }
  throw new StoredStateError(
    `sessions.state has schemaVersion ${JSON.stringify(version)}; this build reads 1 (unversioned) and ${STORED_STATE_VERSION}`,
  );
}

/** The flat shape written before the state was versioned (domain/session.ts until issue 11). */
export interface V1State {
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
  createdAt: string | null;
  startedAt: string | null;
  startReceivedAt: string | null;
  completedAt: string | null;
  completedReceivedAt: string | null;
  meterStartWh: number | null;
  beginReadingWh: number | null;
  meterStopWh: number | null;
  lastMeter: MeterPoint | null;
  connectorStatus: string | null;
  connectorStatusAt: string | null;
  connectorStatusReceivedAt: string | null;
  chargingState: ChargingState | null;
  chargingStateAt: string | null;
  stopReason: string | null;
  stopRequestedAt: string | null;
  stopRequestedBy: string | null;
  lastStopRequestAt?: string | null;
  failureReason: string | null;
  invalidReason: string | null;
  tariff: TariffSnapshot | null;
  startCommandId: string | null;
  flags: SessionFlag[];
  raisedFlags: SessionFlag[];
  minLagMs: number | null;
  maxLagMs: number | null;
  signedMeterValues: string[];
  finalAmount: FinalAmount | null;
  chargeId: string | null;
  pricedAt: string | null;
  lastUpdatedAt: string | null;
}

function upcastV1(v1: V1State): SessionState {
  const broken = (what: string) =>
    new StoredStateError(
      `sessions.state (version 1) of session ${v1.sessionId}: ${v1.status} without ${what}`,
    );
  const base = {
    ...initialState(),
    sessionId: v1.sessionId,
    fleetId: v1.fleetId,
    chargePointId: v1.chargePointId,
    connectorId: v1.connectorId,
    evse: v1.evse,
    createdAt: v1.createdAt,
    lastUpdatedAt: v1.lastUpdatedAt,
    tariff: v1.tariff,
    startCommandId: v1.startCommandId,
    beginReadingWh: v1.beginReadingWh,
    lastMeter: v1.lastMeter,
    connectorStatus: v1.connectorStatus,
    connectorStatusAt: v1.connectorStatusAt,
    connectorStatusReceivedAt: v1.connectorStatusReceivedAt,
    chargingState: v1.chargingState,
    chargingStateAt: v1.chargingStateAt,
    connectorReports: connectorReportsOf(v1),
    stopRequestedAt: v1.stopRequestedAt,
    stopRequestedBy: v1.stopRequestedBy,
    lastStopRequestAt: v1.lastStopRequestAt ?? null,
    raisedFlags: [...(v1.raisedFlags ?? [])].sort(),
    signedMeterValues: v1.signedMeterValues ?? [],
    finalAmount: v1.finalAmount,
    chargeId: v1.chargeId,
    pricedAt: v1.pricedAt,
  };
  const start: StartRecord | null =
    v1.transactionId !== null &&
    v1.meterStartWh !== null &&
    v1.startedAt !== null &&
    v1.startReceivedAt !== null
      ? {
          transactionId: v1.transactionId,
          meterStartWh: v1.meterStartWh,
          startedAt: v1.startedAt,
          receivedAt: v1.startReceivedAt,
        }
      : null;
  const who = () => {
    if (v1.idTag === null || v1.authType === null) throw broken('idTag/authType');
    return { authType: v1.authType, idTag: v1.idTag, userReference: v1.userReference };
  };
  let state: SessionState;
  switch (v1.status) {
    case null:
      return initialState();
    case 'STARTING':
    case 'PREPARING':
      if (v1.idTag === null) throw broken('idTag');
      state = {
        ...base,
        status: v1.status,
        authType: 'REMOTE',
        idTag: v1.idTag,
        userReference: v1.userReference,
      };
      break;
    case 'ACTIVE':
    case 'REMOTE_STOPPED':
      if (!start) throw broken('a start (transactionId, meterStartWh, startedAt, startReceivedAt)');
      state = { ...base, ...who(), status: v1.status, start };
      break;
    case 'CLOSED':
      if (!start) throw broken('a start (transactionId, meterStartWh, startedAt, startReceivedAt)');
      if (v1.meterStopWh === null || v1.completedAt === null)
        throw broken('a stop (meterStopWh, completedAt)');
      state = {
        ...base,
        ...who(),
        status: 'CLOSED',
        start,
        stop: {
          meterStopWh: v1.meterStopWh,
          completedAt: v1.completedAt,
          receivedAt: v1.completedReceivedAt,
          stopReason: v1.stopReason ?? 'Local',
        },
      };
      break;
    case 'INVALID':
      if (!start) throw broken('a start (transactionId, meterStartWh, startedAt, startReceivedAt)');
      if (v1.completedAt === null) throw broken('completedAt');
      state = {
        ...base,
        ...who(),
        status: 'INVALID',
        start,
        invalid: {
          reason: v1.invalidReason ?? '',
          meterStopWh: v1.meterStopWh,
          invalidatedAt: v1.completedAt,
          receivedAt: v1.completedReceivedAt,
          stopReason: v1.stopReason ?? 'Local',
        },
      };
      break;
    case 'FAILED':
      if (v1.completedAt === null) throw broken('completedAt');
      state = {
        ...base,
        ...who(),
        status: 'FAILED',
        start,
        failure: { reason: failureReasonOf(v1.failureReason), failedAt: v1.completedAt },
      };
      break;
    default:
      throw new StoredStateError(
        `sessions.state (version 1) of session ${v1.sessionId}: unknown status ${String(v1.status)}`,
      );
  }
  // The stored flags were derived by the old rule (lags of every record); the one rule re-derives them.
  state.flags = sessionFlags(state);
  return state;
}

/** Version 1 kept only the latest status and charging state: they become the reports the session knows. */
function connectorReportsOf(v1: V1State): ConnectorReport[] {
  const reports: ConnectorReport[] = [];
  if (v1.connectorStatus !== null && v1.connectorStatusAt !== null) {
    reports.push({
      status: v1.connectorStatus,
      at: v1.connectorStatusAt,
      receivedAt: v1.connectorStatusReceivedAt ?? v1.connectorStatusAt,
    });
  }
  if (
    v1.chargingState !== null &&
    v1.chargingStateAt !== null &&
    !(v1.chargingState === v1.connectorStatus && v1.chargingStateAt === v1.connectorStatusAt) &&
    (v1.connectorStatusAt === null || Date.parse(v1.chargingStateAt) < Date.parse(v1.connectorStatusAt))
  ) {
    reports.unshift({ status: v1.chargingState, at: v1.chargingStateAt, receivedAt: v1.chargingStateAt });
  }
  return reports;
}
