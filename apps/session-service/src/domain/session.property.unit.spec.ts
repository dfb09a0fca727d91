import fc from 'fast-check';
import { decide, evolve, initialState, type SessionCommand, type SessionState } from './session';
import type { SessionEvent } from './session-events';
import { startTx, t } from './session.fixtures.spec';

/**
 * Properties: whatever order a charger's records of one session are delivered in after its
 * StartTransaction (offline queues flushing old MeterValues late, StatusNotifications out of
 * order, Kafka redelivering a record), and however often each is delivered,
 * - the folded state is the same as for the in-order, exactly-once delivery;
 * - the session's end is emitted once, and it is the same event: SessionCompleted (or
 *   SessionInvalidated) with the same flags, meter readings, times, tariff and stop reason, which is
 *   what billing prices. Only its `signedMeterValues` may differ: it carries the signed data known
 *   when the stop arrived (all of it stays on the state).
 */
type ChargerRecord = Extract<
  SessionCommand,
  { type: 'RecordMeterValues' | 'RecordStatusNotification' | 'RecordStopTransaction' }
>;

const STATUSES = ['Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Available', 'Faulted'];

const meterRecord = fc
  .record({
    minute: fc.integer({ min: 2, max: 60 }),
    wh: fc.integer({ min: 1000, max: 80000 }),
    lagMin: fc.integer({ min: 0, max: 30 }),
    begin: fc.boolean(),
    signed: fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: undefined }),
  })
  .map(({ minute, wh, lagMin, begin, signed }): ChargerRecord => ({
    type: 'RecordMeterValues',
    readings: begin
      ? [
          { wh: 0, measuredAt: t(1), context: 'Transaction.Begin' },
          { wh, measuredAt: t(minute), context: 'Sample.Periodic' },
        ]
      : [{ wh, measuredAt: t(minute), context: 'Sample.Periodic' }],
    signed: signed ? [signed] : [],
    receivedAt: t(minute + lagMin),
  }));

const statusRecord = fc
  .record({
    minute: fc.integer({ min: 2, max: 60 }),
    status: fc.constantFrom(...STATUSES),
    lagMin: fc.integer({ min: 0, max: 20 }),
    noTimestamp: fc.boolean(),
  })
  .map(({ minute, status, lagMin, noTimestamp }): ChargerRecord => ({
    type: 'RecordStatusNotification',
    connectorStatus: status,
    timestamp: noTimestamp ? null : t(minute),
    receivedAt: t(minute + lagMin),
  }));

const stopRecord = fc
  .record({
    minute: fc.integer({ min: 10, max: 70 }),
    wh: fc.integer({ min: 0, max: 90000 }),
    lagMin: fc.integer({ min: 0, max: 10 }),
  })
  .map(({ minute, wh, lagMin }): ChargerRecord => ({
    type: 'RecordStopTransaction',
    transactionId: 42,
    meterStopWh: wh,
    timestamp: t(minute),
    receivedAt: t(minute + lagMin),
    reason: 'EVDisconnected',
    signed: ['stop-signature'],
    readings: [{ wh, measuredAt: t(minute), context: 'Transaction.End' }],
  }));

function deliverWithEvents(records: ChargerRecord[]): { state: SessionState; events: SessionEvent[] } {
  let state: SessionState = initialState();
  const events: SessionEvent[] = [];
  for (const command of [startTx({ meterStartWh: 1000 }), ...records]) {
    for (const event of decide(command, state)) {
      events.push(event);
      state = evolve(state, event);
    }
  }
  return { state, events };
}

const deliver = (records: ChargerRecord[]): SessionState => deliverWithEvents(records).state;

/** The session's end events, without the signed data (see above). */
function ends(events: SessionEvent[]): unknown[] {
  return events
    .filter((e) => e.type === 'SessionCompleted' || e.type === 'SessionInvalidated')
    .map((e) => {
      const { signedMeterValues: _signed, ...data } = e.data as { signedMeterValues?: string[] };
      return { type: e.type, data };
    });
}

/** Delivery with duplicates and a free shuffle (keys from fast-check). */
function interleave<T>(unique: T[], dupPicks: number[], shuffleKeys: number[]): T[] {
  const delivery = unique.map((r, i) => ({ r, k: shuffleKeys[i] ?? i }));
  for (const pick of dupPicks) {
    if (unique.length === 0) break;
    delivery.push({
      r: unique[pick % unique.length],
      k: shuffleKeys[(pick + 7) % Math.max(1, shuffleKeys.length)] ?? pick,
    });
  }
  delivery.sort((a, b) => a.k - b.k);
  return delivery.map((d) => d.r);
}

describe('session aggregate: delivery order and duplicates do not matter', () => {
  it('any interleaving with duplicates yields the state of in-order delivery', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(meterRecord, statusRecord), { minLength: 0, maxLength: 12 }),
        fc.option(stopRecord, { nil: undefined }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (records, stop, dupPicks, shuffleKeys) => {
          // Unique records in charger order (by receive time, as they were produced).
          const unique = stop ? [...records, stop] : records;
          // The stop is delivered exactly where the charger sent it relative to the other records:
          // Kafka keeps per-charger order, so only duplicates and old timestamps move around; we
          // also shuffle freely to cover offline queues flushed in any order.
          const inOrder = deliver(unique);

          const shuffled = deliver(interleave(unique, dupPicks, shuffleKeys));
          expect(shuffled).toEqual(inOrder);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('any interleaving with duplicates emits the end (SessionCompleted or SessionInvalidated) of in-order delivery, once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(meterRecord, statusRecord), { minLength: 0, maxLength: 12 }),
        stopRecord,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (records, stop, dupPicks, shuffleKeys) => {
          const unique = [...records, stop];
          const inOrder = ends(deliverWithEvents(unique).events);
          expect(inOrder).toHaveLength(1);
          const shuffled = ends(deliverWithEvents(interleave(unique, dupPicks, shuffleKeys)).events);
          expect(shuffled).toEqual(inOrder);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('the flags of the end event are the flags of the state it leaves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(meterRecord, statusRecord), { minLength: 0, maxLength: 12 }),
        stopRecord,
        fc.array(fc.nat(), { maxLength: 40 }),
        (records, stop, shuffleKeys) => {
          const { state, events } = deliverWithEvents(interleave([...records, stop], [], shuffleKeys));
          const end = events.find((e) => e.type === 'SessionCompleted');
          if (end) expect((end.data as { flags: string[] }).flags).toEqual(state.flags);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('session aggregate: evolve is pure', () => {
  it('never changes the state it is given (it folds into a copy)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(meterRecord, statusRecord), { minLength: 0, maxLength: 12 }),
        fc.option(stopRecord, { nil: undefined }),
        (records, stop) => {
          let state: SessionState = Object.freeze(initialState());
          for (const command of [startTx({ meterStartWh: 1000 }), ...records, ...(stop ? [stop] : [])]) {
            for (const event of decide(command, state)) {
              const before = JSON.stringify(state);
              // A frozen input makes any write to it throw (modules are strict mode).
              const next = evolve(state, event);
              expect(JSON.stringify(state)).toBe(before);
              state = Object.freeze(next);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
