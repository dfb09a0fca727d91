import fc from 'fast-check';
import {
  nameUuid,
  ocpp201TransactionNumber,
  remoteStartIdOf,
  OCPP201_INBOUND_ACTIONS,
  type Ocpp201InboundAction,
} from '@app/contracts';
import { LosslessNumber, stringifyWithLosslessNumbers } from '@app/ocpp';
import { FLEET_KEY, TARIFF_A, publishedProblems } from '../domain/session.fixtures.spec';
import { NO_ID_TOKEN_TAG, type SessionCommand } from '../domain/session';
import type { SessionEvent } from '../domain/session-events';
import {
  localSessionId,
  type RecordEffect,
  type RecordRoute,
  type RoutingContext,
} from './route-ocpp-record';
import {
  routeOcpp201Call,
  stopReason201,
  transactionNumberOf201,
  type Ocpp201CallRecord,
} from './route-ocpp201-record';
import { SessionUnitOfWork } from './session-unit-of-work';

const CP = 'CP-201';
const FLEET = 'fleet-201';
const at = (minutes: number) => new Date(Date.parse('2026-01-01T10:00:00.000Z') + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();
const ctx: RoutingContext = {
  evseOf: (cp, id) => (cp === CP && id === 1 ? 'DE*201*E1' : `${cp}*${id}`),
  tariffs: [],
};
const num = (text: string) => new LosslessNumber(text);
const txNumber = (chargerTx: string) => ocpp201TransactionNumber(CP, chargerTx);

let records = 0;
/** An Ocpp201CallReceived as the gateway publishes it: the frame as written, the payload as JSON.parse reads it. */
function record(
  action: Ocpp201InboundAction,
  payload: Record<string, unknown>,
  receivedAt = at(40),
): Ocpp201CallRecord {
  const n = ++records;
  const messageId = `m201-${n}`;
  const rawFrame = stringifyWithLosslessNumbers([2, messageId, action, payload]);
  return {
    id: nameUuid('route-201-spec', String(n)),
    time: receivedAt.toISOString(),
    data: {
      chargePointId: CP,
      fleetId: FLEET,
      messageId,
      action,
      payload: (JSON.parse(rawFrame) as unknown[])[3],
      rawFrame,
      receivedAt: receivedAt.toISOString(),
      reply: {},
      gatewayId: 'gw-test',
    },
  } as Ocpp201CallRecord;
}

interface Sampled {
  value: string;
  context?: string;
  measurand?: string;
  unit?: string;
  multiplier?: number;
  signed?: string;
}
const sampled = (s: Sampled) => ({
  value: num(s.value),
  ...(s.context ? { context: s.context } : {}),
  ...(s.measurand ? { measurand: s.measurand } : {}),
  ...(s.unit || s.multiplier !== undefined
    ? {
        unitOfMeasure: {
          ...(s.unit ? { unit: s.unit } : {}),
          ...(s.multiplier !== undefined ? { multiplier: num(String(s.multiplier)) } : {}),
        },
      }
    : {}),
  ...(s.signed
    ? {
        signedMeterValue: {
          signedMeterData: s.signed,
          signingMethod: 'ECDSA',
          encodingMethod: 'OCMF',
          publicKey: 'pk',
        },
      }
    : {}),
});

interface TxEvent {
  eventType: 'Started' | 'Updated' | 'Ended';
  tx?: string;
  seqNo: number;
  minute: number;
  evseId?: number | null;
  idToken?: string;
  /** The idToken's type; ISO14443 unless said (NoAuthorization: a free-vend station's ""). */
  idTokenType?: string;
  remoteStartId?: number;
  chargingState?: string;
  stoppedReason?: string;
  readings?: Sampled[];
  offline?: boolean;
  receivedMinute?: number;
}
function txEvent(e: TxEvent): Ocpp201CallRecord {
  return record(
    'TransactionEvent',
    {
      eventType: e.eventType,
      timestamp: iso(e.minute),
      triggerReason: e.eventType === 'Updated' ? 'MeterValuePeriodic' : 'Authorized',
      seqNo: e.seqNo,
      ...(e.offline ? { offline: true } : {}),
      transactionInfo: {
        transactionId: e.tx ?? 'tx-1',
        ...(e.chargingState ? { chargingState: e.chargingState } : {}),
        ...(e.stoppedReason ? { stoppedReason: e.stoppedReason } : {}),
        ...(e.remoteStartId !== undefined ? { remoteStartId: e.remoteStartId } : {}),
      },
      ...(e.evseId === null ? {} : { evse: { id: e.evseId ?? 1, connectorId: 1 } }),
      ...(e.idToken !== undefined
        ? { idToken: { idToken: e.idToken, type: e.idTokenType ?? 'ISO14443' } }
        : {}),
      ...(e.readings?.length
        ? { meterValue: [{ timestamp: iso(e.minute), sampledValue: e.readings.map(sampled) }] }
        : {}),
    },
    at(e.receivedMinute ?? e.minute),
  );
}

/** The sessions known before the record: set up with the aggregate's own commands, or records. */
type Setup = (uow: SessionUnitOfWork) => void;
const run =
  (sessionId: string, ...commands: SessionCommand[]): Setup =>
  (uow) =>
    commands.forEach((c, i) => uow.execute(sessionId, c, `setup-${sessionId}-${i}`));
/** Records routed and applied as ingest does: the effects in order. */
const fed =
  (...recs: Ocpp201CallRecord[]): Setup =>
  (uow) =>
    recs.forEach((r) => apply(uow, r));
function apply(uow: SessionUnitOfWork, rec: Ocpp201CallRecord): SessionEvent[] {
  return routeOcpp201Call(rec, uow, ctx).effects.flatMap((e) =>
    e.kind === 'session' ? uow.execute(e.sessionId, e.command, rec.id) : [],
  );
}

const remoteStart = (sessionId: string, idTag: string, connectorId = 1): Setup =>
  run(sessionId, {
    type: 'RequestStart',
    sessionId,
    fleetId: FLEET,
    chargePointId: CP,
    connectorId,
    evse: connectorId === 1 ? 'DE*201*E1' : `${CP}*${connectorId}`,
    idTag,
    userReference: null,
    commandId: `cmd-${sessionId}`,
    tariff: TARIFF_A,
    requestedAt: iso(0),
    actor: FLEET_KEY,
  });

const kWhBegin = (value: string): Sampled => ({ value, context: 'Transaction.Begin', unit: 'kWh' });
const startedTx = (tx = 'tx-1', begin = '1.0005', evseId = 1) =>
  txEvent({
    eventType: 'Started',
    tx,
    seqNo: 0,
    minute: 1,
    evseId,
    idToken: 'RFID-1',
    readings: [kWhBegin(begin)],
  });

function given(...setup: Setup[]) {
  const uow = new SessionUnitOfWork();
  setup.forEach((s) => s(uow));
  return {
    uow,
    when(rec: Ocpp201CallRecord) {
      const route = routeOcpp201Call(rec, uow, ctx);
      return {
        route,
        then(check: (effects: RecordEffect[], route: RecordRoute) => void) {
          check(route.effects, route);
          return route;
        },
      };
    },
  };
}

const sessionEffects = (effects: RecordEffect[]) => effects.flatMap((e) => (e.kind === 'session' ? [e] : []));
const commands = (effects: RecordEffect[]) => sessionEffects(effects).map((e) => e.command);
const anomalies = (effects: RecordEffect[]) => effects.flatMap((e) => (e.kind === 'anomaly' ? [e] : []));

describe('routeOcpp201Call: which session (or anomaly) an OCPP 2.0.1 record is for', () => {
  describe('TransactionEvent Started', () => {
    it('given nothing, when a Started with a Transaction.Begin reading in kWh arrives, then a LOCAL session starts on the EVSE with the exact Wh and the seqNo', () => {
      const rec = startedTx('tx-1', '12.3456789012345678901');
      given()
        .when(rec)
        .then((effects) =>
          expect(effects).toEqual([
            {
              kind: 'session',
              sessionId: localSessionId(rec.id),
              command: {
                type: 'RecordStartTransaction',
                sessionId: localSessionId(rec.id),
                fleetId: FLEET,
                chargePointId: CP,
                connectorId: 1,
                evse: 'DE*201*E1',
                evseConnectorId: 1,
                transactionId: txNumber('tx-1'),
                chargerTransactionId: 'tx-1',
                idTag: 'RFID-1',
                meterStartWh: 12346,
                timestamp: iso(1),
                receivedAt: iso(1),
                tariff: null,
                seqNo: 0,
                seqNoFrom: 0,
              },
            },
          ]),
        );
    });

    it('given nothing, when a Started has no Transaction.Begin reading, then its first energy reading is the meter start', () => {
      given()
        .when(
          txEvent({
            eventType: 'Started',
            seqNo: 0,
            minute: 1,
            readings: [
              { value: '7.4', measurand: 'Power.Active.Import', unit: 'kW' },
              { value: '2500.5', unit: 'Wh' },
              { value: '2600', unit: 'Wh' },
            ],
          }),
        )
        .then((effects) => {
          expect(commands(effects)[0]).toMatchObject({ type: 'RecordStartTransaction', meterStartWh: 2501 });
          expect(commands(effects)[1]).toMatchObject({
            type: 'RecordMeterValues',
            readings: [{ wh: 2600, context: 'Sample.Periodic' }],
          });
          expect(commands(effects)[1]).not.toHaveProperty('seqNo');
        });
    });

    it('given nothing, when a Started carries no idToken (plug-in first) or "" (NoAuthorization, free vend), then the idTag is the placeholder', () => {
      given()
        .when(txEvent({ eventType: 'Started', seqNo: 0, minute: 1, readings: [kWhBegin('1')] }))
        .then((effects) => expect(commands(effects)[0]).toMatchObject({ idTag: NO_ID_TOKEN_TAG }));
      given()
        .when(
          txEvent({
            eventType: 'Started',
            seqNo: 0,
            minute: 1,
            idToken: '',
            idTokenType: 'NoAuthorization',
            readings: [kWhBegin('1')],
          }),
        )
        .then((effects) => expect(commands(effects)[0]).toMatchObject({ idTag: NO_ID_TOKEN_TAG }));
    });

    it('given a remote start waiting, when its Started carries the remoteStartId but no idToken, then it joins with the idTag the session asked with', () => {
      given(remoteStart('remote-1', 'R-TAG-1'))
        .when(
          txEvent({
            eventType: 'Started',
            seqNo: 0,
            minute: 1,
            remoteStartId: remoteStartIdOf('remote-1'),
            readings: [kWhBegin('1')],
          }),
        )
        .then((effects) =>
          expect(sessionEffects(effects)).toEqual([
            expect.objectContaining({
              sessionId: 'remote-1',
              command: expect.objectContaining({ idTag: 'R-TAG-1' }),
            }),
          ]),
        );
    });

    it('given a remote start waiting, when a Started without idToken or remoteStartId arrives, then it is a LOCAL session (no token joins nothing)', () => {
      const rec = txEvent({ eventType: 'Started', seqNo: 0, minute: 1, readings: [kWhBegin('1')] });
      given(remoteStart('remote-1', NO_ID_TOKEN_TAG))
        .when(rec)
        .then((effects) => expect(sessionEffects(effects)[0].sessionId).toBe(localSessionId(rec.id)));
    });

    it('given a remote start waiting on the EVSE, when the Started carries its remoteStartId (another idToken), then it joins that session', () => {
      given(remoteStart('remote-1', 'R-TAG-1'))
        .when(
          txEvent({
            eventType: 'Started',
            seqNo: 0,
            minute: 1,
            idToken: 'SOMETHING-ELSE',
            remoteStartId: remoteStartIdOf('remote-1'),
            readings: [kWhBegin('1')],
          }),
        )
        .then((effects) =>
          expect(sessionEffects(effects)).toEqual([
            expect.objectContaining({
              sessionId: 'remote-1',
              command: expect.objectContaining({ evse: 'DE*201*E1' }),
            }),
          ]),
        );
    });

    it('given a remote start waiting, when the Started names another remoteStartId but its idToken, then the idTag joins it as in 1.6', () => {
      given(remoteStart('remote-1', 'R-TAG-1'))
        .when(
          txEvent({
            eventType: 'Started',
            seqNo: 0,
            minute: 1,
            idToken: 'R-TAG-1',
            remoteStartId: remoteStartIdOf('someone-else'),
            readings: [kWhBegin('1')],
          }),
        )
        .then((effects) => expect(sessionEffects(effects)[0].sessionId).toBe('remote-1'));
    });

    it('given a remote start waiting on EVSE 2, when a Started with its remoteStartId arrives on EVSE 1, then it is a LOCAL session', () => {
      const rec = txEvent({
        eventType: 'Started',
        seqNo: 0,
        minute: 1,
        evseId: 1,
        idToken: 'R-TAG-1',
        remoteStartId: remoteStartIdOf('remote-2'),
        readings: [kWhBegin('1')],
      });
      given(remoteStart('remote-2', 'R-TAG-1', 2))
        .when(rec)
        .then((effects) => expect(sessionEffects(effects)[0].sessionId).toBe(localSessionId(rec.id)));
    });

    it('given nothing, when a Started has no energy reading, then nothing starts; the first later event with one starts the session, counting seqNos from it', () => {
      const g = given();
      g.when(txEvent({ eventType: 'Started', seqNo: 0, minute: 1, idToken: 'RFID-1' })).then(
        (effects, route) => expect(route).toEqual({ effects: [], relevant: false }),
      );
      const updated = txEvent({
        eventType: 'Updated',
        seqNo: 1,
        minute: 5,
        chargingState: 'Charging',
        readings: [{ value: '1.5', unit: 'kWh' }],
      });
      g.when(updated).then((effects) =>
        expect(commands(effects)).toEqual([
          expect.objectContaining({
            type: 'RecordStartTransaction',
            sessionId: localSessionId(updated.id),
            meterStartWh: 1500,
            timestamp: iso(5),
            seqNo: 1,
            seqNoFrom: 1,
          }),
          {
            type: 'RecordMeterValues',
            readings: [],
            signed: [],
            receivedAt: iso(5),
            chargingState: { state: 'Charging', at: iso(5) },
          },
        ]),
      );
    });

    it('given nothing, when a Started names no EVSE, then MALFORMED_START', () => {
      given()
        .when(txEvent({ eventType: 'Started', seqNo: 0, minute: 1, evseId: null, readings: [kWhBegin('1')] }))
        .then((effects) => {
          expect(sessionEffects(effects)).toEqual([]);
          expect(anomalies(effects)).toEqual([
            expect.objectContaining({
              anomaly: 'MALFORMED_START',
              detail: expect.objectContaining({
                chargerTransactionId: 'tx-1',
                transactionId: txNumber('tx-1'),
              }),
            }),
          ]);
        });
    });

    it('given a session with the transaction, when the Started is repeated, then it goes to that session (which folds it once)', () => {
      const first = startedTx();
      const g = given(fed(first));
      const sessionId = localSessionId(first.id);
      g.when(startedTx()).then((effects) =>
        expect(sessionEffects(effects)).toEqual([
          expect.objectContaining({
            sessionId,
            command: expect.objectContaining({ type: 'RecordStartTransaction', seqNo: 0 }),
          }),
        ]),
      );
      expect(apply(g.uow, startedTx())).toEqual([]);
    });

    it('given a frame that is not what the gateway parsed, then MALFORMED_START with the raw frame (never a float)', () => {
      const rec = startedTx();
      const broken = { ...rec, data: { ...rec.data, rawFrame: '[2,"m",' } } as Ocpp201CallRecord;
      given()
        .when(broken)
        .then((effects) =>
          expect(effects).toEqual([
            expect.objectContaining({
              anomaly: 'MALFORMED_START',
              detail: expect.objectContaining({ rawFrame: '[2,"m",' }),
            }),
          ]),
        );
    });
  });

  describe('TransactionEvent Updated', () => {
    it('given a charging session, when an Updated arrives, then its readings (exact, any multiplier), signed data, charging state and seqNo go to it', () => {
      const first = startedTx();
      given(fed(first))
        .when(
          txEvent({
            eventType: 'Updated',
            seqNo: 1,
            minute: 10,
            chargingState: 'SuspendedEVSE',
            readings: [
              { value: '4.0005', unit: 'kWh', signed: 'OCMF|{"RD":[{"RV":4.0005}]}' },
              { value: '40.0049', unit: 'Wh', multiplier: 2 },
              { value: '230', measurand: 'Voltage', unit: 'V' },
            ],
          }),
        )
        .then((effects) =>
          expect(effects).toEqual([
            {
              kind: 'session',
              sessionId: localSessionId(first.id),
              command: {
                type: 'RecordMeterValues',
                readings: [
                  { wh: 4001, measuredAt: iso(10), context: 'Sample.Periodic' },
                  { wh: 4000, measuredAt: iso(10), context: 'Sample.Periodic' },
                ],
                signed: ['OCMF|{"RD":[{"RV":4.0005}]}'],
                receivedAt: iso(10),
                seqNo: 1,
                chargingState: { state: 'SuspendedEVSE', at: iso(10) },
              },
            },
          ]),
        );
    });

    it.each(['EVConnected', 'Idle'])(
      'given a charging session, when an Updated says %s, then no charging state goes with it',
      (chargingState) => {
        given(fed(startedTx()))
          .when(txEvent({ eventType: 'Updated', seqNo: 1, minute: 10, chargingState }))
          .then((effects) => expect(commands(effects)[0]).not.toHaveProperty('chargingState'));
      },
    );
  });

  describe('TransactionEvent Ended', () => {
    it('given a charging session, when the Ended arrives, then the stop takes its Transaction.End reading and the 1.6 stop reason', () => {
      const first = startedTx();
      given(fed(first))
        .when(
          txEvent({
            eventType: 'Ended',
            seqNo: 2,
            minute: 50,
            stoppedReason: 'ImmediateReset',
            readings: [
              { value: '15', unit: 'kWh', context: 'Transaction.End' },
              { value: '15.5', unit: 'kWh' },
            ],
          }),
        )
        .then((effects) =>
          expect(effects).toEqual([
            {
              kind: 'session',
              sessionId: localSessionId(first.id),
              command: {
                type: 'RecordStopTransaction',
                transactionId: txNumber('tx-1'),
                meterStopWh: 15000,
                timestamp: iso(50),
                receivedAt: iso(50),
                reason: 'HardReset',
                signed: [],
                readings: [
                  { wh: 15000, measuredAt: iso(50), context: 'Transaction.End' },
                  { wh: 15500, measuredAt: iso(50), context: 'Sample.Periodic' },
                ],
                seqNo: 2,
              },
            },
          ]),
        );
    });

    it('given a charging session with readings, when the Ended has none, then the stop is the session’s latest meter; with none, its meter start', () => {
      const withReading = given(
        fed(
          startedTx('tx-1', '1'),
          txEvent({ eventType: 'Updated', seqNo: 1, minute: 10, readings: [{ value: '9.25', unit: 'kWh' }] }),
        ),
      );
      withReading
        .when(txEvent({ eventType: 'Ended', seqNo: 2, minute: 50 }))
        .then((effects) => expect(commands(effects)[0]).toMatchObject({ meterStopWh: 9250, reason: null }));
      given(fed(startedTx('tx-1', '1')))
        .when(txEvent({ eventType: 'Ended', seqNo: 1, minute: 50 }))
        .then((effects) => expect(commands(effects)[0]).toMatchObject({ meterStopWh: 1000 }));
    });

    it('given no session, when an Ended with a reading is the first event of its transaction, then it starts and stops the session', () => {
      const rec = txEvent({
        eventType: 'Ended',
        seqNo: 7,
        minute: 50,
        offline: true,
        stoppedReason: 'EVDisconnected',
        readings: [
          { value: '3', unit: 'kWh', context: 'Transaction.Begin' },
          { value: '8', unit: 'kWh', context: 'Transaction.End' },
        ],
      });
      const g = given();
      g.when(rec).then((effects) =>
        expect(commands(effects)).toEqual([
          expect.objectContaining({
            type: 'RecordStartTransaction',
            meterStartWh: 3000,
            seqNo: 7,
            seqNoFrom: 7,
            offline: true,
          }),
          expect.objectContaining({
            type: 'RecordStopTransaction',
            meterStopWh: 8000,
            reason: 'EVDisconnected',
            readings: [{ wh: 8000, measuredAt: iso(50), context: 'Transaction.End' }],
            offline: true,
          }),
        ]),
      );
      apply(g.uow, rec);
      expect(g.uow.get(localSessionId(rec.id))).toMatchObject({
        status: 'CLOSED',
        start: { meterStartWh: 3000 },
        stop: { meterStopWh: 8000 },
        flags: ['MISSING_TARIFF'],
      });
    });

    it('given no session, when an Ended without a reading arrives, then STOP_FOR_UNKNOWN_TRANSACTION with the raw frame', () => {
      const rec = txEvent({ eventType: 'Ended', tx: 'tx-404', seqNo: 3, minute: 50 });
      given(fed(startedTx()))
        .when(rec)
        .then((effects) =>
          expect(effects).toEqual([
            {
              kind: 'anomaly',
              anomaly: 'STOP_FOR_UNKNOWN_TRANSACTION',
              detail: {
                action: 'TransactionEvent',
                messageId: rec.data.messageId,
                transactionId: txNumber('tx-404'),
                chargerTransactionId: 'tx-404',
                seqNo: 3,
                timestamp: iso(50),
                rawFrame: rec.data.rawFrame,
              },
            },
          ]),
        );
    });

    it('given a session closed INFERRED, when the Ended arrives, then STOP_AFTER_INFERRED_CLOSE and the stop; repeated, then no second anomaly', () => {
      const first = startedTx('tx-1', '1');
      const sessionId = localSessionId(first.id);
      const g = given(
        fed(
          first,
          txEvent({ eventType: 'Updated', seqNo: 1, minute: 30, readings: [{ value: '4', unit: 'kWh' }] }),
          record('StatusNotification', {
            timestamp: iso(31),
            connectorStatus: 'Available',
            evseId: 1,
            connectorId: 1,
          }),
        ),
        run(sessionId, {
          type: 'CheckTimers',
          now: iso(60),
          stopGraceMinutes: 10,
          startTimeoutSeconds: 120,
        }),
      );
      expect(g.uow.get(sessionId)).toMatchObject({ status: 'CLOSED', stop: { stopReason: 'INFERRED' } });
      const ended = () =>
        txEvent({
          eventType: 'Ended',
          seqNo: 2,
          minute: 45,
          receivedMinute: 70,
          readings: [{ value: '4.6', unit: 'kWh', context: 'Transaction.End' }],
        });
      const rec = ended();
      g.when(rec).then((effects) => {
        expect(anomalies(effects)).toEqual([
          expect.objectContaining({
            anomaly: 'STOP_AFTER_INFERRED_CLOSE',
            detail: expect.objectContaining({
              sessionId,
              meterStop: 4600,
              inferredMeterStop: 4000,
              seqNo: 2,
            }),
          }),
        ]);
        expect(sessionEffects(effects).map((e) => e.sessionId)).toEqual([sessionId]);
      });
      apply(g.uow, rec);
      g.when(ended()).then((effects) => expect(anomalies(effects)).toEqual([]));
    });

    it.each([
      ['DeAuthorized', 'DeAuthorized'],
      ['EmergencyStop', 'EmergencyStop'],
      ['EVDisconnected', 'EVDisconnected'],
      ['Local', 'Local'],
      ['Other', 'Other'],
      ['PowerLoss', 'PowerLoss'],
      ['Reboot', 'Reboot'],
      ['Remote', 'Remote'],
      ['ImmediateReset', 'HardReset'],
      ['EnergyLimitReached', 'Other'],
      ['GroundFault', 'Other'],
      ['LocalOutOfCredit', 'Other'],
      ['MasterPass', 'Other'],
      ['OvercurrentFault', 'Other'],
      ['PowerQuality', 'Other'],
      ['SOCLimitReached', 'Other'],
      ['StoppedByEV', 'Other'],
      ['TimeLimitReached', 'Other'],
      ['Timeout', 'Other'],
      [undefined, null],
    ])('stoppedReason %s → stop reason %s', (stoppedReason, reason) => {
      expect(stopReason201(stoppedReason)).toBe(reason);
      given(fed(startedTx()))
        .when(txEvent({ eventType: 'Ended', seqNo: 1, minute: 50, stoppedReason }))
        .then((effects) => expect(commands(effects)[0]).toMatchObject({ reason }));
    });
  });

  describe('MeterValues', () => {
    it('given a charging session on the EVSE, when MeterValues arrive for it, then the exact readings go to it (no seqNo)', () => {
      const first = startedTx();
      given(fed(first))
        .when(
          record('MeterValues', {
            evseId: 1,
            meterValue: [{ timestamp: iso(12), sampledValue: [sampled({ value: '5.0015', unit: 'kWh' })] }],
          }),
        )
        .then((effects) =>
          expect(effects).toEqual([
            {
              kind: 'session',
              sessionId: localSessionId(first.id),
              command: {
                type: 'RecordMeterValues',
                readings: [{ wh: 5002, measuredAt: iso(12), context: 'Sample.Periodic' }],
                signed: [],
                receivedAt: iso(40),
              },
            },
          ]),
        );
    });

    it.each([
      ['EVSE 0 (the station’s main meter)', 0],
      ['an EVSE without a charging session', 2],
    ])(
      'given a charging session on EVSE 1, when MeterValues arrive for %s, then they go nowhere',
      (_what, evseId) => {
        given(fed(startedTx()))
          .when(
            record('MeterValues', {
              evseId,
              meterValue: [{ timestamp: iso(12), sampledValue: [sampled({ value: '5' })] }],
            }),
          )
          .then((_effects, route) => expect(route).toEqual({ effects: [], relevant: false }));
      },
    );
  });

  describe('StatusNotification', () => {
    const status = (evseId: number, connectorStatus: string, minute: number) =>
      record('StatusNotification', { timestamp: iso(minute), connectorStatus, evseId, connectorId: 1 });

    it('given a charging session, when its EVSE reports Occupied, then the EVSE’s status and the session both get it', () => {
      const first = startedTx();
      given(fed(first))
        .when(status(1, 'Occupied', 20))
        .then((effects) =>
          expect(effects).toEqual([
            {
              kind: 'connectorStatus',
              connectorId: 1,
              status: 'Occupied',
              errorCode: null,
              info: null,
              vendorId: null,
              vendorErrorCode: null,
              at: iso(20),
            },
            {
              kind: 'session',
              sessionId: localSessionId(first.id),
              command: {
                type: 'RecordStatusNotification',
                connectorStatus: 'Occupied',
                timestamp: iso(20),
                receivedAt: iso(40),
              },
            },
          ]),
        );
    });

    it('given a session ended by its Ended, when its EVSE reports Available, then the ended session takes it (its connector becomes free)', () => {
      const first = startedTx();
      const g = given(fed(first, txEvent({ eventType: 'Ended', seqNo: 1, minute: 30 })));
      g.when(status(1, 'Available', 31)).then((effects) =>
        expect(sessionEffects(effects).map((e) => e.sessionId)).toEqual([localSessionId(first.id)]),
      );
      apply(g.uow, status(1, 'Available', 31));
      expect(g.uow.get(localSessionId(first.id))).toMatchObject({ connectorStatus: 'Available' });
      g.when(status(1, 'Occupied', 50)).then((effects) =>
        expect(effects.map((e) => e.kind)).toEqual(['connectorStatus']),
      );
    });

    it('given a session on connector 1 of EVSE 1, when connector 2 of the EVSE reports Available, then only the EVSE’s status takes it', () => {
      const first = startedTx();
      const g = given(fed(first));
      const other = record('StatusNotification', {
        timestamp: iso(20),
        connectorStatus: 'Available',
        evseId: 1,
        connectorId: 2,
      });
      g.when(other).then((effects) => expect(effects.map((e) => e.kind)).toEqual(['connectorStatus']));
      g.when(status(1, 'Occupied', 21)).then((effects) =>
        expect(sessionEffects(effects).map((e) => e.sessionId)).toEqual([localSessionId(first.id)]),
      );
    });

    it('given a charging session on EVSE 1, when EVSE 0 reports, then only the status projection changes', () => {
      given(fed(startedTx()))
        .when(status(0, 'Unavailable', 20))
        .then((effects) => expect(effects.map((e) => e.kind)).toEqual(['connectorStatus']));
    });
  });

  describe('a whole transaction, routed and folded as ingest does', () => {
    it('Started → Updated × 3 → Ended folds to CLOSED with the exact Wh, each repeated TransactionEvent once', () => {
      const uow = new SessionUnitOfWork();
      const events = [
        startedTx('tx-9', '10.0004'),
        ...[1, 2, 3].map((seqNo) =>
          txEvent({
            eventType: 'Updated',
            tx: 'tx-9',
            seqNo,
            minute: seqNo * 10,
            readings: [{ value: `${10 + seqNo}.0005`, unit: 'kWh' }],
          }),
        ),
        txEvent({
          eventType: 'Ended',
          tx: 'tx-9',
          seqNo: 4,
          minute: 45,
          stoppedReason: 'Local',
          readings: [{ value: '14.0015', unit: 'kWh', context: 'Transaction.End' }],
        }),
      ];
      const emitted = events.flatMap((rec) => [
        ...apply(uow, rec),
        ...apply(uow, { ...rec, id: nameUuid('again', rec.id) }),
      ]);
      const sessionId = localSessionId(events[0].id);
      expect(uow.get(sessionId)).toMatchObject({
        status: 'CLOSED',
        start: { transactionId: txNumber('tx-9'), chargerTransactionId: 'tx-9', meterStartWh: 10000 },
        stop: { meterStopWh: 14002, stopReason: 'Local' },
        lastMeter: { wh: 14002 },
        seqNos: [[0, 4]],
        flags: ['MISSING_TARIFF'],
      });
      expect(emitted.filter((e) => e.type === 'SessionMeterUpdated').map((e) => e.data.meterWh)).toEqual([
        11001, 12001, 13001, 14002,
      ]);
      expect(emitted.filter((e) => e.type === 'SessionCompleted')).toHaveLength(1);
    });
  });

  describe('the driver’s idToken after the start (TxStartPoint EVConnected)', () => {
    const plugIn = (tx: string) =>
      txEvent({ eventType: 'Started', tx, seqNo: 0, minute: 1, readings: [kWhBegin('4')] });

    it('given a session started without a token, when an Updated carries one, then its command carries the idTag; an Updated without one carries none', () => {
      const g = given(fed(plugIn('tx-a')));
      g.when(txEvent({ eventType: 'Updated', tx: 'tx-a', seqNo: 1, minute: 2, idToken: 'RFID-DRIVER' })).then(
        (effects) =>
          expect(commands(effects)).toEqual([
            expect.objectContaining({ type: 'RecordMeterValues', seqNo: 1, idTag: 'RFID-DRIVER' }),
          ]),
      );
      g.when(txEvent({ eventType: 'Updated', tx: 'tx-a', seqNo: 1, minute: 2 })).then((effects) =>
        expect(commands(effects)[0]).not.toHaveProperty('idTag'),
      );
      g.when(txEvent({ eventType: 'Ended', tx: 'tx-a', seqNo: 2, minute: 3, idToken: 'RFID-DRIVER' })).then(
        (effects) =>
          expect(commands(effects)).toEqual([
            expect.objectContaining({ type: 'RecordStopTransaction', idTag: 'RFID-DRIVER' }),
          ]),
      );
    });

    it('Started without token → Updated Authorized with the token → Updated with another → Ended: SessionStarted has the placeholder, SessionCompleted the driver’s token, every published event valid', () => {
      const uow = new SessionUnitOfWork();
      const recs = [
        plugIn('tx-b'),
        txEvent({
          eventType: 'Updated',
          tx: 'tx-b',
          seqNo: 1,
          minute: 2,
          idToken: 'RFID-DRIVER',
          readings: [{ value: '4.5', unit: 'kWh' }],
        }),
        txEvent({ eventType: 'Updated', tx: 'tx-b', seqNo: 2, minute: 3, idToken: 'RFID-LATER' }),
        txEvent({
          eventType: 'Ended',
          tx: 'tx-b',
          seqNo: 3,
          minute: 9,
          stoppedReason: 'EVDisconnected',
          readings: [{ value: '6', unit: 'kWh', context: 'Transaction.End' }],
        }),
      ];
      const emitted = recs.flatMap((rec) => [
        ...apply(uow, rec),
        ...apply(uow, { ...rec, id: nameUuid('again', rec.id) }),
      ]);
      const byType = (type: string) => emitted.filter((e) => e.type === type);
      expect(byType('SessionStarted').map((e) => (e.data as { idTag: string }).idTag)).toEqual([
        NO_ID_TOKEN_TAG,
      ]);
      expect(byType('SessionIdTagLearned').map((e) => (e.data as { idTag: string }).idTag)).toEqual([
        'RFID-DRIVER',
      ]);
      expect(byType('SessionCompleted').map((e) => (e.data as { idTag: string }).idTag)).toEqual([
        'RFID-DRIVER',
      ]);
      expect(uow.get(localSessionId(recs[0].id))).toMatchObject({ status: 'CLOSED', idTag: 'RFID-DRIVER' });
      expect(publishedProblems(emitted)).toEqual([]);
    });

    it('a free-vend transaction (idToken "" of type NoAuthorization throughout) completes on the placeholder, valid', () => {
      const uow = new SessionUnitOfWork();
      const free = { idToken: '', idTokenType: 'NoAuthorization' };
      const emitted = [
        txEvent({
          eventType: 'Started',
          tx: 'tx-c',
          seqNo: 0,
          minute: 1,
          ...free,
          readings: [kWhBegin('4')],
        }),
        txEvent({ eventType: 'Updated', tx: 'tx-c', seqNo: 1, minute: 2, ...free }),
        txEvent({
          eventType: 'Ended',
          tx: 'tx-c',
          seqNo: 2,
          minute: 9,
          ...free,
          readings: [{ value: '6', unit: 'kWh', context: 'Transaction.End' }],
        }),
      ].flatMap((rec) => apply(uow, rec));
      const [completed] = emitted.filter((e) => e.type === 'SessionCompleted');
      expect((completed.data as { idTag: string }).idTag).toBe(NO_ID_TOKEN_TAG);
      expect(emitted.filter((e) => e.type === 'SessionIdTagLearned')).toEqual([]);
      expect(publishedProblems(emitted)).toEqual([]);
    });
  });

  describe('for all inputs (fast-check)', () => {
    /** An integer Wh written as the kWh text a station sends ("12.345"), or as Wh with a multiplier. */
    const written = fc
      .record({ wh: fc.integer({ min: 0, max: 10 ** 12 }), form: fc.constantFrom('kWh', 'Wh', 'daWh') })
      .map(({ wh, form }) => {
        const s = String(wh).padStart(4, '0');
        if (form === 'kWh')
          return { wh, sampled: { value: `${s.slice(0, -3)}.${s.slice(-3)}`, unit: 'kWh' } };
        if (form === 'daWh' && wh % 10 === 0)
          return { wh, sampled: { value: String(wh / 10), unit: 'Wh', multiplier: 1 } };
        return { wh, sampled: { value: String(wh) } };
      });

    it('given any TransactionEvent of a known transaction, then exactly one session command, for its session, with its seqNo and the exact Wh it wrote', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('Started', 'Updated', 'Ended') as fc.Arbitrary<TxEvent['eventType']>,
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.array(written, { maxLength: 4 }),
          (eventType, seqNo, values) => {
            const first = startedTx('tx-p');
            const g = given(fed(first));
            const rec = txEvent({
              eventType,
              tx: 'tx-p',
              seqNo,
              minute: 20,
              readings: values.map((v) => v.sampled),
            });
            const [effect, ...more] = g.when(rec).route.effects;
            expect(more).toEqual([]);
            expect(effect).toMatchObject({
              kind: 'session',
              sessionId: localSessionId(first.id),
              command: { seqNo },
            });
            const command = (effect as Extract<RecordEffect, { kind: 'session' }>).command;
            if (command.type === 'RecordMeterValues' || command.type === 'RecordStopTransaction')
              expect(command.readings.map((r) => r.wh)).toEqual(values.map((v) => v.wh));
            if (command.type === 'RecordStopTransaction' && values.length > 0)
              expect(command.meterStopWh).toBe(values[values.length - 1].wh);
          },
        ),
        { numRuns: 500 },
      );
    });

    it('given transactions delivered in seqNo order with repeats (new records, same seqNos), then the sessions get exactly the events of delivery without them', () => {
      fc.assert(
        fc.property(
          fc.array(fc.option(written, { nil: undefined }), { maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          (updates, repeatPicks) => {
            const stream = [
              startedTx('tx-r', '1'),
              ...updates.map((v, i) =>
                txEvent({
                  eventType: 'Updated',
                  tx: 'tx-r',
                  seqNo: i + 1,
                  minute: 2 + i,
                  chargingState: i % 2 ? 'Charging' : undefined,
                  readings: v ? [v.sampled] : [],
                }),
              ),
              txEvent({ eventType: 'Ended', tx: 'tx-r', seqNo: updates.length + 1, minute: 30 }),
            ];
            const delivery: Ocpp201CallRecord[] = [];
            stream.forEach((rec, i) => {
              delivery.push(rec);
              repeatPicks
                .filter((p) => p % stream.length === i)
                .forEach((p, n) =>
                  delivery.push({ ...rec, id: nameUuid('repeat', rec.id, String(p), String(n)) }),
                );
            });
            const folded = (recs: Ocpp201CallRecord[]) => {
              const uow = new SessionUnitOfWork();
              const events = recs.flatMap((r) => apply(uow, r));
              return { events, state: uow.get(localSessionId(stream[0].id)) };
            };
            const once = folded(stream);
            const repeated = folded(delivery);
            expect(repeated.events).toEqual(once.events);
            expect(repeated.state).toEqual(once.state);
            // Ended without a reading: the latest meter, below the start when a reading was (INVALID).
            expect(['CLOSED', 'INVALID']).toContain(once.state?.status);
            expect(once.state?.flags).toEqual(['MISSING_TARIFF']);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('given any stoppedReason, then the stop reason is one 1.6 knows (or none)', () => {
      const REASONS_16 = [
        'DeAuthorized',
        'EmergencyStop',
        'EVDisconnected',
        'HardReset',
        'Local',
        'Other',
        'PowerLoss',
        'Reboot',
        'Remote',
        'SoftReset',
        'UnlockCommand',
      ];
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.jsonValue()), (reason) => {
          const mapped = stopReason201(reason);
          if (typeof reason !== 'string') expect(mapped).toBeNull();
          else expect(REASONS_16).toContain(mapped);
        }),
      );
    });

    it('given any sessions, when a record of an action that carries nothing for sessions arrives, then it routes nowhere', () => {
      const quiet = OCPP201_INBOUND_ACTIONS.filter(
        (a) => a !== 'TransactionEvent' && a !== 'MeterValues' && a !== 'StatusNotification',
      );
      fc.assert(
        fc.property(
          fc.constantFrom(...quiet),
          fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 6 }),
          (action, payload) => {
            const route = given(fed(startedTx()), remoteStart('remote-1', 'T', 2)).when(
              record(action, payload),
            ).route;
            expect(route).toEqual({ effects: [], relevant: false });
          },
        ),
      );
    });

    it('given any record, when it is routed twice, then the answers are equal and the sessions unchanged (no side effects)', () => {
      fc.assert(
        fc.property(
          fc.constantFrom<Ocpp201InboundAction>('TransactionEvent', 'MeterValues', 'StatusNotification'),
          fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 6 }),
          (action, payload) => {
            const g = given(fed(startedTx()), remoteStart('remote-1', 'T', 2));
            const before = JSON.stringify([g.uow.get('remote-1'), g.uow.changed()]);
            const rec = record(action, payload);
            const first = routeOcpp201Call(rec, g.uow, ctx);
            expect(routeOcpp201Call(rec, g.uow, ctx)).toEqual(first);
            expect(JSON.stringify([g.uow.get('remote-1'), g.uow.changed()])).toBe(before);
          },
        ),
      );
    });
  });

  it('transactionNumberOf201: the number a TransactionEvent’s session has; none for other actions', () => {
    expect(transactionNumberOf201(startedTx('tx-n'))).toBe(txNumber('tx-n'));
    expect(transactionNumberOf201(record('Heartbeat', {}))).toBeNull();
  });
});
