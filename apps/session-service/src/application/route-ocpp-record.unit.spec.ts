import fc from 'fast-check';
import type { Envelope, OcppCallReceived, OcppInboundAction } from '@app/contracts';
import { FLEET_KEY, TARIFF_A } from '../domain/session.fixtures.spec';
import type { SessionCommand } from '../domain/session';
import { GatewayRecords } from '../testing/gateway-records';
import {
  localSessionId,
  routeOcppCall,
  type OcppCallRecord,
  type RecordEffect,
  type RecordRoute,
  type RoutingContext,
} from './route-ocpp-record';
import { SessionUnitOfWork } from './session-unit-of-work';

const CP = 'CP-R';
const FLEET = 'fleet-r';
const at = (minutes: number) => new Date(Date.parse('2026-01-01T10:00:00.000Z') + minutes * 60_000);
const ctx: RoutingContext = {
  evseOf: (cp, id) => (cp === CP && id === 1 ? 'DE*R*E1' : `${cp}*${id}`),
  tariffs: [],
};

/** The sessions known before the record: set up with the aggregate's own commands. */
type Setup = (uow: SessionUnitOfWork) => void;
const run =
  (sessionId: string, ...commands: SessionCommand[]): Setup =>
  (uow) =>
    commands.forEach((c, i) => uow.execute(sessionId, c, `setup-${sessionId}-${i}`));

const remoteStart = (sessionId: string, idTag: string, connectorId = 1): Setup =>
  run(sessionId, {
    type: 'RequestStart',
    sessionId,
    fleetId: FLEET,
    chargePointId: CP,
    connectorId,
    evse: 'DE*R*E1',
    idTag,
    userReference: null,
    commandId: `cmd-${sessionId}`,
    tariff: TARIFF_A,
    requestedAt: at(0).toISOString(),
    actor: FLEET_KEY,
  });

const startCommand = (sessionId: string, transactionId: number, connectorId = 1): SessionCommand => ({
  type: 'RecordStartTransaction',
  sessionId,
  fleetId: FLEET,
  chargePointId: CP,
  connectorId,
  evse: `${CP}*${connectorId}`,
  transactionId,
  idTag: 'RFID-1',
  meterStartWh: 1000,
  timestamp: at(1).toISOString(),
  receivedAt: at(1).toISOString(),
  tariff: TARIFF_A,
});

const charging = (sessionId: string, transactionId: number, connectorId = 1): Setup =>
  run(sessionId, startCommand(sessionId, transactionId, connectorId));

/** Closed by the sweeper on its last meter value: connector Available for longer than the grace. */
const closedInferred = (sessionId: string, transactionId: number): Setup =>
  run(
    sessionId,
    startCommand(sessionId, transactionId),
    {
      type: 'RecordMeterValues',
      readings: [{ wh: 4000, measuredAt: at(30).toISOString(), context: 'Sample.Periodic' }],
      signed: [],
      receivedAt: at(30).toISOString(),
    },
    {
      type: 'RecordStatusNotification',
      connectorStatus: 'Available',
      timestamp: at(31).toISOString(),
      receivedAt: at(31).toISOString(),
    },
    { type: 'CheckTimers', now: at(60).toISOString(), stopGraceMinutes: 10, startTimeoutSeconds: 120 },
  );

const gw = new GatewayRecords(CP, FLEET);
const record = (r: { value: string }): OcppCallRecord => JSON.parse(r.value) as Envelope<OcppCallReceived>;
const call = (
  action: OcppInboundAction,
  payload: Record<string, unknown>,
  reply: Record<string, unknown> = {},
) => record(gw.call(action, payload, reply, at(40)));

function given(...setup: Setup[]) {
  const uow = new SessionUnitOfWork();
  setup.forEach((s) => s(uow));
  return {
    uow,
    when(rec: OcppCallRecord) {
      const route = routeOcppCall(rec, uow, ctx);
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
const anomalies = (effects: RecordEffect[]) => effects.flatMap((e) => (e.kind === 'anomaly' ? [e] : []));

describe('routeOcppCall: which session (or anomaly) an OCPP record is for', () => {
  describe('StartTransaction', () => {
    it('given a remote start waiting on the connector, when the charger starts with its idTag, then the start joins that session', () => {
      given(remoteStart('remote-1', 'R-TAG-1'))
        .when(record(gw.startTransaction(1, 7, 1000, at(1), 'R-TAG-1')))
        .then((effects) => {
          expect(effects).toHaveLength(1);
          expect(effects[0]).toMatchObject({
            kind: 'session',
            sessionId: 'remote-1',
            command: { type: 'RecordStartTransaction', transactionId: 7, evse: 'DE*R*E1', idTag: 'R-TAG-1' },
          });
        });
    });

    it('given a remote start waiting on the connector, when the charger starts with another idTag, then it is a new LOCAL session named after the record', () => {
      const rec = record(gw.startTransaction(1, 8, 1000, at(1), 'RFID-OTHER'));
      given(remoteStart('remote-1', 'R-TAG-1'))
        .when(rec)
        .then((effects) => {
          expect(sessionEffects(effects)).toEqual([
            expect.objectContaining({ sessionId: localSessionId(rec.id) }),
          ]);
          expect(localSessionId(rec.id)).not.toBe('remote-1');
        });
    });

    it('given a session that already has the transaction, when the same start is delivered again, then it joins that session (not a new one)', () => {
      given(charging('local-1', 9))
        .when(record(gw.startTransaction(1, 9, 1000, at(1), 'RFID-1')))
        .then((effects) => expect(sessionEffects(effects).map((e) => e.sessionId)).toEqual(['local-1']));
    });

    it('given no session, when a start arrives, then its EVSE is the registered one of the connector', () => {
      given()
        .when(record(gw.startTransaction(1, 10, 1000, at(1))))
        .then((effects) =>
          expect(sessionEffects(effects)[0].command).toMatchObject({ evse: 'DE*R*E1', meterStartWh: 1000 }),
        );
    });

    it.each([
      ['no connectorId', { idTag: 'X', meterStart: 0, timestamp: at(1).toISOString() }, { transactionId: 1 }],
      ['no meterStart', { connectorId: 1, idTag: 'X', timestamp: at(1).toISOString() }, { transactionId: 1 }],
      ['no transactionId in the reply', { connectorId: 1, idTag: 'X', meterStart: 0 }, {}],
    ])('given a start with %s, then it is MALFORMED_START and joins nothing', (_label, payload, reply) => {
      given(remoteStart('remote-1', 'X'))
        .when(call('StartTransaction', payload, reply))
        .then((effects, route) => {
          expect(route.relevant).toBe(true);
          expect(sessionEffects(effects)).toEqual([]);
          expect(anomalies(effects)).toEqual([
            expect.objectContaining({
              anomaly: 'MALFORMED_START',
              detail: expect.objectContaining({ payload }),
            }),
          ]);
        });
    });
  });

  describe('StopTransaction', () => {
    it('given a charging session, when its StopTransaction arrives, then it records the stop and no anomaly', () => {
      given(charging('local-1', 11))
        .when(record(gw.stopTransaction(11, 5000, at(50))))
        .then((effects) => {
          expect(anomalies(effects)).toEqual([]);
          expect(sessionEffects(effects)).toEqual([
            expect.objectContaining({
              sessionId: 'local-1',
              command: expect.objectContaining({ type: 'RecordStopTransaction', meterStopWh: 5000 }),
            }),
          ]);
        });
    });

    it('given no session with the transaction, when a StopTransaction arrives, then STOP_FOR_UNKNOWN_TRANSACTION with the raw frame', () => {
      const rec = record(gw.stopTransaction(404, 5000, at(50)));
      given(charging('local-1', 11))
        .when(rec)
        .then((effects) => {
          expect(sessionEffects(effects)).toEqual([]);
          expect(anomalies(effects)).toEqual([
            {
              kind: 'anomaly',
              anomaly: 'STOP_FOR_UNKNOWN_TRANSACTION',
              detail: expect.objectContaining({
                transactionId: 404,
                meterStop: 5000,
                rawFrame: rec.data.rawFrame,
                action: 'StopTransaction',
              }),
            },
          ]);
        });
    });

    it('given a charging session, when its StopTransaction has no meterStop, then MALFORMED_STOP and the session is left alone', () => {
      given(charging('local-1', 12))
        .when(call('StopTransaction', { transactionId: 12, timestamp: at(50).toISOString() }))
        .then((effects) => {
          expect(sessionEffects(effects)).toEqual([]);
          expect(anomalies(effects).map((a) => a.anomaly)).toEqual(['MALFORMED_STOP']);
        });
    });

    it('given a session closed INFERRED, when the real StopTransaction arrives, then STOP_AFTER_INFERRED_CLOSE next to the inferred meter, and the stop still goes to the session', () => {
      const g = given(closedInferred('local-1', 13));
      expect(g.uow.get('local-1')).toMatchObject({ status: 'CLOSED' });
      g.when(record(gw.stopTransaction(13, 4600, at(45)))).then((effects) => {
        expect(anomalies(effects)).toEqual([
          expect.objectContaining({
            anomaly: 'STOP_AFTER_INFERRED_CLOSE',
            detail: expect.objectContaining({
              sessionId: 'local-1',
              transactionId: 13,
              meterStop: 4600,
              inferredMeterStop: 4000,
            }),
          }),
        ]);
        expect(sessionEffects(effects).map((e) => e.sessionId)).toEqual(['local-1']);
      });
    });
  });

  describe('MeterValues', () => {
    it('given a charging session, when readings carry its transactionId, then they go to it', () => {
      given(charging('local-1', 14))
        .when(record(gw.meterValues(1, 14, 3000, at(10))))
        .then((effects) =>
          expect(sessionEffects(effects)).toEqual([
            expect.objectContaining({
              sessionId: 'local-1',
              command: expect.objectContaining({ type: 'RecordMeterValues' }),
            }),
          ]),
        );
    });

    it('given a charging session, when readings carry another transactionId, then they go nowhere (not to the connector’s session)', () => {
      given(charging('local-1', 14))
        .when(record(gw.meterValues(1, 99, 3000, at(10))))
        .then((effects, route) => {
          expect(effects).toEqual([]);
          expect(route.relevant).toBe(false);
        });
    });

    it('given a charging session, when readings of its connector carry no transactionId, then they go to it', () => {
      given(charging('local-1', 15))
        .when(call('MeterValues', { connectorId: 1, meterValue: [] }))
        .then((effects) => expect(sessionEffects(effects).map((e) => e.sessionId)).toEqual(['local-1']));
    });
  });

  describe('StatusNotification', () => {
    it('given a charging session, when its connector reports a status, then the connector and the session both get it', () => {
      given(charging('local-1', 16))
        .when(record(gw.status(1, 'SuspendedEV', at(20))))
        .then((effects) => {
          expect(effects.map((e) => e.kind)).toEqual(['connectorStatus', 'session']);
          expect(effects[0]).toEqual({
            kind: 'connectorStatus',
            connectorId: 1,
            status: 'SuspendedEV',
            errorCode: 'NoError',
            info: null,
            vendorId: null,
            vendorErrorCode: null,
            at: at(20).toISOString(),
          });
        });
    });

    const stoppedAt = (minutes: number) => ({
      type: 'RecordStopTransaction' as const,
      transactionId: 18,
      meterStopWh: 5000,
      timestamp: at(minutes).toISOString(),
      receivedAt: at(minutes).toISOString(),
      reason: 'Local',
      signed: [],
      readings: [],
    });
    const closedByStop = (sessionId: string): Setup =>
      run(sessionId, startCommand(sessionId, 18), stoppedAt(30));

    it('given a session closed by its StopTransaction, when its connector reports Finishing, then the closed session gets it (its connector is not free yet)', () => {
      given(closedByStop('closed-1'))
        .when(record(gw.status(1, 'Finishing', at(31))))
        .then((effects) => {
          expect(effects.map((e) => e.kind)).toEqual(['connectorStatus', 'session']);
          expect(sessionEffects(effects)[0]).toMatchObject({
            sessionId: 'closed-1',
            command: { type: 'RecordStatusNotification', connectorStatus: 'Finishing' },
          });
        });
    });

    it("given a closed session whose connector reported Available after its end, when the connector reports again, then only the connector projection changes (the next use is not that session's)", () => {
      const g = given(closedByStop('closed-2'));
      g.uow.execute(
        'closed-2',
        {
          type: 'RecordStatusNotification',
          connectorStatus: 'Available',
          timestamp: at(32).toISOString(),
          receivedAt: at(32).toISOString(),
        },
        'setup-available',
      );
      g.when(record(gw.status(1, 'Preparing', at(50)))).then((effects) =>
        expect(effects.map((e) => e.kind)).toEqual(['connectorStatus']),
      );
    });

    it('given a closed session and a newer one open but not charging on the connector, when the connector reports, then the closed session does not take it', () => {
      given(closedByStop('closed-3'), remoteStart('remote-3', 'R-TAG-3'))
        .when(record(gw.status(1, 'Preparing', at(40))))
        .then((effects) => expect(sessionEffects(effects)).toEqual([]));
    });

    it('given a charging session on connector 1, when connector 0 (the whole charger) reports, then only the connector projection changes', () => {
      given(charging('local-1', 17))
        .when(record(gw.status(0, 'Unavailable', at(20))))
        .then((effects) => expect(effects.map((e) => e.kind)).toEqual(['connectorStatus']));
    });
  });

  describe('for all inputs (fast-check)', () => {
    const json = fc.jsonValue();
    const payloadArb = fc.dictionary(fc.string({ maxLength: 12 }), json, { maxKeys: 6 });

    it('given any sessions, when a record of an action that carries nothing for sessions arrives, then it routes nowhere', () => {
      const actions = [
        'Heartbeat',
        'BootNotification',
        'Authorize',
        'DataTransfer',
        'FirmwareStatusNotification',
      ] as const;
      fc.assert(
        fc.property(fc.constantFrom(...actions), payloadArb, (action, payload) => {
          const route = given(charging('local-1', 18), remoteStart('remote-1', 'T')).when(
            call(action, payload),
          ).route;
          expect(route).toEqual({ effects: [], relevant: false });
        }),
      );
    });

    it('given any known transactions, when a StopTransaction names another, then exactly one STOP_FOR_UNKNOWN_TRANSACTION and no session command', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1_000_000 }).filter((tx) => tx !== 19),
          fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: undefined }),
          (tx, meterStop) => {
            const effects = given(charging('local-1', 19)).when(
              call('StopTransaction', { transactionId: tx, meterStop, timestamp: at(50).toISOString() }),
            ).route.effects;
            expect(effects).toHaveLength(1);
            expect(effects[0]).toMatchObject({ kind: 'anomaly', anomaly: 'STOP_FOR_UNKNOWN_TRANSACTION' });
          },
        ),
      );
    });

    it('given a remote start, when a start with any other idTag arrives on its connector, then it never joins the remote session', () => {
      fc.assert(
        fc.property(
          fc.string({ maxLength: 20 }).filter((tag) => tag !== 'R-TAG'),
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          (idTag, tx) => {
            const rec = record(gw.startTransaction(1, tx, 0, at(1), idTag));
            const [effect] = given(remoteStart('remote-1', 'R-TAG')).when(rec).route.effects;
            expect(effect).toMatchObject({ kind: 'session', sessionId: localSessionId(rec.id) });
          },
        ),
      );
    });

    it('given any record, when it is routed twice, then the answers are equal and the sessions unchanged (no side effects)', () => {
      const actions = ['StartTransaction', 'StopTransaction', 'MeterValues', 'StatusNotification'] as const;
      fc.assert(
        fc.property(fc.constantFrom(...actions), payloadArb, payloadArb, (action, payload, reply) => {
          const g = given(charging('local-1', 20), remoteStart('remote-1', 'T', 2));
          const before = JSON.stringify([g.uow.get('local-1'), g.uow.get('remote-1'), g.uow.changed()]);
          const rec = call(action, payload, reply);
          const first = routeOcppCall(rec, g.uow, ctx);
          expect(routeOcppCall(rec, g.uow, ctx)).toEqual(first);
          expect(JSON.stringify([g.uow.get('local-1'), g.uow.get('remote-1'), g.uow.changed()])).toBe(before);
        }),
      );
    });
  });
});
