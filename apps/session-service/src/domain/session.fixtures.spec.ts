/** Test fixtures for the session aggregate. */
import {
  makeEnvelope,
  nameUuid,
  ocpp201TransactionNumber,
  SESSION_EVENT_SCHEMAS,
  SESSIONS_SOURCE,
  type SessionEventType,
  type TariffSnapshot,
} from '@app/contracts';
import { createEnvelopeValidator } from '@app/contracts/schemas';
import { TARIFF_A as SHARED_TARIFF_A } from '@app/testing/fixtures';
import type { SessionCommand } from './session';
import { PUBLISHED_SESSION_EVENTS, type SessionEvent } from './session-events';

const validateEnvelope = createEnvelopeValidator();

/**
 * The published ones of `events` in the envelopes the outbox relay sends to charging.sessions.v1
 * (stored data as is), each with what its contract schema finds wrong: [] when all are valid.
 */
export function publishedProblems(events: SessionEvent[]): string[] {
  return events
    .filter((e) => PUBLISHED_SESSION_EVENTS.has(e.type))
    .flatMap((e, i) =>
      validateEnvelope(
        makeEnvelope({
          id: nameUuid('published-spec', String(i)),
          type: e.type,
          source: SESSIONS_SOURCE,
          subject: e.data.sessionId,
          schema: SESSION_EVENT_SCHEMAS[e.type as SessionEventType],
          time: '2026-01-01T12:00:00.000Z',
          data: e.data,
        }),
      ).map((problem) => `${e.type}: ${problem}`),
    );
}

/** Tariff A (the shared fixture) as the snapshot a session keeps: with its id and version. */
export const TARIFF_A: TariffSnapshot = { tariff_id: 'tariff-a', version: 1, ...SHARED_TARIFF_A };

export const REF = {
  sessionId: 's-1',
  fleetId: 'fleet-1',
  chargePointId: 'CP1',
  connectorId: 1,
  evse: 'DE*2GO*E1*1',
};

/** The fleet's API key that asks for starts and stops. */
export const FLEET_KEY = { kind: 'api_key', id: '0b6f3c2e-9a41-4d7e-8c15-3f2a1e5d7b90' } as const;

export const t = (minutes: number, base = '2026-01-01T10:00:00.000Z') =>
  new Date(Date.parse(base) + minutes * 60_000).toISOString();

export function requestStart(
  over: Partial<Extract<SessionCommand, { type: 'RequestStart' }>> = {},
): Extract<SessionCommand, { type: 'RequestStart' }> {
  return {
    type: 'RequestStart',
    ...REF,
    idTag: 'R1',
    userReference: 'user-7',
    commandId: 'cmd-1',
    tariff: TARIFF_A,
    requestedAt: t(0),
    actor: FLEET_KEY,
    ...over,
  };
}

export function startTx(
  over: Partial<Extract<SessionCommand, { type: 'RecordStartTransaction' }>> = {},
): Extract<SessionCommand, { type: 'RecordStartTransaction' }> {
  return {
    type: 'RecordStartTransaction',
    ...REF,
    transactionId: 42,
    idTag: 'R1',
    meterStartWh: 1000,
    timestamp: t(1),
    receivedAt: t(1),
    tariff: TARIFF_A,
    ...over,
  };
}

export function stopTx(
  over: Partial<Extract<SessionCommand, { type: 'RecordStopTransaction' }>> = {},
): Extract<SessionCommand, { type: 'RecordStopTransaction' }> {
  return {
    type: 'RecordStopTransaction',
    transactionId: 42,
    meterStopWh: 16000,
    timestamp: t(51),
    receivedAt: t(51),
    reason: 'Remote',
    signed: [],
    readings: [],
    ...over,
  };
}

export function meter(
  wh: number,
  minute: number,
  over: Partial<{ context: string; receivedAt: string }> = {},
): Extract<SessionCommand, { type: 'RecordMeterValues' }> {
  return {
    type: 'RecordMeterValues',
    readings: [{ wh, measuredAt: t(minute), context: over.context ?? 'Sample.Periodic' }],
    signed: [],
    receivedAt: over.receivedAt ?? t(minute),
  };
}

export const requested: SessionEvent = {
  type: 'SessionRequested',
  data: {
    ...REF,
    authType: 'REMOTE',
    userReference: 'user-7',
    idTag: 'R1',
    requestedAt: t(0),
    actor: FLEET_KEY,
    commandId: 'cmd-1',
    tariff: TARIFF_A,
  },
};

export const started: SessionEvent = {
  type: 'SessionStarted',
  data: {
    ...REF,
    transactionId: 42,
    authType: 'REMOTE',
    idTag: 'R1',
    userReference: 'user-7',
    meterStartWh: 1000,
    startedAt: t(1),
    receivedAt: t(1),
    tariff: TARIFF_A,
  },
};

/** OCPP 2.0.1: the station's transactionId and the number the session knows it by. */
export const CHARGER_TX = 'f6a3c2d1-2.0.1-tx';
export const TX201 = ocpp201TransactionNumber(REF.chargePointId, CHARGER_TX);

/** A TransactionEvent Started as the router makes it (RecordStartTransaction with the seqNo). */
export function started201(
  seqNo = 0,
  over: Partial<Extract<SessionCommand, { type: 'RecordStartTransaction' }>> = {},
): Extract<SessionCommand, { type: 'RecordStartTransaction' }> {
  return startTx({ transactionId: TX201, chargerTransactionId: CHARGER_TX, seqNo, seqNoFrom: 0, ...over });
}

/** A TransactionEvent Updated with one periodic reading. */
export function updated201(
  seqNo: number,
  wh: number | null,
  minute: number,
  over: Partial<Extract<SessionCommand, { type: 'RecordMeterValues' }>> = {},
): Extract<SessionCommand, { type: 'RecordMeterValues' }> {
  return {
    type: 'RecordMeterValues',
    readings: wh === null ? [] : [{ wh, measuredAt: t(minute), context: 'Sample.Periodic' }],
    signed: [],
    receivedAt: t(minute),
    seqNo,
    ...over,
  };
}

/** A TransactionEvent Ended with its Transaction.End reading. */
export function ended201(
  seqNo: number,
  wh: number,
  minute: number,
  over: Partial<Extract<SessionCommand, { type: 'RecordStopTransaction' }>> = {},
): Extract<SessionCommand, { type: 'RecordStopTransaction' }> {
  return stopTx({
    transactionId: TX201,
    meterStopWh: wh,
    timestamp: t(minute),
    receivedAt: t(minute),
    reason: 'EVDisconnected',
    readings: [{ wh, measuredAt: t(minute), context: 'Transaction.End' }],
    seqNo,
    ...over,
  });
}
