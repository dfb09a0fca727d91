/**
 * THE flag rule (session/flags.ts), through decide and evolve: the flags a session closes with are
 * the same whatever order its records arrive in, and the state (what the API shows) and the
 * SessionCompleted event (what billing charges and exports) carry the same flags.
 */
import { decide, evolve, initialState, type SessionCommand, type SessionState } from './session';
import type { SessionEvent } from './session-events';
import { meter, startTx, stopTx, t } from './session.fixtures.spec';

function deliver(commands: SessionCommand[]): { state: SessionState; events: SessionEvent[] } {
  let state: SessionState = initialState();
  const events: SessionEvent[] = [];
  for (const command of commands) {
    for (const event of decide(command, state)) {
      events.push(event);
      state = evolve(state, event);
    }
  }
  return { state, events };
}

function completedFlags(events: SessionEvent[]): string[] {
  const completed = events.filter((e) => e.type === 'SessionCompleted');
  expect(completed).toHaveLength(1);
  return (completed[0].data as { flags: string[] }).flags;
}

describe('session flags: one rule, whatever the delivery order', () => {
  // The charger measured 5000 Wh at minute 20 and queued it; it reached us 30 minutes late.
  const lateMeter = meter(5000, 20, { receivedAt: t(50) });
  const stop = stopTx({ timestamp: t(40), receivedAt: t(40) });

  it('a MeterValues 30 minutes late gives the same SessionCompleted flags delivered before or after the StopTransaction', () => {
    const before = deliver([startTx(), lateMeter, stop]);
    const after = deliver([startTx(), stop, lateMeter]);
    expect(completedFlags(before.events)).toEqual(completedFlags(after.events));
    expect(completedFlags(before.events)).toEqual([]);
    expect(before.state.flags).toEqual([]);
    expect(after.state.flags).toEqual([]);
  });

  it('queued records lagging over 5 minutes with a stop on time: LATE_EVENTS on the state and on SessionCompleted alike', () => {
    // StartTransaction and MeterValues queued while the charger was offline (10 minutes late); the stop came on time.
    const { state, events } = deliver([
      startTx({ timestamp: t(1), receivedAt: t(11) }),
      meter(4000, 5, { receivedAt: t(15) }),
      stopTx({ timestamp: t(51), receivedAt: t(51) }),
    ]);
    expect(completedFlags(events)).toEqual(['LATE_EVENTS']);
    expect(state.flags).toEqual(completedFlags(events));
  });

  it('every bounding record lagging over 5 minutes is CLOCK_SKEW (the charger clock is behind), on the state and the event', () => {
    const { state, events } = deliver([
      startTx({ timestamp: t(1), receivedAt: t(9) }),
      stopTx({ timestamp: t(51), receivedAt: t(59) }),
    ]);
    expect(completedFlags(events)).toEqual(['CLOCK_SKEW']);
    expect(state.flags).toEqual(['CLOCK_SKEW']);
  });

  it('a stop from more than 5 minutes in the future is CLOCK_SKEW, even when the start was on time', () => {
    const { state, events } = deliver([startTx(), stopTx({ timestamp: t(58), receivedAt: t(51) })]);
    expect(completedFlags(events)).toEqual(['CLOCK_SKEW']);
    expect(state.flags).toEqual(['CLOCK_SKEW']);
  });

  it('a stop that reached us over 5 minutes late after an on-time start is LATE_EVENTS', () => {
    const { state, events } = deliver([startTx(), stopTx({ timestamp: t(51), receivedAt: t(70) })]);
    expect(completedFlags(events)).toEqual(['LATE_EVENTS']);
    expect(state.flags).toEqual(['LATE_EVENTS']);
  });

  it('an inferred stop carries INFERRED_STOP and the start lag only, on the state and the event alike', () => {
    const available: SessionCommand = {
      type: 'RecordStatusNotification',
      connectorStatus: 'Available',
      timestamp: t(40),
      receivedAt: t(40),
    };
    const { state, events } = deliver([
      startTx({ timestamp: t(1), receivedAt: t(11) }),
      meter(9000, 38),
      available,
      { type: 'CheckTimers', now: t(60), stopGraceMinutes: 10, startTimeoutSeconds: 90 },
    ]);
    // One bounding record (the start), 10 minutes late: the rule cannot tell a slow clock from a queue.
    expect(completedFlags(events)).toEqual(['CLOCK_SKEW', 'INFERRED_STOP']);
    expect(state.flags).toEqual(completedFlags(events));
  });
});
