/** The session aggregate with OCPP 2.0.1 transactions: chargerTransactionId, seqNo once, SEQ_NO_GAP, late events. */
import {
  decide,
  evolve,
  fromStoredState,
  initialState,
  toStoredState,
  type SessionCommand,
  type SessionState,
} from './session';
import type { SessionEvent } from './session-events';
import { given } from './session.given.spec';
import {
  CHARGER_TX,
  REF,
  TARIFF_A,
  TX201,
  ended201,
  requested,
  started201,
  t,
  updated201,
} from './session.fixtures.spec';

/** The events the commands produce, each decided on the state the ones before left. */
function history(...commands: SessionCommand[]): SessionEvent[] {
  let state: SessionState = initialState();
  const events: SessionEvent[] = [];
  for (const c of commands) {
    for (const e of decide(c, state)) {
      events.push(e);
      state = evolve(state, e);
    }
  }
  return events;
}

const REF201 = { ...REF, transactionId: TX201, chargerTransactionId: CHARGER_TX };
const seen = (seqNo: number, minute: number, from?: number): SessionEvent => ({
  type: 'SessionSeqNoSeen',
  data: { ...REF201, seqNo, receivedAt: t(minute), ...(from !== undefined ? { from } : {}) },
});
const completedOf = (events: SessionEvent[]) =>
  events.find((e) => e.type === 'SessionCompleted')?.data as { flags: string[] } | undefined;

describe('session aggregate, OCPP 2.0.1', () => {
  describe('TransactionEvent Started', () => {
    it('given nothing, when a Started arrives, then a LOCAL session starts with the station’s transactionId, and its seqNo is recorded', () => {
      given()
        .when(started201(0))
        .then([
          {
            type: 'SessionStarted',
            data: {
              ...REF201,
              authType: 'LOCAL',
              idTag: 'R1',
              userReference: null,
              meterStartWh: 1000,
              startedAt: t(1),
              receivedAt: t(1),
              tariff: TARIFF_A,
            },
          },
          seen(0, 1, 0),
        ]);
      given()
        .when(started201(0))
        .thenState({
          status: 'ACTIVE',
          start: { transactionId: TX201, chargerTransactionId: CHARGER_TX, meterStartWh: 1000 },
          seqNos: [[0, 0]],
          seqNoFrom: 0,
        });
    });

    it('given a remote session waiting, when its Started arrives, then it becomes ACTIVE and keeps its user reference', () => {
      given(requested)
        .when(started201(0))
        .thenState({
          status: 'ACTIVE',
          authType: 'REMOTE',
          userReference: 'user-7',
          start: { chargerTransactionId: CHARGER_TX },
        });
    });

    it('given a started session, when the station repeats the Started (same seqNo), then nothing happens', () => {
      given(...history(started201(0)))
        .when(started201(0, { receivedAt: t(3) }))
        .thenNothing();
    });
  });

  describe('TransactionEvent Updated', () => {
    it('given a running session, when an Updated arrives, then its seqNo is recorded and its reading folds, the events naming the station’s transactionId', () => {
      given(...history(started201(0)))
        .when(updated201(1, 4000, 10))
        .then([
          seen(1, 10),
          {
            type: 'SessionMeterUpdated',
            data: { ...REF201, meterWh: 4000, measuredAt: t(10), receivedAt: t(10) },
          },
        ]);
    });

    it('given an Updated folded, when the station repeats it (same seqNo, new receive time), then nothing happens', () => {
      given(...history(started201(0), updated201(1, 4000, 10)))
        .when(updated201(1, 4000, 10, { receivedAt: t(12) }))
        .thenNothing();
    });

    it('given a running session, when an Updated carries no reading, then only its seqNo is recorded', () => {
      given(...history(started201(0)))
        .when(updated201(1, null, 10))
        .then([seen(1, 10)]);
    });

    it('given a running session, when an Updated carries a charging state, then the session shows it', () => {
      const g = given(...history(started201(0)));
      g.when(updated201(1, null, 10, { chargingState: { state: 'SuspendedEV', at: t(10) } })).then([
        seen(1, 10),
        {
          type: 'SessionConnectorStatusChanged',
          data: { ...REF201, connectorStatus: 'SuspendedEV', at: t(10), receivedAt: t(10) },
        },
      ]);
      g.when(updated201(1, null, 10, { chargingState: { state: 'SuspendedEV', at: t(10) } })).thenState({
        chargingState: 'SuspendedEV',
        chargingStateAt: t(10),
      });
    });
  });

  describe('TransactionEvent Ended', () => {
    it('given every seqNo from 0 folded, when the Ended arrives, then SessionCompleted carries the station’s transactionId and no SEQ_NO_GAP', () => {
      given(...history(started201(0), updated201(1, 4000, 10), updated201(2, 9000, 20)))
        .when(ended201(3, 16000, 51))
        .then((events) => {
          expect(events[0]).toEqual(seen(3, 51));
          expect(events.at(-1)).toMatchObject({
            type: 'SessionCompleted',
            data: {
              ...REF201,
              meterStartWh: 1000,
              meterStopWh: 16000,
              stopReason: 'EVDisconnected',
              flags: [],
            },
          });
        });
    });

    it('given a seqNo missing, when the Ended arrives, then SessionCompleted and the state carry SEQ_NO_GAP', () => {
      const g = given(...history(started201(0), updated201(2, 9000, 20)));
      g.when(ended201(3, 16000, 51)).then((events) =>
        expect(completedOf(events)?.flags).toEqual(['SEQ_NO_GAP']),
      );
      g.when(ended201(3, 16000, 51)).thenState({ status: 'CLOSED', flags: ['SEQ_NO_GAP'] });
    });

    it('given a session ended with a gap, when the missing Updated arrives late, then its reading still folds and the flag stays (the SessionCompleted said it)', () => {
      const end = history(started201(0), updated201(2, 9000, 20), ended201(3, 16000, 51));
      given(...end)
        .when(updated201(1, 4000, 10, { receivedAt: t(60) }))
        .then([
          seen(1, 60),
          {
            type: 'SessionMeterUpdated',
            data: { ...REF201, meterWh: 4000, measuredAt: t(10), receivedAt: t(60) },
          },
        ]);
      given(...end)
        .when(updated201(1, 4000, 10, { receivedAt: t(60) }))
        // The meter never goes backwards: the latest reading by charger time stays the last one.
        .thenState({ status: 'CLOSED', flags: ['SEQ_NO_GAP'], lastMeter: { wh: 16000, measuredAt: t(51) } });
    });

    it('given an Ended folded, when the station repeats it, then nothing happens', () => {
      given(...history(started201(0), ended201(1, 16000, 51)))
        .when(ended201(1, 16000, 51, { receivedAt: t(55) }))
        .thenNothing();
    });

    it('given a session started by a later event (its Started had no reading), when the Ended arrives, then seqNos count from that event: no gap', () => {
      given(...history(started201(2, { seqNoFrom: 2 }), updated201(3, 9000, 20)))
        .when(ended201(4, 16000, 51))
        .then((events) => expect(completedOf(events)?.flags).toEqual([]));
    });

    it('given a session started by a later event, when a seqNo after it is missing at the end, then SEQ_NO_GAP', () => {
      given(...history(started201(2, { seqNoFrom: 2 })))
        .when(ended201(4, 16000, 51))
        .then((events) => expect(completedOf(events)?.flags).toEqual(['SEQ_NO_GAP']));
    });

    it('given a session started by a later event, when its Started arrives late (seqNo 0) with seqNo 1 never seen, then the Ended flags SEQ_NO_GAP', () => {
      given(...history(started201(2, { seqNoFrom: 2 }), started201(0, { receivedAt: t(5) })))
        .when(ended201(3, 16000, 51))
        .then((events) => expect(completedOf(events)?.flags).toEqual(['SEQ_NO_GAP']));
    });

    it('given a seqNo missing, when the Ended says a meter below the start, then the INVALID session carries SEQ_NO_GAP', () => {
      given(...history(started201(0)))
        .when(ended201(2, 500, 51))
        .thenState({ status: 'INVALID', flags: ['SEQ_NO_GAP'] });
    });
  });

  describe('offline: true (the station queued the events)', () => {
    const lateBy = (minutes: number) => ({ receivedAt: t(51 + minutes) });

    it('given a whole transaction queued offline and delivered an hour late, then LATE_EVENTS, not CLOCK_SKEW', () => {
      given(...history(started201(0, { offline: true, receivedAt: t(120) })))
        .when(ended201(1, 16000, 51, { offline: true, ...lateBy(70) }))
        .then((events) =>
          expect(completedOf(events)).toMatchObject({ flags: ['LATE_EVENTS'], offline: true }),
        );
    });

    it('given the same lags without the offline mark, then CLOCK_SKEW (as for 1.6)', () => {
      given(...history(started201(0, { receivedAt: t(120) })))
        .when(ended201(1, 16000, 51, lateBy(70)))
        .then((events) => expect(completedOf(events)?.flags).toEqual(['CLOCK_SKEW']));
    });

    it('given an offline record stamped in the future, then CLOCK_SKEW all the same', () => {
      given(...history(started201(0)))
        .when(ended201(1, 16000, 51, { offline: true, receivedAt: t(40) }))
        .then((events) => expect(completedOf(events)?.flags).toEqual(['CLOCK_SKEW']));
    });

    it('given an offline start, then the state keeps the mark on its start record', () => {
      given()
        .when(started201(0, { offline: true }))
        .thenState({ start: { offline: true } });
    });

    it('given a start naming the connector within the EVSE, then the start record keeps it', () => {
      given()
        .when(started201(0, { evseConnectorId: 2 }))
        .thenState({ connectorId: 1, start: { evseConnectorId: 2 } });
    });
  });

  describe('stored state', () => {
    const closed = history(
      started201(0),
      updated201(1, 4000, 10),
      updated201(3, 9000, 20),
      ended201(4, 16000, 51),
    );
    const state = closed.reduce(evolve, initialState() as SessionState);

    it('keeps the seqNos as ranges, the first expected one and the station’s transactionId through a round trip', () => {
      expect(state).toMatchObject({
        seqNos: [
          [0, 1],
          [3, 4],
        ],
        seqNoFrom: 0,
        start: { chargerTransactionId: CHARGER_TX },
      });
      expect(fromStoredState(JSON.parse(JSON.stringify(toStoredState(state))))).toEqual(state);
    });

    it('loads a row stored before 2.0.1 (no seqNos) as one that folded none', () => {
      const { seqNos: _s, seqNoFrom: _f, ...before } = toStoredState(state);
      expect(fromStoredState(JSON.parse(JSON.stringify(before)))).toMatchObject({
        seqNos: [],
        seqNoFrom: null,
      });
    });
  });
});
