import fc from 'fast-check';
import { decide, evolve, initialState, type SessionCommand, type SessionState } from './session';
import { startTx, t } from './session.fixtures.spec';

/**
 * Property: whatever order a charger's records of one session are delivered in after its
 * StartTransaction (offline queues flushing old MeterValues late, StatusNotifications out of
 * order, Kafka redelivering a record), and however often each is delivered, the folded state is
 * the same as for the in-order, exactly-once delivery.
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

function deliver(records: ChargerRecord[]): SessionState {
  let state: SessionState = initialState();
  for (const command of [startTx({ meterStartWh: 1000 }), ...records]) {
    for (const event of decide(command, state)) state = evolve(state, event);
  }
  return state;
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

          const delivery = unique.map((r, i) => ({ r, k: shuffleKeys[i] ?? i }));
          for (const pick of dupPicks) {
            if (unique.length === 0) break;
            delivery.push({
              r: unique[pick % unique.length],
              k: shuffleKeys[(pick + 7) % Math.max(1, shuffleKeys.length)] ?? pick,
            });
          }
          delivery.sort((a, b) => a.k - b.k);
          const shuffled = deliver(delivery.map((d) => d.r));
          expect(shuffled).toEqual(inOrder);
        },
      ),
      { numRuns: 1000 },
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
