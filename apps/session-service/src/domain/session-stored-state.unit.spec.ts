/** The versioned `sessions.state` JSON (session/stored-state.ts): old unversioned rows are upcast, unknown versions refused. */
import {
  STORED_STATE_VERSION,
  decide,
  evolve,
  fromStoredState,
  initialState,
  toStoredState,
  type SessionCommand,
  type SessionState,
} from './session';
import { FLEET_KEY, requestStart, startTx, stopTx, t } from './session.fixtures.spec';

const commands: SessionCommand[] = [
  requestStart({ actor: FLEET_KEY }),
  { type: 'RecordRemoteStartResult', outcome: 'Accepted', at: t(0.5) },
  startTx(),
  { type: 'RecordStatusNotification', connectorStatus: 'Charging', timestamp: t(2), receivedAt: t(2) },
  {
    type: 'RecordMeterValues',
    readings: [{ wh: 9000, measuredAt: t(30), context: 'Sample.Periodic' }],
    signed: ['sig-30'],
    receivedAt: t(40),
  },
  stopTx({ signed: ['sig-stop'] }),
];

function fold(cs: SessionCommand[]): SessionState {
  let s: SessionState = initialState();
  for (const c of cs) for (const e of decide(c, s)) s = evolve(s, e);
  return s;
}

const TARIFF_A_V1 = {
  tariff_id: 'tariff-a',
  version: 1,
  kwh_price: '0.88',
  session_price: '0',
  time_tariffs: [{ starting_at_minute: 45, minute_price: '0.12' }],
  vat: '0.19',
  currency: 'EUR',
  max_charging_time: 4320,
};

/** What the code before issue 11 stored for `commands` (the flat shape, no version), verbatim. */
const V1_CLOSED = {
  status: 'CLOSED',
  sessionId: 's-1',
  fleetId: 'fleet-1',
  chargePointId: 'CP1',
  connectorId: 1,
  evse: 'DE*2GO*E1*1',
  transactionId: 42,
  authType: 'REMOTE',
  idTag: 'R1',
  userReference: 'user-7',
  createdAt: '2026-01-01T10:00:00.000Z',
  startedAt: '2026-01-01T10:01:00.000Z',
  startReceivedAt: '2026-01-01T10:01:00.000Z',
  completedAt: '2026-01-01T10:51:00.000Z',
  completedReceivedAt: '2026-01-01T10:51:00.000Z',
  meterStartWh: 1000,
  beginReadingWh: null,
  meterStopWh: 16000,
  lastMeter: { wh: 9000, measuredAt: '2026-01-01T10:30:00.000Z' },
  connectorStatus: 'Charging',
  connectorStatusAt: '2026-01-01T10:02:00.000Z',
  connectorStatusReceivedAt: '2026-01-01T10:02:00.000Z',
  chargingState: 'Charging',
  chargingStateAt: '2026-01-01T10:02:00.000Z',
  stopReason: 'Remote',
  stopRequestedAt: null,
  stopRequestedBy: null,
  failureReason: null,
  invalidReason: null,
  tariff: TARIFF_A_V1,
  startCommandId: 'cmd-1',
  flags: ['LATE_EVENTS'],
  raisedFlags: [],
  minLagMs: 0,
  maxLagMs: 600000,
  signedMeterValues: ['sig-30', 'sig-stop'],
  finalAmount: null,
  chargeId: null,
  pricedAt: null,
  lastUpdatedAt: '2026-01-01T10:51:00.000Z',
};

/** The same session before its StopTransaction, as stored then. */
const V1_ACTIVE = {
  ...V1_CLOSED,
  status: 'ACTIVE',
  completedAt: null,
  completedReceivedAt: null,
  meterStopWh: null,
  stopReason: null,
  signedMeterValues: ['sig-30'],
  lastUpdatedAt: '2026-01-01T10:40:00.000Z',
};

describe('stored session state', () => {
  it('an old (unversioned) CLOSED row reads as the state the same records fold to now', () => {
    const upcast = fromStoredState(JSON.parse(JSON.stringify(V1_CLOSED)));
    expect(upcast).toEqual(fold(commands));
    expect(upcast).toMatchObject({
      status: 'CLOSED',
      start: { transactionId: 42, meterStartWh: 1000, startedAt: t(1), receivedAt: t(1) },
      stop: { meterStopWh: 16000, completedAt: t(51), receivedAt: t(51), stopReason: 'Remote' },
      // Re-derived by the one flag rule: the late MeterValues no longer sets LATE_EVENTS.
      flags: [],
    });
    expect(upcast).not.toHaveProperty('minLagMs');
    expect(upcast).not.toHaveProperty('transactionId');
  });

  it('an old ACTIVE row reads as the running session, and folds on to the same CLOSED state', () => {
    const upcast = fromStoredState(JSON.parse(JSON.stringify(V1_ACTIVE)));
    expect(upcast).toEqual(fold(commands.slice(0, 5)));
    let s = upcast;
    for (const e of decide(commands[5], s)) s = evolve(s, e);
    expect(s).toEqual(fold(commands));
  });

  it('old FAILED, STARTING and INVALID rows get their records', () => {
    const base = {
      ...V1_ACTIVE,
      transactionId: null,
      startedAt: null,
      startReceivedAt: null,
      meterStartWh: null,
    };
    expect(fromStoredState({ ...base, status: 'STARTING', lastMeter: null })).toMatchObject({
      status: 'STARTING',
      authType: 'REMOTE',
      idTag: 'R1',
      start: null,
    });
    expect(
      fromStoredState({ ...base, status: 'FAILED', failureReason: 'START_TIMEOUT', completedAt: t(2) }),
    ).toMatchObject({ status: 'FAILED', start: null, failure: { reason: 'START_TIMEOUT', failedAt: t(2) } });
    expect(
      fromStoredState({
        ...V1_ACTIVE,
        status: 'INVALID',
        invalidReason: 'meterStop 500 Wh is below meterStart 1000 Wh',
        meterStopWh: 500,
        completedAt: t(51),
        completedReceivedAt: t(51),
        stopReason: 'Local',
      }),
    ).toMatchObject({
      status: 'INVALID',
      start: { transactionId: 42 },
      invalid: { meterStopWh: 500, invalidatedAt: t(51), receivedAt: t(51), stopReason: 'Local' },
    });
  });

  it('writes the current version and reads it back unchanged', () => {
    const s = fold(commands);
    const stored = JSON.parse(JSON.stringify(toStoredState(s)));
    expect(stored.schemaVersion).toBe(STORED_STATE_VERSION);
    expect(fromStoredState(stored)).toEqual(s);
  });

  it('refuses an unknown version, naming it, and a row that is not a state', () => {
    const s = toStoredState(fold(commands));
    expect(() => fromStoredState({ ...s, schemaVersion: 3 })).toThrow(
      'sessions.state has schemaVersion 3; this build reads 1 (unversioned) and 2',
    );
    expect(() => fromStoredState(null)).toThrow('not a JSON object');
    expect(() => fromStoredState({ ...V1_ACTIVE, transactionId: null })).toThrow(
      'session s-1: ACTIVE without a start',
    );
  });
});
