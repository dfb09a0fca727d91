/**
 * What one OCPP CALL means for the sessions: which session it joins and with which command, which
 * anomaly it is, or what it says about a connector. Pure: no I/O, no clock; the sessions it can see
 * (those of the batch, with the changes of the records before it) come in as a lookup.
 */
import { nameUuid, type Envelope, type OcppCallReceived, type TariffPublished } from '@app/contracts';
import { parseMeterValues } from '../domain/meter-values';
import { isCharging, type ClosedSession, type SessionCommand, type SessionState } from '../domain/session';
import { selectTariff } from '../domain/tariff-selection';
import type { ConnectorReport } from './charger-status';

/** Kept for a human (the `anomalies` table): the gateway confirmed these to the charger anyway. */
export type AnomalyKind =
  'MALFORMED_START' | 'MALFORMED_STOP' | 'STOP_FOR_UNKNOWN_TRANSACTION' | 'STOP_AFTER_INFERRED_CLOSE';

export type RecordEffect =
  /** Run `command` on the session (a new one when the id is unknown). */
  | { kind: 'session'; sessionId: string; command: SessionCommand }
  | { kind: 'anomaly'; anomaly: AnomalyKind; detail: Record<string, unknown> }
  /** The connector's status as the charger reported it (`at`: charger time, else receive time). */
  | ({ kind: 'connectorStatus' } & ConnectorReport);

export interface RecordRoute {
  /** In order: a StatusNotification's connector update comes before its session command. */
  effects: RecordEffect[];
  /** False when the record carries nothing for sessions (Heartbeat, BootNotification, readings outside a transaction). */
  relevant: boolean;
}

/** The sessions a record can join: those of the batch, as changed by the records before it. */
export interface SessionLookup {
  byTransaction(chargePointId: string, transactionId: number): SessionState | null;
  openOnConnector(
    chargePointId: string,
    connectorId: number,
    filter?: (s: SessionState) => boolean,
  ): SessionState | null;
  /** The newest ended session on the connector still awaiting the connector free, when none is open there. */
  endedAwaitingConnectorFree(chargePointId: string, connectorId: number): SessionState | null;
}

export interface RoutingContext {
  /** The registered EVSE id of a connector, else `{chargePointId}*{connectorId}`. */
  evseOf(chargePointId: string, connectorId: number): string;
  /** Candidate tariffs of the batch (the StartTransaction snapshots the one in force). */
  tariffs: readonly TariffPublished[];
}

export type OcppCallRecord = Pick<Envelope<OcppCallReceived>, 'id' | 'time' | 'data'>;

// Shared with route-ocpp201-record.ts (the 2.0.1 router).
export type Rec = Record<string, unknown>;
export const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
export const int = (v: unknown): number | null =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
/** Charger times as ISO-8601 UTC (same instant); null when unparsable. */
export function iso(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

export const NOTHING: RecordRoute = { effects: [], relevant: false };

/** Closed by the service on its last meter value: a charger stop that comes now is STOP_AFTER_INFERRED_CLOSE. */
export const closedByInference = (s: SessionState): s is ClosedSession =>
  s.status === 'CLOSED' && s.stop.stopReason === 'INFERRED';

/**
 * The session a connector's status report belongs to: the charging one on the connector; with
 * none open there, the session that ended there last, until the connector is free
 * (domain/session/connector.ts). A session still waiting for its start takes none.
 */
export function sessionTakingConnectorReport(
  sessions: SessionLookup,
  chargePointId: string,
  connectorId: number,
): SessionState | null {
  return (
    sessions.openOnConnector(chargePointId, connectorId, isCharging) ??
    (sessions.openOnConnector(chargePointId, connectorId)
      ? null
      : sessions.endedAwaitingConnectorFree(chargePointId, connectorId))
  );
}

/** The session id a LOCAL session started by this record gets (stable across redeliveries). */
export const localSessionId = (recordId: string) => nameUuid('local-session', recordId);

export function routeOcppCall(
  record: OcppCallRecord,
  sessions: SessionLookup,
  ctx: RoutingContext,
): RecordRoute {
  const d = record.data;
  const cp = d.chargePointId;
  // The envelope passed the contract check (the consumer's edge): payload and reply are objects and
  // receivedAt an instant. The payload's fields are the charger's, parsed here.
  const payload = d.payload as Rec;
  const receivedAt = new Date(d.receivedAt).toISOString();
  const anomaly = (kind: AnomalyKind, detail: Rec): RecordEffect => ({
    kind: 'anomaly',
    anomaly: kind,
    detail: { action: d.action, messageId: d.messageId, ...detail },
  });

  switch (d.action) {
    case 'StartTransaction': {
      const connectorId = int(payload.connectorId);
      const transactionId = int((d.reply as Rec).transactionId);
      const meterStart = int(payload.meterStart);
      const idTag = typeof payload.idTag === 'string' ? payload.idTag : '';
      if (connectorId === null || transactionId === null || meterStart === null)
        return { effects: [anomaly('MALFORMED_START', { payload, reply: d.reply })], relevant: true };
      const timestamp = iso(payload.timestamp) ?? receivedAt;
      // A redelivered start finds its session by transaction; a remote start by the idTag it sent.
      const joined =
        sessions.byTransaction(cp, transactionId) ??
        sessions.openOnConnector(
          cp,
          connectorId,
          (s) => (s.status === 'STARTING' || s.status === 'PREPARING') && s.idTag === idTag,
        );
      const sessionId = joined?.sessionId ?? localSessionId(record.id);
      const evse = joined?.evse ?? ctx.evseOf(cp, connectorId);
      const tariff = selectTariff(
        [...ctx.tariffs],
        { fleetId: d.fleetId, chargePointId: cp, evse },
        timestamp,
      );
      return {
        effects: [
          {
            kind: 'session',
            sessionId,
            command: {
              type: 'RecordStartTransaction',
              sessionId,
              fleetId: d.fleetId,
              chargePointId: cp,
              connectorId,
              evse,
              transactionId,
              idTag,
              meterStartWh: meterStart,
              timestamp,
              receivedAt,
              tariff,
            },
          },
        ],
        relevant: true,
      };
    }
    case 'MeterValues': {
      const connectorId = int(payload.connectorId);
      const tx = int(payload.transactionId);
      // With a transactionId: that transaction's session only; without: the connector's charging one.
      const session =
        (tx !== null ? sessions.byTransaction(cp, tx) : null) ??
        (connectorId !== null && tx === null ? sessions.openOnConnector(cp, connectorId, isCharging) : null);
      if (!session) return NOTHING; // readings outside a transaction: nothing to bill
      const { readings, signed } = parseMeterValues(payload.meterValue);
      return {
        effects: [
          {
            kind: 'session',
            sessionId: session.sessionId,
            command: { type: 'RecordMeterValues', readings, signed, receivedAt },
          },
        ],
        relevant: true,
      };
    }
    case 'StatusNotification': {
      const connectorId = int(payload.connectorId);
      const status = typeof payload.status === 'string' ? payload.status : null;
      if (connectorId === null || status === null) return NOTHING;
      const timestamp = iso(payload.timestamp);
      const effects: RecordEffect[] = [
        {
          kind: 'connectorStatus',
          connectorId,
          status,
          errorCode: typeof payload.errorCode === 'string' ? payload.errorCode : null,
          info: str(payload.info),
          vendorId: str(payload.vendorId),
          vendorErrorCode: str(payload.vendorErrorCode),
          at: timestamp ?? receivedAt,
        },
      ];
      if (connectorId === 0) return { effects, relevant: true }; // the whole charger
      const session = sessionTakingConnectorReport(sessions, cp, connectorId);
      if (session)
        effects.push({
          kind: 'session',
          sessionId: session.sessionId,
          command: { type: 'RecordStatusNotification', connectorStatus: status, timestamp, receivedAt },
        });
      return { effects, relevant: true };
    }
    case 'StopTransaction': {
      const tx = int(payload.transactionId);
      const meterStop = int(payload.meterStop);
      const timestamp = iso(payload.timestamp) ?? receivedAt;
      const session = tx !== null ? sessions.byTransaction(cp, tx) : null;
      if (!session || meterStop === null) {
        // Confirmed to the charger by the gateway (it would retry forever otherwise); kept for a human.
        return {
          effects: [
            anomaly(session ? 'MALFORMED_STOP' : 'STOP_FOR_UNKNOWN_TRANSACTION', {
              transactionId: tx,
              meterStop,
              timestamp,
              rawFrame: d.rawFrame,
            }),
          ],
          relevant: true,
        };
      }
      const effects: RecordEffect[] = [];
      if (closedByInference(session)) {
        // The charger's real stop came after the session was closed on its last meter value
        // (connector Available past STOP_GRACE_MINUTES). The bill stands; finance needs to see
        // the charger's own meterStop to decide on a correction.
        effects.push(
          anomaly('STOP_AFTER_INFERRED_CLOSE', {
            sessionId: session.sessionId,
            transactionId: tx,
            meterStop,
            inferredMeterStop: session.stop.meterStopWh,
            timestamp,
            rawFrame: d.rawFrame,
          }),
        );
      }
      const { readings, signed } = parseMeterValues(payload.transactionData);
      effects.push({
        kind: 'session',
        sessionId: session.sessionId,
        command: {
          type: 'RecordStopTransaction',
          transactionId: tx!,
          meterStopWh: meterStop,
          timestamp,
          receivedAt,
          reason: typeof payload.reason === 'string' ? payload.reason : null,
          signed,
          readings,
        },
      });
      return { effects, relevant: true };
    }
    default:
      return NOTHING;
  }
}
