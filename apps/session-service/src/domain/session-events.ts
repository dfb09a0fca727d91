/**
 * The events of a session stream. The contract events (libs/contracts sessions.ts) are published
 * through the outbox to `charging.sessions.v1`; the `internal` ones only move the aggregate and are
 * never published. Stored event data may carry more fields than the contract (additive only).
 */
import type {
  ChargingState,
  SessionCompleted,
  SessionFailed,
  SessionFlag,
  SessionInvalidated,
  SessionMeterUpdated,
  SessionPriced,
  SessionRef,
  SessionRequested,
  SessionStarted,
  SessionStopRequested,
} from '@app/contracts';

/** RemoteStartTransaction accepted by the charger: STARTING → PREPARING. Internal. */
export interface SessionStartAccepted extends SessionRef {
  acceptedAt: string;
}

/** RemoteStopTransaction accepted by the charger: ACTIVE → REMOTE_STOPPED. Internal. */
export interface SessionRemoteStopAccepted extends SessionRef {
  acceptedAt: string;
}

/** A StatusNotification for the session's connector. Internal. */
export interface SessionConnectorStatusChanged extends SessionRef {
  /** OCPP ChargePointStatus (Available, Preparing, Charging, SuspendedEV, ...). */
  connectorStatus: string;
  /** Charger timestamp (or the receive time when the charger sent none). */
  at: string;
  receivedAt: string;
}

/** A flag raised by a timer or a rule (not derivable from timestamps). Internal. */
export interface SessionFlagRaised extends SessionRef {
  flag: SessionFlag;
  at: string;
}

/**
 * OCPP 2.0.1: the session folded the TransactionEvent with this seqNo (its other events, if any,
 * follow or precede it in the same decision). Internal.
 */
export interface SessionSeqNoSeen extends SessionRef {
  seqNo: number;
  receivedAt: string;
  /** Set by the event that starts the session: the first seqNo it expects (RecordStartTransaction.seqNoFrom). */
  from?: number;
}

/**
 * OCPP 2.0.1: a session that started on NO_ID_TOKEN_TAG (no idToken at the start) got the
 * driver's token from a later TransactionEvent (the Updated with triggerReason Authorized). Its
 * SessionCompleted carries it. Internal: the contract has no such event; SessionStarted went out
 * with the placeholder.
 */
export interface SessionIdTagLearned extends SessionRef {
  idTag: string;
  /** When the TransactionEvent carrying it reached us. */
  receivedAt: string;
}

/** billing reversed the charge on the session (a correction follows as a new charge). Internal. */
export interface SessionChargeReversed extends SessionRef {
  chargeId: string;
  reversesChargeId: string;
  reversedAt: string;
}

/** The stored shapes: the contract plus the charger/gateway times we keep for skew detection. */
export interface StoredSessionStarted extends SessionStarted {
  signedMeterValues?: string[];
  /** OCPP 2.0.1: the station queued its start while offline (flags.ts). */
  offline?: true;
  /** OCPP 2.0.1: the connector within the EVSE the transaction uses. */
  evseConnectorId?: number;
}
export interface StoredSessionMeterUpdated extends SessionMeterUpdated {
  receivedAt: string;
  /** Transaction.Begin reading, used only when StartTransaction.meterStart was a 0 placeholder. */
  context?: string;
  signedMeterValues?: string[];
}
export interface StoredSessionCompleted extends SessionCompleted {
  receivedAt: string | null;
  /** OCPP 2.0.1: the station queued its end while offline (flags.ts). */
  offline?: true;
}
export interface StoredSessionInvalidated extends SessionInvalidated {
  receivedAt: string | null;
  stopReason: string;
  signedMeterValues: string[];
  /** OCPP 2.0.1: the station queued its end while offline (flags.ts). */
  offline?: true;
}

export interface SessionEventDataMap {
  SessionRequested: SessionRequested & {
    commandId: string;
    tariff: import('@app/contracts').TariffSnapshot | null;
  };
  SessionStartAccepted: SessionStartAccepted;
  SessionStarted: StoredSessionStarted;
  SessionMeterUpdated: StoredSessionMeterUpdated;
  SessionConnectorStatusChanged: SessionConnectorStatusChanged;
  SessionStopRequested: SessionStopRequested;
  SessionRemoteStopAccepted: SessionRemoteStopAccepted;
  SessionCompleted: StoredSessionCompleted;
  SessionFailed: SessionFailed;
  SessionInvalidated: StoredSessionInvalidated;
  SessionPriced: SessionPriced;
  SessionChargeReversed: SessionChargeReversed;
  SessionFlagRaised: SessionFlagRaised;
  SessionSeqNoSeen: SessionSeqNoSeen;
  SessionIdTagLearned: SessionIdTagLearned;
}
export type SessionEventName = keyof SessionEventDataMap;
export type SessionEvent = {
  [K in SessionEventName]: { type: K; data: SessionEventDataMap[K] };
}[SessionEventName];

/** Event types published to `charging.sessions.v1`; the others stay in the store. */
export const PUBLISHED_SESSION_EVENTS: ReadonlySet<string> = new Set([
  'SessionRequested',
  'SessionStarted',
  'SessionMeterUpdated',
  'SessionStopRequested',
  'SessionCompleted',
  'SessionFailed',
  'SessionInvalidated',
  'SessionPriced',
]);

export const CHARGING_STATES: readonly ChargingState[] = [
  'Charging',
  'SuspendedEV',
  'SuspendedEVSE',
  'Finishing',
  'Faulted',
];
