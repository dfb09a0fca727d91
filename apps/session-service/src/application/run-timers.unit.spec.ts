/** RunTimers' max_charging_time stop on in-memory ports: which command leaves, per protocol. */
import type { AnyOcppCommand, ChargerProtocol } from '@app/contracts';
import { TARIFF_A } from '../domain/session.fixtures.spec';
import type { CommandAuditEntry } from './command-audit';
import type { CommandRecord, LoadedSession, SessionRepository, Tx } from './ports';
import { RunTimers } from './run-timers';
import { SessionUnitOfWork } from './session-unit-of-work';

const TX = {} as Tx;
const STARTED = Date.parse('2026-12-01T10:00:00Z');

function fakes(chargerTransactionId?: string) {
  const sessionId = 'a1b2c3d4-0000-4000-8000-0000000000a1';
  const uow = new SessionUnitOfWork();
  const at = new Date(STARTED).toISOString();
  uow.execute(
    sessionId,
    {
      type: 'RecordStartTransaction',
      sessionId,
      fleetId: 'fleet-1',
      chargePointId: 'CS-1',
      connectorId: 2,
      evse: 'CS-1*2',
      // 2.0.1: the number of the station's transactionId (>= 2^31); 1.6: the charger's own.
      transactionId: chargerTransactionId !== undefined ? 2 ** 31 + 77 : 42,
      idTag: 'RFID-1',
      meterStartWh: 0,
      timestamp: at,
      receivedAt: at,
      tariff: { ...TARIFF_A, max_charging_time: 60 },
      ...(chargerTransactionId !== undefined ? { chargerTransactionId, seqNo: 0 } : {}),
    },
    'seed',
  );
  const [c] = uow.changed();
  let loaded: LoadedSession = { state: c.state, version: c.events.length };
  const commands: CommandRecord[] = [];
  const sent: { command: AnyOcppCommand; protocol: ChargerProtocol }[] = [];
  const audited: CommandAuditEntry[] = [];
  const sessions = {
    loadDueTimers: async () => [loaded],
    rescheduleTimers: async () => undefined,
    save: async (_tx: Tx, u: SessionUnitOfWork) =>
      u.changed().map((x) => {
        loaded = { state: x.state, version: x.expectedVersion + x.events.length };
        return x.state;
      }),
  } as unknown as SessionRepository;
  const timers = new RunTimers(
    { run: (work) => work(TX), outside: TX },
    sessions,
    {
      record: async (_tx, r) => void commands.push(r),
      recordOnce: async () => [],
      pendingStop: async () => null,
      markNotSent: async () => undefined,
      storeResults: async () => [],
      result: async () => null,
    },
    { send: async (command, protocol) => void sent.push({ command, protocol }) },
    { stopGraceMinutes: 10, startTimeoutSeconds: 120 },
    30,
    { record: async (e) => void audited.push(e) },
  );
  return { timers, commands, sent, audited, sessionId };
}

describe('RunTimers: the max_charging_time stop', () => {
  const due = new Date(STARTED + 61 * 60_000);

  it('given a session a 2.0.1 station started, then RequestStopTransaction naming its transactionId, recorded and audited as 2.0.1', async () => {
    const f = fakes('tx-201-max');
    const { changed } = await f.timers.runOnce(due);
    expect(changed).toEqual([f.sessionId]);
    expect(f.commands).toEqual([
      expect.objectContaining({ action: 'RequestStopTransaction', sessionId: f.sessionId }),
    ]);
    expect(f.audited.map((a) => [a.details.command, a.details.reason])).toEqual([
      ['RequestStopTransaction', 'MAX_CHARGING_TIME'],
    ]);
    expect(f.sent).toEqual([
      {
        protocol: 'ocpp2.0.1',
        command: expect.objectContaining({
          commandId: f.commands[0].commandId,
          chargePointId: 'CS-1',
          action: 'RequestStopTransaction',
          payload: { transactionId: 'tx-201-max' },
          requestedBy: 'MAX_CHARGING_TIME',
          sessionId: f.sessionId,
        }),
      },
    ]);
  });

  it('given a 1.6 session, then RemoteStopTransaction with the numeric transactionId, as before', async () => {
    const f = fakes();
    await f.timers.runOnce(due);
    expect(f.sent).toEqual([
      {
        protocol: 'ocpp1.6',
        command: expect.objectContaining({
          action: 'RemoteStopTransaction',
          payload: { transactionId: 42 },
        }),
      },
    ]);
  });

  it('before max_charging_time, nothing is sent', async () => {
    const f = fakes('tx-201-max');
    await f.timers.runOnce(new Date(STARTED + 59 * 60_000));
    expect(f.sent).toEqual([]);
    expect(f.commands).toEqual([]);
  });
});
