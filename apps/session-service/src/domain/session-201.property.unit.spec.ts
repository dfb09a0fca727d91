import fc from 'fast-check';
import { decide, evolve, initialState, type SessionCommand, type SessionState } from './session';
import type { SessionEvent } from './session-events';
import { hasSeqNo, hasSeqNoGap, withSeqNo } from './session/seq-nos';
import type { SeqNoRanges } from './session/state';
import { ended201, started201, t, updated201 } from './session.fixtures.spec';

/**
 * Properties of OCPP 2.0.1 transactions (seqNo-numbered TransactionEvents):
 * - a station repeats an event it is not sure we got: any delivery in seqNo order with repeats
 *   (a repeat comes later, with a later receive time) emits exactly the events of the stream
 *   without them;
 * - SEQ_NO_GAP is on the session's end exactly when a seqNo below the Ended's never arrived;
 * - offline events arriving late (after the Ended, in any order) still fold their readings, the
 *   meter never goes backwards, and the end is emitted once with the meters of in-order delivery.
 */
type TxCommand = Extract<SessionCommand, { type: 'RecordMeterValues' | 'RecordStopTransaction' }>;

const CHARGING = ['Charging', 'SuspendedEV', 'SuspendedEVSE'] as const;

/** Started (seqNo 0), the Updated events 1..n, the Ended n+1: readings rise with time. */
const transaction = fc
  .array(
    fc.record({
      addWh: fc.integer({ min: 0, max: 5000 }),
      reading: fc.boolean(),
      chargingState: fc.option(fc.constantFrom(...CHARGING), { nil: undefined }),
    }),
    { maxLength: 10 },
  )
  .map((updates) => {
    let wh = 1000;
    const commands: TxCommand[] = updates.map((u, i) => {
      wh += u.addWh;
      const minute = 2 + i * 3;
      return updated201(i + 1, u.reading ? wh : null, minute, {
        ...(u.chargingState ? { chargingState: { state: u.chargingState, at: t(minute) } } : {}),
      });
    });
    commands.push(ended201(updates.length + 1, wh + 500, 2 + updates.length * 3 + 5));
    return commands;
  });

/** A later delivery of the same event: the station sent it again. */
const again = (c: TxCommand, lateMinutes: number): TxCommand => ({
  ...c,
  receivedAt: new Date(Date.parse(c.receivedAt) + lateMinutes * 60_000).toISOString(),
});

function deliver(commands: SessionCommand[]): { state: SessionState; events: SessionEvent[] } {
  let state: SessionState = initialState();
  const events: SessionEvent[] = [];
  for (const command of [started201(0), ...commands]) {
    for (const event of decide(command, state)) {
      events.push(event);
      state = evolve(state, event);
    }
  }
  return { state, events };
}

/** The unique commands in seqNo order, each picked one repeated at a later position. */
function withRepeats(unique: TxCommand[], picks: { index: number; later: number }[]): TxCommand[] {
  const delivery = unique.map((c, i) => ({ c, at: i, tie: 0 }));
  picks.forEach(({ index, later }, n) => {
    if (unique.length === 0) return;
    const i = index % unique.length;
    delivery.push({ c: again(unique[i], 1 + n), at: i + (later % (unique.length - i + 1)), tie: 1 + n });
  });
  delivery.sort((a, b) => a.at - b.at || a.tie - b.tie);
  return delivery.map((d) => d.c);
}

const ends = (events: SessionEvent[]) =>
  events.filter((e) => e.type === 'SessionCompleted' || e.type === 'SessionInvalidated');
const repeats = fc.array(fc.record({ index: fc.nat(), later: fc.nat() }), { maxLength: 12 });

describe('session aggregate, OCPP 2.0.1: seqNo', () => {
  it('any delivery in seqNo order with repeats emits the events of the stream without them', () => {
    fc.assert(
      fc.property(transaction, repeats, (unique, picks) => {
        const once = deliver(unique);
        const repeated = deliver(withRepeats(unique, picks));
        expect(repeated.events).toEqual(once.events);
        expect(repeated.state).toEqual(once.state);
      }),
      { numRuns: 1000 },
    );
  });

  it('SEQ_NO_GAP is on the end exactly when a seqNo below the Ended’s never arrived', () => {
    fc.assert(
      fc.property(transaction, fc.array(fc.boolean(), { maxLength: 10 }), repeats, (unique, drops, picks) => {
        const ended = unique[unique.length - 1];
        const kept = unique.filter((c, i) => c === ended || !drops[i]);
        const missing = kept.length < unique.length;
        const { state, events } = deliver(withRepeats(kept, picks));
        const [end] = ends(events);
        expect(end.type).toBe('SessionCompleted');
        const flags = (end.data as { flags: string[] }).flags;
        expect(flags.includes('SEQ_NO_GAP')).toBe(missing);
        expect(state.flags).toEqual(flags);
      }),
      { numRuns: 1000 },
    );
  });

  it('Updated events arriving after the Ended (offline, any order) still fold, the meter never goes backwards, the end is emitted once with the same meters', () => {
    fc.assert(
      fc.property(
        transaction,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.boolean(), { maxLength: 10 }),
        (unique, shuffleKeys, late) => {
          const ended = unique[unique.length - 1];
          const updates = unique.slice(0, -1);
          const onTime = updates.filter((_c, i) => !late[i]);
          const behind = updates
            .filter((_c, i) => late[i])
            .map((c, i) => ({ c: again(c, 60), k: shuffleKeys[i] ?? i }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.c);
          const inOrder = deliver(unique);
          const offline = deliver([...onTime, ended, ...behind]);

          expect(ends(offline.events)).toHaveLength(1);
          const [a, b] = [ends(inOrder.events)[0].data, ends(offline.events)[0].data] as {
            meterStartWh: number;
            meterStopWh: number;
            flags: string[];
          }[];
          expect({ start: b.meterStartWh, stop: b.meterStopWh }).toEqual({
            start: a.meterStartWh,
            stop: a.meterStopWh,
          });
          // Missing when the Ended came: flagged, even though the events arrived later.
          expect(b.flags.includes('SEQ_NO_GAP')).toBe(behind.length > 0);
          expect(offline.state.lastMeter).toEqual(inOrder.state.lastMeter);
          const readings = (events: SessionEvent[]) =>
            events
              .filter((e) => e.type === 'SessionMeterUpdated')
              .map((e) => `${e.data.meterWh}@${e.data.measuredAt}`)
              .sort();
          expect(readings(offline.events)).toEqual(readings(inOrder.events));
          expect(offline.state.seqNos).toEqual(inOrder.state.seqNos);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('session aggregate, OCPP 2.0.1: evolve is pure', () => {
  it('never changes the state it is given, seqNo ranges included', () => {
    fc.assert(
      fc.property(transaction, repeats, (unique, picks) => {
        let state: SessionState = Object.freeze(initialState());
        for (const command of [started201(0), ...withRepeats(unique, picks)]) {
          for (const event of decide(command, state)) {
            const before = JSON.stringify(state);
            const next = evolve(state, event);
            expect(JSON.stringify(state)).toBe(before);
            state = Object.freeze(next);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('seqNo ranges (session/seq-nos.ts)', () => {
  it('whatever order seqNos are added in, with repeats: the ranges hold exactly that set, merged, and a gap is a number missing from `from` to the largest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 10 }),
        (added, from) => {
          const ranges = added.reduce<SeqNoRanges>((r, n) => withSeqNo(r, n), []);
          const set = new Set(added);
          for (let n = 0; n <= 41; n++) expect(hasSeqNo(ranges, n)).toBe(set.has(n));
          // Sorted, disjoint and not adjacent: the compact form.
          ranges.forEach(([a, b], i) => {
            expect(a).toBeLessThanOrEqual(b);
            if (i > 0) expect(a).toBeGreaterThan(ranges[i - 1][1] + 1);
          });
          const max = Math.max(-1, ...added);
          const missing = max >= from && [...Array(max - from + 1).keys()].some((k) => !set.has(from + k));
          expect(hasSeqNoGap(ranges, from)).toBe(missing);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
