/** What the session aggregate is asked to do; `decide` answers each with events (or a SessionRuleError). */
import type { Actor, ChargingState, FinalAmount, TariffSnapshot } from '@app/contracts';
import type { EnergyReading } from '../meter-values';

export type RemoteOutcome = 'Accepted' | 'Rejected' | 'Offline' | 'Timeout' | 'Error';

/** The connector's last StatusNotification status when an answer was recorded (null: none known); see failure.ts. */
export interface ConnectorStatusAtAnswer {
  /** The requested connector. */
  connector: string | null;
  /** Connector 0: the charge point as a whole. */
  charger: string | null;
}

export interface RequestStart {
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

export interface RecordRemoteStartResult {
  type: 'RecordRemoteStartResult';
  outcome: RemoteOutcome;
  at: string;
  /**
   * The last status the charger reported for the requested connector and for connector 0 when the
   * answer was recorded (the connectors projection): tells CONNECTOR_UNAVAILABLE from
   * CHARGER_REJECTED (failure.ts). Absent: only what the session itself saw counts.
   */
  connectorStatus?: ConnectorStatusAtAnswer;
}

export interface RecordStartTransaction {
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
  /** OCPP 2.0.1: the station's transactionId (`transactionId` is its ocpp201TransactionNumber). */
  chargerTransactionId?: string;
  /** OCPP 2.0.1: the TransactionEvent's seqNo (see `seqNo` on the record commands). */
  seqNo?: number;
  /**
   * OCPP 2.0.1: the first seqNo the session can expect (SEQ_NO_GAP counts from it): 0 when the
   * TransactionEvent Started starts it (a station numbers a transaction's events from 0), the
   * event's own seqNo when a later one does (a Started without an energy reading starts nothing,
   * so the session cannot tell it from a lost one). Absent: 0.
   */
  seqNoFrom?: number;
  /** OCPP 2.0.1 `offline: true`: the station queued the event while offline (see flags.ts). */
  offline?: boolean;
  /**
   * OCPP 2.0.1: the connector within the EVSE (`evse.connectorId`) the transaction uses, when the
   * station said: the status reports of the EVSE's other connectors are not this session's.
   */
  evseConnectorId?: number;
}

/** OCPP 2.0.1 `transactionInfo.chargingState` as a session charging state, with the event's time. */
export interface ChargingStateReport {
  state: ChargingState;
  /** Charger time of the TransactionEvent. */
  at: string;
}

export interface RecordMeterValues {
  type: 'RecordMeterValues';
  readings: EnergyReading[];
  signed: string[];
  receivedAt: string;
  /**
   * OCPP 2.0.1: the TransactionEvent's seqNo. A command whose seqNo the session already folded
   * yields no events (a TransactionEvent the station repeated); absent for 1.6 records.
   */
  seqNo?: number;
  /** OCPP 2.0.1: the TransactionEvent's charging state (Charging, SuspendedEV, SuspendedEVSE). */
  chargingState?: ChargingStateReport;
  /** OCPP 2.0.1: the TransactionEvent's idToken, when non-empty (a session started without one learns it). */
  idTag?: string;
}

export interface RecordStatusNotification {
  type: 'RecordStatusNotification';
  connectorStatus: string;
  timestamp: string | null;
  receivedAt: string;
}

export interface RecordStopTransaction {
  type: 'RecordStopTransaction';
  transactionId: number;
  meterStopWh: number;
  timestamp: string;
  receivedAt: string;
  reason: string | null;
  signed: string[];
  readings: EnergyReading[];
  /** OCPP 2.0.1: the TransactionEvent's seqNo (see RecordMeterValues). */
  seqNo?: number;
  /** OCPP 2.0.1 `offline: true`: the station queued the event while offline (see flags.ts). */
  offline?: boolean;
  /** OCPP 2.0.1: the TransactionEvent's idToken, when non-empty (see RecordMeterValues). */
  idTag?: string;
}

export interface RequestStop {
  type: 'RequestStop';
  requestedAt: string;
  requestedBy: string;
  actor: Actor;
}

export interface RecordRemoteStopResult {
  type: 'RecordRemoteStopResult';
  outcome: RemoteOutcome;
  at: string;
}

export interface CheckTimers {
  type: 'CheckTimers';
  now: string;
  stopGraceMinutes: number;
  startTimeoutSeconds: number;
}

export interface RecordCharge {
  type: 'RecordCharge';
  chargeId: string;
  kind: 'CHARGE' | 'REVERSAL';
  reversesChargeId?: string;
  finalAmount: FinalAmount;
  pricedAt: string;
}

export type SessionCommand =
  | RequestStart
  | RecordRemoteStartResult
  | RecordStartTransaction
  | RecordMeterValues
  | RecordStatusNotification
  | RecordStopTransaction
  | RequestStop
  | RecordRemoteStopResult
  | CheckTimers
  | RecordCharge;

export class SessionRuleError extends Error {
  constructor(
    readonly code: 'SESSION_NOT_FOUND' | 'SESSION_EXISTS' | 'NOT_STOPPABLE',
    message: string,
  ) {
    super(message);
  }
}
