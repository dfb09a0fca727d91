/**
 * connector_status / charging_state of a session (session/connector.ts): live until the connector is
 * free (the first Available at or after the session's end), then frozen.
 */
import {
  awaitsConnectorFree,
  decide,
  evolve,
  initialState,
  type SessionCommand,
  type SessionState,
} from './session';
import { startTx, stopTx, t } from './session.fixtures.spec';

const status = (connectorStatus: string, minute: number, receivedMinute = minute): SessionCommand => ({
  type: 'RecordStatusNotification',
  connectorStatus,
  timestamp: t(minute),
  receivedAt: t(receivedMinute),
});

function deliver(commands: SessionCommand[]): SessionState {
  let state: SessionState = initialState();
  for (const command of commands) for (const event of decide(command, state)) state = evolve(state, event);
  return state;
}

/** Every order of `items` (for up to 5 items). */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]),
  );
}

describe('session connector status', () => {
  const stop = stopTx({ timestamp: t(51), receivedAt: t(51) });

  it('a CLOSED session shows Finishing, then Available, as the charger reports them after the stop', () => {
    const afterFinishing = deliver([startTx(), status('Charging', 2), stop, status('Finishing', 52)]);
    expect(afterFinishing).toMatchObject({
      status: 'CLOSED',
      connectorStatus: 'Finishing',
      chargingState: 'Finishing',
    });
    expect(awaitsConnectorFree(afterFinishing)).toBe(true);

    const free = deliver([
      startTx(),
      status('Charging', 2),
      stop,
      status('Finishing', 52),
      status('Available', 53),
    ]);
    expect(free).toMatchObject({
      status: 'CLOSED',
      connectorStatus: 'Available',
      connectorStatusAt: t(53),
      chargingState: 'Finishing',
      chargingStateAt: t(52),
    });
    expect(awaitsConnectorFree(free)).toBe(false);
  });

  it('frozen once the connector is free: the next use of the connector does not change the closed session', () => {
    const s = deliver([
      startTx(),
      status('Charging', 2),
      stop,
      status('Finishing', 52),
      status('Available', 53),
      status('Preparing', 60),
      status('Charging', 61),
    ]);
    expect(s).toMatchObject({ connectorStatus: 'Available', chargingState: 'Finishing' });
  });

  it('whatever order the stop and the reports arrive in, the closed session shows the same connector', () => {
    const records = [stop, status('Finishing', 52), status('Available', 53, 54), status('Charging', 61)];
    const expected = deliver([startTx(), status('Charging', 2), ...records]);
    expect(expected).toMatchObject({ connectorStatus: 'Available', chargingState: 'Finishing' });
    for (const order of permutations(records)) {
      const s = deliver([startTx(), status('Charging', 2), ...order]);
      expect({
        connectorStatus: s.connectorStatus,
        chargingState: s.chargingState,
        at: s.connectorStatusAt,
      }).toEqual({
        connectorStatus: expected.connectorStatus,
        chargingState: expected.chargingState,
        at: expected.connectorStatusAt,
      });
      expect(s).toEqual(expected);
    }
  });

  it('an Available before the end does not freeze an ACTIVE session (it is the inferred-stop signal)', () => {
    const s = deliver([startTx(), status('Available', 30), status('Charging', 31)]);
    expect(s).toMatchObject({ status: 'ACTIVE', connectorStatus: 'Charging', chargingState: 'Charging' });
  });

  it('the same report delivered twice emits nothing the second time', () => {
    const s = deliver([startTx(), status('SuspendedEV', 5)]);
    expect(decide(status('SuspendedEV', 5), s)).toEqual([]);
  });
});
