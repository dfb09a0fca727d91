/**
 * `charging.sessions.v1`, key sessionId, producer session-service (through its outbox).
 * Envelope `id` is the event-store event id, so consumers deduplicate redeliveries by it.
 */
import type { Actor } from './billing';
import type { Envelope } from './envelope';
import type { FinalAmount, TariffSnapshot } from './money';

export const SESSION_STATUSES = [
  'STARTING',
  'PREPARING',
  'ACTIVE',
  'REMOTE_STOPPED',
  'CLOSED',
  'FAILED',
  'INVALID',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export type AuthType = 'LOCAL' | 'REMOTE';
export type ChargingState = 'Charging' | 'SuspendedEV' | 'SuspendedEVSE' | 'Finishing' | 'Faulted';

/** Why a session needs a human look; carried to the charge and the exports. */
export type SessionFlag =
  | 'INFERRED_STOP'
  | 'CLOCK_SKEW'
  | 'LATE_EVENTS'
  | 'MISSING_TARIFF'
  | 'MAX_CHARGING_TIME_REACHED'
  /** OCPP 2.0.1: a TransactionEvent seqNo was skipped (an event of the transaction never arrived). */
  | 'SEQ_NO_GAP';

/** What every session event carries to identify the session. */
export interface SessionRef {
  sessionId: string;
  fleetId: string;
  chargePointId: string;
  connectorId: number;
  /** EVSE id as registered, or `{chargePointId}*{connectorId}`. */
  evse: string;
  /**
   * The charger's transactionId, once known. For an OCPP 2.0.1 station (string ids) the number
   * `ocpp201TransactionNumber(chargePointId, chargerTransactionId)` (ids.ts): >= 2^31, exact.
   */
  transactionId?: number;
  /** OCPP 2.0.1 only: the station's own transactionId (up to 36 characters), verbatim. */
  chargerTransactionId?: string;
}

export interface SessionRequested extends SessionRef {
  authType: 'REMOTE';
  userReference: string | null;
  idTag: string;
  requestedAt: string;
  /** Who asked (the API credential); absent on records from before actors were recorded. */
  actor?: Actor;
}

export interface SessionStarted extends SessionRef {
  transactionId: number;
  authType: AuthType;
  idTag: string;
  userReference: string | null;
  meterStartWh: number;
  /** Charger's timestamp of StartTransaction. */
  startedAt: string;
  /** Gateway receive time of StartTransaction. */
  receivedAt: string;
  tariff: TariffSnapshot | null;
}

export interface SessionMeterUpdated extends SessionRef {
  /** Latest Energy.Active.Import.Register reading, Wh (integer). */
  meterWh: number;
  measuredAt: string;
  chargingState?: ChargingState;
}

export interface SessionStopRequested extends SessionRef {
  requestedAt: string;
  /** "API", "MAX_CHARGING_TIME". */
  requestedBy: string;
  /**
   * Who asked: the API credential, or the service itself (system) for MAX_CHARGING_TIME; absent on
   * records from before actors were recorded.
   */
  actor?: Actor;
}

/** Everything billing needs to price the session, with nothing to look up elsewhere. */
export interface SessionCompleted extends SessionRef {
  transactionId: number;
  authType: AuthType;
  userReference: string | null;
  idTag: string;
  tariff: TariffSnapshot | null;
  meterStartWh: number;
  meterStopWh: number;
  /** Charger clock (the one durations are computed from). */
  startedAt: string;
  completedAt: string;
  /** OCPP StopTransaction.reason, or "INFERRED" when closed without a StopTransaction. */
  stopReason: string;
  flags: SessionFlag[];
  /**
   * Signed meter values (e.g. OCMF `SignedData`) from StartTransaction/MeterValues/StopTransaction
   * transactionData, verbatim as the charger sent them, so a customer can check the bill.
   */
  signedMeterValues: string[];
}

/**
 * Why a remote start failed (README "Why a start failed"):
 * - CHARGER_OFFLINE: the gateway answered the RemoteStartTransaction `Offline` (no replica holds the charger);
 * - CHARGER_REJECTED: the charger answered RemoteStartTransaction `Rejected`;
 * - CONNECTOR_UNAVAILABLE: it answered `Rejected` while the requested connector (or the whole
 *   charger, connector 0) last reported Unavailable or Faulted;
 * - START_TIMEOUT: no answer before the command's deadline, or no StartTransaction within
 *   START_TIMEOUT_SECONDS of the request;
 * - COMMAND_ERROR: the charger answered a CALLERROR (or the command could not be delivered).
 */
export const SESSION_FAILURE_REASONS = [
  'CHARGER_OFFLINE',
  'CHARGER_REJECTED',
  'START_TIMEOUT',
  'CONNECTOR_UNAVAILABLE',
  'COMMAND_ERROR',
] as const;
export type SessionFailureReason = (typeof SESSION_FAILURE_REASONS)[number];
/**
 * What records written before issue 12 said for a RemoteStartTransaction answered `Rejected` (now
 * CHARGER_REJECTED). Still valid in the v1 schema so those records validate; no new event carries it.
 */
export const LEGACY_START_REJECTED = 'START_REJECTED';

export interface SessionFailed extends SessionRef {
  reason: SessionFailureReason | typeof LEGACY_START_REJECTED;
  failedAt: string;
}

export interface SessionInvalidated extends SessionRef {
  reason: string;
  meterStartWh?: number;
  meterStopWh?: number;
  invalidatedAt: string;
}

export interface SessionPriced extends SessionRef {
  chargeId: string;
  finalAmount: FinalAmount;
  pricedAt: string;
}

export interface SessionEventMap {
  SessionRequested: SessionRequested;
  SessionStarted: SessionStarted;
  SessionMeterUpdated: SessionMeterUpdated;
  SessionStopRequested: SessionStopRequested;
  SessionCompleted: SessionCompleted;
  SessionFailed: SessionFailed;
  SessionInvalidated: SessionInvalidated;
  SessionPriced: SessionPriced;
}
export type SessionEventType = keyof SessionEventMap;
export const SESSION_EVENT_SCHEMAS: Record<SessionEventType, string> = {
  SessionRequested: 'charging.session-requested/v1',
  SessionStarted: 'charging.session-started/v1',
  SessionMeterUpdated: 'charging.session-meter-updated/v1',
  SessionStopRequested: 'charging.session-stop-requested/v1',
  SessionCompleted: 'charging.session-completed/v1',
  SessionFailed: 'charging.session-failed/v1',
  SessionInvalidated: 'charging.session-invalidated/v1',
  SessionPriced: 'charging.session-priced/v1',
};
export const SESSIONS_SOURCE = 'session-service';

export type SessionEventEnvelope = {
  [K in SessionEventType]: Envelope<SessionEventMap[K], K>;
}[SessionEventType];
