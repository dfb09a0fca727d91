/**
 * What one OCPP 2.0.1 CALL means for the sessions: routeOcppCall's counterpart for
 * `Ocpp201CallReceived`, with the same effects, so both protocols fold into one session model.
 * Pure: no I/O, no clock; the sessions it can see come in as a lookup.
 *
 * The 2.0.1 model in 1.6 terms:
 * - a session's `connectorId` is the station's EVSE id (2.0.1 transactions run per EVSE);
 * - its `transactionId` is `ocpp201TransactionNumber(station, transactionInfo.transactionId)`, and
 *   the station's string travels beside it as `chargerTransactionId`;
 * - a TransactionEvent is StartTransaction (Started), MeterValues (Updated) or StopTransaction
 *   (Ended) at once, numbered by `seqNo`: every session command it makes carries that seqNo, so a
 *   repeated event folds once and a missing one flags SEQ_NO_GAP (domain/session/seq-nos.ts);
 * - meter values are read from the station's frame with the lossless parser, never from the
 *   float `payload` (domain/meter-values.ts).
 */
import {
  ocpp201TransactionNumber,
  remoteStartIdOf,
  type ChargingState,
  type Envelope,
  type Ocpp201CallReceived,
} from '@app/contracts';
import { parseJsonLossless } from '@app/ocpp';
import { parseMeterValues201, type EnergyReading, type ParsedMeterValues } from '../domain/meter-values';
import {
  effectiveMeterStart,
  hasSeqNo,
  isCharging,
  NO_ID_TOKEN_TAG,
  type ChargingStateReport,
  type RecordMeterValues,
  type RecordStartTransaction,
  type RecordStopTransaction,
  type SessionCommand,
  type SessionState,
} from '../domain/session';
import { selectTariff } from '../domain/tariff-selection';
import {
  closedByInference,
  int,
  iso,
  localSessionId,
  NOTHING,
  sessionTakingConnectorReport,
  str,
  type AnomalyKind,
  type Rec,
  type RecordEffect,
  type RecordRoute,
  type RoutingContext,
  type SessionLookup,
} from './route-ocpp-record';

export type Ocpp201CallRecord = Pick<Envelope<Ocpp201CallReceived>, 'id' | 'time' | 'data'>;

const ENERGY_BEGIN = 'Transaction.Begin';
const ENERGY_END = 'Transaction.End';

/** The 2.0.1 charging states a session shows; EVConnected and Idle say nothing a 1.6 session has. */
const CHARGING_STATES_201: ReadonlyMap<unknown, ChargingState> = new Map(
  (['Charging', 'SuspendedEV', 'SuspendedEVSE'] as const).map((s) => [s, s]),
);

/** 2.0.1 stop reasons that 1.6 (the model's stop_reason vocabulary) has under the same name. */
const SAME_STOP_REASONS: ReadonlySet<string> = new Set([
  'DeAuthorized',
  'EmergencyStop',
  'EVDisconnected',
  'Local',
  'Other',
  'PowerLoss',
  'Reboot',
  'Remote',
]);

/**
 * `transactionInfo.stoppedReason` in the 1.6 words `stop_reason` uses: the same name where 1.6 has
 * it, ImmediateReset → HardReset, anything else → Other. None → null, which the aggregate reads as
 * Local (2.0.1 may omit the reason only when it is Local; 1.6 StopTransaction does the same).
 */
export function stopReason201(stoppedReason: unknown): string | null {
  if (typeof stoppedReason !== 'string') return null;
  if (SAME_STOP_REASONS.has(stoppedReason)) return stoppedReason;
  return stoppedReason === 'ImmediateReset' ? 'HardReset' : 'Other';
}

/** The numeric transactionId a 2.0.1 record's session has (TransactionEvent only), for the batch's reads. */
export function transactionNumberOf201(record: Pick<Ocpp201CallRecord, 'data'>): number | null {
  const d = record.data;
  if (d.action !== 'TransactionEvent') return null;
  const tx = str((d.payload as { transactionInfo?: Rec }).transactionInfo?.transactionId);
  return tx === null ? null : ocpp201TransactionNumber(d.chargePointId, tx);
}

/**
 * The CALL payload as the station wrote it (numbers as LosslessNumber), or null when the frame
 * does not hold one: the gateway publishes only frames it parsed, so null means a broken record.
 */
function losslessPayload(rawFrame: string): Rec | null {
  try {
    const frame = parseJsonLossless(rawFrame);
    const payload = Array.isArray(frame) ? (frame[3] as unknown) : null;
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Rec)
      : null;
  } catch {
    return null;
  }
}

export function routeOcpp201Call(
  record: Ocpp201CallRecord,
  sessions: SessionLookup,
  ctx: RoutingContext,
): RecordRoute {
  const d = record.data;
  const cp = d.chargePointId;
  // The envelope passed the contract check (payload valid against the 2.0.1 schema); its fields
  // are still read defensively, as the 1.6 router does.
  const payload = d.payload as unknown as Rec;
  const receivedAt = new Date(d.receivedAt).toISOString();
  const anomaly = (kind: AnomalyKind, detail: Rec): RecordEffect => ({
    kind: 'anomaly',
    anomaly: kind,
    detail: { action: d.action, messageId: d.messageId, ...detail },
  });

  switch (d.action) {
    case 'TransactionEvent':
      return transactionEvent(record, payload, receivedAt, sessions, ctx, anomaly);
    case 'MeterValues': {
      const evseId = int(payload.evseId);
      // EVSE 0 is the station's main meter: no session's.
      if (evseId === null || evseId === 0) return NOTHING;
      const session = sessions.openOnConnector(cp, evseId, isCharging);
      if (!session) return NOTHING; // readings outside a transaction: nothing to bill
      const { readings, signed } = parseMeterValues201(losslessPayload(d.rawFrame)?.meterValue);
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
      const evseId = int(payload.evseId);
      const status = str(payload.connectorStatus);
      if (evseId === null || status === null) return NOTHING;
      const timestamp = iso(payload.timestamp);
      // Keyed by EVSE like the sessions. An EVSE with several connectors reports each: the last
      // report wins for the EVSE's status; a session takes only its own connector's, when the
      // station named it (a CCS session must not see the idle CHAdeMO plug's Available).
      const effects: RecordEffect[] = [
        {
          kind: 'connectorStatus',
          connectorId: evseId,
          status,
          errorCode: null,
          info: null,
          vendorId: null,
          vendorErrorCode: null,
          at: timestamp ?? receivedAt,
        },
      ];
      if (evseId === 0) return { effects, relevant: true };
      const session = sessionTakingConnectorReport(sessions, cp, evseId);
      const own = session?.start?.evseConnectorId;
      const connectorId = int(payload.connectorId);
      if (session && (own === undefined || connectorId === null || connectorId === own))
        effects.push({
          kind: 'session',
          sessionId: session.sessionId,
          command: { type: 'RecordStatusNotification', connectorStatus: status, timestamp, receivedAt },
        });
      return { effects, relevant: true };
    }
    default:
      // Boot, firmware and the rest are the charger status projection's (charger-status.ts).
      return NOTHING;
  }
}

type AnomalyOf = (kind: AnomalyKind, detail: Rec) => RecordEffect;

function transactionEvent(
  record: Ocpp201CallRecord,
  payload: Rec,
  receivedAt: string,
  sessions: SessionLookup,
  ctx: RoutingContext,
  anomaly: AnomalyOf,
): RecordRoute {
  const d = record.data;
  const cp = d.chargePointId;
  const info = (typeof payload.transactionInfo === 'object' ? payload.transactionInfo : null) as Rec | null;
  const chargerTransactionId = str(info?.transactionId);
  const seqNo = int(payload.seqNo);
  const eventType = payload.eventType;
  const ended = eventType === 'Ended';
  const lossless = losslessPayload(d.rawFrame);
  if (
    chargerTransactionId === null ||
    seqNo === null ||
    seqNo < 0 ||
    (eventType !== 'Started' && eventType !== 'Updated' && !ended) ||
    lossless === null
  ) {
    return {
      effects: [anomaly(ended ? 'MALFORMED_STOP' : 'MALFORMED_START', { payload, rawFrame: d.rawFrame })],
      relevant: true,
    };
  }
  const transactionId = ocpp201TransactionNumber(cp, chargerTransactionId);
  const timestamp = iso(payload.timestamp) ?? receivedAt;
  // Queued while offline: late for a known reason (not clock skew; domain/session/flags.ts).
  const offline = payload.offline === true ? { offline: true } : {};
  const { readings, signed } = parseMeterValues201(lossless.meterValue);
  const chargingStateName = CHARGING_STATES_201.get(info?.chargingState);
  const chargingState: ChargingStateReport | undefined = chargingStateName
    ? { state: chargingStateName, at: timestamp }
    : undefined;
  const stopDetail = () => ({
    transactionId,
    chargerTransactionId,
    seqNo,
    timestamp,
    rawFrame: d.rawFrame,
  });
  const startCommand = (
    s: Pick<
      RecordStartTransaction,
      'sessionId' | 'connectorId' | 'evse' | 'idTag' | 'meterStartWh' | 'evseConnectorId'
    >,
    seqNoFrom: number,
  ): RecordStartTransaction => ({
    type: 'RecordStartTransaction',
    ...s,
    fleetId: d.fleetId,
    chargePointId: cp,
    transactionId,
    chargerTransactionId,
    timestamp,
    receivedAt,
    tariff: selectTariff(
      [...ctx.tariffs],
      { fleetId: d.fleetId, chargePointId: cp, evse: s.evse },
      timestamp,
    ),
    seqNo,
    seqNoFrom,
    ...offline,
  });
  const stopCommand = (meterStopWh: number, stopReadings: EnergyReading[]): RecordStopTransaction => ({
    type: 'RecordStopTransaction',
    transactionId,
    meterStopWh,
    timestamp,
    receivedAt,
    reason: stopReason201(info?.stoppedReason),
    signed,
    readings: stopReadings,
    ...offline,
  });
  const meterCommand = (meterReadings: EnergyReading[]): RecordMeterValues => ({
    type: 'RecordMeterValues',
    readings: meterReadings,
    signed,
    receivedAt,
    ...(chargingState ? { chargingState } : {}),
  });
  // "" (type NoAuthorization, free vend) is no token, as is none (plug-in before authorization).
  const token = str((payload.idToken as Rec | undefined)?.idToken);
  const withToken = token !== null ? { idTag: token } : {};
  const route = (...effects: RecordEffect[]): RecordRoute => ({ effects, relevant: true });
  const on = (sessionId: string, command: SessionCommand): RecordEffect => ({
    kind: 'session',
    sessionId,
    command,
  });

  const session = sessions.byTransaction(cp, transactionId);
  if (session) {
    if (eventType === 'Started') {
      // Redelivered, or late behind a later event that started the session: it joins that
      // session (its seqNo counts there), the start stays as it was; its idToken, if the session
      // has none yet, is learned.
      return route(
        on(
          session.sessionId,
          startCommand(
            {
              sessionId: session.sessionId,
              connectorId: session.connectorId,
              evse: session.evse,
              idTag: token ?? session.idTag ?? NO_ID_TOKEN_TAG,
              meterStartWh: session.start?.meterStartWh ?? 0,
            },
            0,
          ),
        ),
      );
    }
    // The idToken the session learns when it started without one (TxStartPoint EVConnected: the
    // Updated with triggerReason Authorized brings it).
    if (!ended) return route(on(session.sessionId, { ...meterCommand(readings), seqNo, ...withToken }));
    const meterStop = stopMeter(readings) ?? session.lastMeter?.wh ?? effectiveMeterStart(session) ?? 0;
    const effects: RecordEffect[] = [];
    if (closedByInference(session) && !hasSeqNo(session.seqNos, seqNo)) {
      // As 1.6: the station's real end came after the session was closed on its last meter value.
      effects.push(
        anomaly('STOP_AFTER_INFERRED_CLOSE', {
          sessionId: session.sessionId,
          meterStop,
          inferredMeterStop: session.stop.meterStopWh,
          ...stopDetail(),
        }),
      );
    }
    return route(
      ...effects,
      on(session.sessionId, { ...stopCommand(meterStop, readings), seqNo, ...withToken }),
    );
  }

  // The first event of a transaction we do not know: it starts the session.
  const evseId = int((payload.evse as Rec | undefined)?.id);
  if (evseId === null || evseId === 0)
    return route(anomaly('MALFORMED_START', { reason: 'no EVSE', ...stopDetail() }));
  const begin = readings.find((r) => r.context === ENERGY_BEGIN) ?? readings[0];
  if (!begin) {
    // LIMITATION: a session needs its meter start. A Started without an energy reading starts
    // nothing; the first later event of the transaction with a reading starts it (its timestamp
    // is the start, its seqNo where SEQ_NO_GAP counts from), and a remote start it belongs to is
    // found only if that event still carries the remoteStartId or the idToken. An Ended without
    // a reading leaves no session to start: a stop for a transaction we never saw.
    return ended ? route(anomaly('STOP_FOR_UNKNOWN_TRANSACTION', stopDetail())) : NOTHING;
  }
  const evseConnectorId = int((payload.evse as Rec | undefined)?.connectorId);
  const remoteStartId = int(info?.remoteStartId);
  const waiting = (s: SessionState) => s.status === 'STARTING' || s.status === 'PREPARING';
  // A remote start by the remoteStartId it sent (remoteStartIdOf), else by its idTag as in 1.6.
  // LIMITATION: only a transaction the station starts after our RequestStartTransaction is
  // adopted. One it started already at plug-in (TxStartPoint EVConnected, before the request) is
  // a LOCAL session by then; the Updated (triggerReason RemoteStart) that brings the remoteStartId
  // and our idToken goes to that session, which learns the token, and the remote session fails
  // at its start timeout. Operators who start remotely configure TxStartPoint Authorized or
  // PowerPathClosed, so the transaction starts with the authorization the request gives.
  const joined =
    (remoteStartId !== null
      ? sessions.openOnConnector(
          cp,
          evseId,
          (s) => waiting(s) && remoteStartIdOf(s.sessionId) === remoteStartId,
        )
      : null) ??
    (token !== null ? sessions.openOnConnector(cp, evseId, (s) => waiting(s) && s.idTag === token) : null);
  // No token: a remote session keeps the one it asked with, a local one gets the placeholder
  // (published events need an idTag) until a later event brings the driver's.
  const idTag = token ?? joined?.idTag ?? NO_ID_TOKEN_TAG;
  const sessionId = joined?.sessionId ?? localSessionId(record.id);
  const start = startCommand(
    {
      sessionId,
      connectorId: evseId,
      evse: joined?.evse ?? ctx.evseOf(cp, evseId),
      idTag,
      meterStartWh: begin.wh,
      ...(evseConnectorId !== null ? { evseConnectorId } : {}),
    },
    // Events before a later one that starts the session carried no reading, or never came: the
    // session cannot tell which, so it expects seqNos from there on.
    eventType === 'Started' ? 0 : seqNo,
  );
  // The rest of the event follows without the seqNo (the start recorded it; a redelivery finds
  // the session and is dropped whole). Its events never repeat the start's (SessionStarted,
  // SessionSeqNoSeen), so the record-derived event ids stay distinct.
  const rest = readings.filter((r) => r !== begin);
  if (ended)
    return route(on(sessionId, start), on(sessionId, stopCommand(stopMeter(readings) ?? begin.wh, rest)));
  if (rest.length > 0 || signed.length > 0 || chargingState)
    return route(on(sessionId, start), on(sessionId, meterCommand(rest)));
  return route(on(sessionId, start));
}

/** meterStop from an Ended event's readings: its Transaction.End reading, else its last one. */
function stopMeter(readings: ParsedMeterValues['readings']): number | null {
  const end = [...readings].reverse().find((r) => r.context === ENERGY_END) ?? readings[readings.length - 1];
  return end?.wh ?? null;
}
