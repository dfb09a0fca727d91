/**
 * OCPP 2.0.1 sessions without an idToken at the start: the placeholder idTag (NO_ID_TOKEN_TAG) and
 * the driver's token learned from a later TransactionEvent (SessionIdTagLearned, internal).
 */
import fc from 'fast-check';
import {
  decide,
  evolve,
  fromStoredState,
  initialState,
  NO_ID_TOKEN_TAG,
  toStoredState,
  type SessionCommand,
  type SessionState,
} from './session';
import { PUBLISHED_SESSION_EVENTS, type SessionEvent } from './session-events';
import { given } from './session.given.spec';
import {
  CHARGER_TX,
  REF,
  TARIFF_A,
  TX201,
  ended201,
  meter,
  publishedProblems,
  started201,
  startTx,
  stopTx,
  t,
  updated201,
} from './session.fixtures.spec';

/** The events the commands produce, each decided on the state the ones before left. */
function history(...commands: SessionCommand[]): { state: SessionState; events: SessionEvent[] } {
  let state: SessionState = initialState();
  const events: SessionEvent[] = [];
  for (const c of commands) {
    for (const e of decide(c, state)) {
      events.push(e);
      state = evolve(state, e);
    }
  }
  return { state, events };
}

const REF201 = { ...REF, transactionId: TX201, chargerTransactionId: CHARGER_TX };
/** A Started without a usable idToken, as the router makes it. */
const plugIn = (over: Parameters<typeof started201>[1] = {}) =>
  started201(0, { idTag: NO_ID_TOKEN_TAG, ...over });
const learned = (idTag: string, minute: number): SessionEvent => ({
  type: 'SessionIdTagLearned',
  data: { ...REF201, idTag, receivedAt: t(minute) },
});
const seen = (seqNo: number, minute: number): SessionEvent => ({
  type: 'SessionSeqNoSeen',
  data: { ...REF201, seqNo, receivedAt: t(minute) },
});
const ofType = <K extends SessionEvent['type']>(events: SessionEvent[], type: K) =>
  events.filter((e): e is Extract<SessionEvent, { type: K }> => e.type === type);

describe('session aggregate, OCPP 2.0.1: a start without an idToken', () => {
  it('the placeholder is the 2.0.1 name for "no token"', () => {
    expect(NO_ID_TOKEN_TAG).toBe('NoAuthorization');
  });

  it('given nothing, when a Started without an idToken arrives, then the session starts on the placeholder and SessionStarted meets its contract', () => {
    given()
      .when(plugIn())
      .then((events) => {
        expect(ofType(events, 'SessionStarted')[0].data.idTag).toBe(NO_ID_TOKEN_TAG);
        expect(publishedProblems(events)).toEqual([]);
      });
  });

  it('given a session started on the placeholder, when an Updated brings the driver’s token, then the session learns it before the reading', () => {
    const { events } = history(plugIn());
    given(...events)
      .when(updated201(1, 4000, 10, { idTag: 'RFID-DRIVER' }))
      .then([
        seen(1, 10),
        learned('RFID-DRIVER', 10),
        {
          type: 'SessionMeterUpdated',
          data: { ...REF201, meterWh: 4000, measuredAt: t(10), receivedAt: t(10) },
        },
      ]);
    given(...events)
      .when(updated201(1, 4000, 10, { idTag: 'RFID-DRIVER' }))
      .thenState({ idTag: 'RFID-DRIVER', status: 'ACTIVE' });
  });

  it('given the token learned, when the Ended comes without one, then SessionCompleted carries the learned token and meets its contract', () => {
    const { events } = history(plugIn(), updated201(1, 4000, 10, { idTag: 'RFID-DRIVER' }));
    given(...events)
      .when(ended201(2, 9000, 30))
      .then((out) => {
        expect(ofType(out, 'SessionCompleted')[0].data).toMatchObject({
          idTag: 'RFID-DRIVER',
          authType: 'LOCAL',
        });
        expect(publishedProblems([...events, ...out])).toEqual([]);
      });
  });

  it('given the token learned, when a later Updated carries another one, then only the first counts', () => {
    const { events } = history(plugIn(), updated201(1, 4000, 10, { idTag: 'RFID-FIRST' }));
    given(...events)
      .when(updated201(2, 5000, 20, { idTag: 'RFID-SECOND' }))
      .thenState((s) => expect(s.idTag).toBe('RFID-FIRST'));
    given(...events)
      .when(updated201(2, 5000, 20, { idTag: 'RFID-SECOND' }))
      .then((out) => expect(ofType(out, 'SessionIdTagLearned')).toEqual([]));
  });

  it('given a session on the placeholder, when the Ended is the first event with the token, then SessionIdTagLearned comes before SessionCompleted, which carries it', () => {
    given(...history(plugIn()).events)
      .when(ended201(1, 9000, 30, { idTag: 'RFID-DRIVER' }))
      .then((out) => {
        expect(out.map((e) => e.type)).toEqual([
          'SessionSeqNoSeen',
          'SessionIdTagLearned',
          'SessionMeterUpdated',
          'SessionCompleted',
        ]);
        expect(ofType(out, 'SessionCompleted')[0].data.idTag).toBe('RFID-DRIVER');
      });
  });

  it('given a free-vend transaction (no token ever), when it ends, then SessionCompleted carries the placeholder and meets its contract', () => {
    const { events } = history(plugIn(), updated201(1, 4000, 10), ended201(2, 9000, 30));
    expect(ofType(events, 'SessionCompleted')[0].data.idTag).toBe(NO_ID_TOKEN_TAG);
    expect(ofType(events, 'SessionIdTagLearned')).toEqual([]);
    expect(publishedProblems(events)).toEqual([]);
  });

  it('given a session started by a later event on the placeholder, when the late Started brings the token, then the session learns it', () => {
    const { events } = history(started201(1, { idTag: NO_ID_TOKEN_TAG, seqNoFrom: 1, receivedAt: t(5) }));
    given(...events)
      .when(started201(0, { idTag: 'RFID-DRIVER', receivedAt: t(6) }))
      .then((out) => {
        expect(out.map((e) => e.type)).toEqual(['SessionIdTagLearned', 'SessionSeqNoSeen']);
      });
  });

  it('given a session started with a token, when an Updated carries another, then it keeps its own', () => {
    given(...history(started201(0)).events)
      .when(updated201(1, 4000, 10, { idTag: 'RFID-OTHER' }))
      .thenState((s) => expect(s.idTag).toBe('R1'));
  });

  it('given a 1.6 session, when a command carries a token, then it never learns (even with the placeholder as its idTag)', () => {
    const { events } = history(startTx({ idTag: NO_ID_TOKEN_TAG }));
    given(...events)
      .when({ ...meter(4000, 10), idTag: 'RFID-DRIVER' })
      .then((out) => expect(ofType(out, 'SessionIdTagLearned')).toEqual([]));
    given(...events)
      .when({ ...stopTx(), idTag: 'RFID-DRIVER' })
      .then((out) => expect(ofType(out, 'SessionCompleted')[0].data.idTag).toBe(NO_ID_TOKEN_TAG));
  });

  it('given a session that completed on the placeholder, when a late Updated (offline) brings a token, then it is not learned: SessionCompleted went out with the placeholder', () => {
    const { events } = history(plugIn(), ended201(2, 9000, 30));
    given(...events)
      .when(updated201(1, 4000, 10, { idTag: 'RFID-DRIVER', receivedAt: t(40) }))
      .thenState((s) => expect(s.idTag).toBe(NO_ID_TOKEN_TAG));
  });

  it('given the token learned, when SessionIdTagLearned is folded again (redelivered event), then the first token stays', () => {
    const { state } = history(plugIn(), updated201(1, 4000, 10, { idTag: 'RFID-FIRST' }));
    expect(evolve(state, learned('RFID-SECOND', 20)).idTag).toBe('RFID-FIRST');
  });

  it('SessionIdTagLearned is internal: never published', () => {
    expect(PUBLISHED_SESSION_EVENTS.has('SessionIdTagLearned')).toBe(false);
  });

  it('given a 2.0.1 session stored with idTag "" (before the placeholder), when it is loaded, then it is on the placeholder and still learns', () => {
    const { state } = history(plugIn());
    const old = { ...toStoredState(state), idTag: '' };
    const loaded = fromStoredState(JSON.parse(JSON.stringify(old)));
    expect(loaded.idTag).toBe(NO_ID_TOKEN_TAG);
    const out = decide(updated201(1, 4000, 10, { idTag: 'RFID-DRIVER' }), loaded);
    expect(out.reduce(evolve, loaded).idTag).toBe('RFID-DRIVER');
    // A row written today reads back unchanged.
    expect(fromStoredState(JSON.parse(JSON.stringify(toStoredState(state))))).toEqual(state);
  });
});

describe('session aggregate, OCPP 2.0.1: the idTag a SessionCompleted carries (fast-check)', () => {
  const token = fc.string({ minLength: 1, maxLength: 36 }).filter((s) => s !== NO_ID_TOKEN_TAG);
  /** What a TransactionEvent's idToken can give a command: none, or a token. */
  const maybeToken = fc.option(token, { nil: undefined, freq: 3 });
  const stream = fc.record({
    startToken: maybeToken,
    updates: fc.array(fc.record({ token: maybeToken, addWh: fc.integer({ min: 0, max: 5000 }) }), {
      maxLength: 8,
    }),
    endToken: maybeToken,
    repeats: fc.array(fc.nat(), { maxLength: 6 }),
  });

  it('for any stream in seqNo order with repeats: SessionCompleted carries the first token of the transaction, else the placeholder; every published event meets its contract', () => {
    fc.assert(
      fc.property(stream, ({ startToken, updates, endToken, repeats }) => {
        let wh = 1000;
        const unique: SessionCommand[] = [
          started201(0, { idTag: startToken ?? NO_ID_TOKEN_TAG }),
          ...updates.map((u, i) => {
            wh += u.addWh;
            return updated201(i + 1, wh, 2 + i, u.token !== undefined ? { idTag: u.token } : {});
          }),
          ended201(updates.length + 1, wh + 10, 60, endToken !== undefined ? { idTag: endToken } : {}),
        ];
        // A repeat comes right after its original, later: it must fold to nothing.
        const delivery = unique.flatMap((c, i) =>
          repeats.includes(i) ? [c, { ...c, receivedAt: t(61 + i) }] : [c],
        );
        const { events, state } = history(...delivery);

        const first = [startToken, ...updates.map((u) => u.token), endToken].find((x) => x !== undefined);
        const [completed] = ofType(events, 'SessionCompleted');
        expect(completed.data.idTag).toBe(first ?? NO_ID_TOKEN_TAG);
        expect(state.idTag).toBe(completed.data.idTag);
        expect(ofType(events, 'SessionStarted')[0].data.idTag).toBe(startToken ?? NO_ID_TOKEN_TAG);
        expect(ofType(events, 'SessionIdTagLearned')).toHaveLength(
          startToken === undefined && first !== undefined ? 1 : 0,
        );
        expect(publishedProblems(events)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('for any stream of a 1.6 session started on the placeholder: the idTag never changes', () => {
    fc.assert(
      fc.property(fc.array(maybeToken, { maxLength: 6 }), (tokens) => {
        const { events } = history(
          startTx({ idTag: NO_ID_TOKEN_TAG }),
          ...tokens.map((x, i) => ({ ...meter(2000 + i, 2 + i), ...(x !== undefined ? { idTag: x } : {}) })),
          stopTx({ idTag: tokens.find((x) => x !== undefined) }),
        );
        expect(ofType(events, 'SessionIdTagLearned')).toEqual([]);
        expect(ofType(events, 'SessionCompleted')[0].data).toMatchObject({
          idTag: NO_ID_TOKEN_TAG,
          tariff: TARIFF_A,
        });
      }),
      { numRuns: 200 },
    );
  });
});
