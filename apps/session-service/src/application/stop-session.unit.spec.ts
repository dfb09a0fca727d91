import type {
  AnyOcppCommand,
  AnyOcppCommandResult,
  ChargerProtocol,
  OcppCommandResult,
} from '@app/contracts';
import { Ocpp16Validator, Ocpp201Validator } from '@app/ocpp';
import { TARIFF_A } from '../domain/session.fixtures.spec';
import type { CommandAudit, CommandAuditEntry } from './command-audit';
import { CommandWaiter } from './command-waiter';
import type {
  ChangedSessions,
  CommandRecord,
  CommandRepository,
  LoadedSession,
  SessionRepository,
  TransactionRunner,
  Tx,
} from './ports';
import { SessionUnitOfWork } from './session-unit-of-work';
import { describeAnswer, remoteStopCommand, STOP_ANSWER_MARGIN_MS, StopSession } from './stop-session';

const TX = {} as Tx;
const actor = { kind: 'api_key' as const, id: 'key-1' };

/** In-memory ports: the use case runs exactly as in production, against fakes. */
class Fakes {
  sessions = new Map<string, LoadedSession>();
  commands: (CommandRecord & { outcome?: string })[] = [];
  results = new Map<string, AnyOcppCommandResult>();
  sent: AnyOcppCommand[] = [];
  protocols: ChargerProtocol[] = [];
  audited: CommandAuditEntry[] = [];
  auditFails = false;
  sendFails = false;
  /** Answers each command as soon as it is sent. */
  answer: ((c: AnyOcppCommand) => Partial<AnyOcppCommandResult> | null) | null = null;

  transactions: TransactionRunner = { run: (work) => work(TX), outside: TX };
  sessionRepo: SessionRepository = {
    loadForChargers: async () => [...this.sessions.values()],
    loadByIds: async (_tx, ids) =>
      ids.flatMap((id) => (this.sessions.has(id) ? [this.sessions.get(id)!] : [])),
    loadDueTimers: async () => [],
    rescheduleTimers: async () => undefined,
    save: async (_tx, uow: ChangedSessions) =>
      uow.changed().map((c) => {
        this.sessions.set(c.state.sessionId, {
          state: c.state,
          version: c.expectedVersion + c.events.length,
        });
        return c.state;
      }),
    findByIdempotencyKey: async () => null,
    recordIdempotencyKey: async () => undefined,
  };
  commandRepo: CommandRepository = {
    record: async (_tx, c) => void this.commands.push({ ...c }),
    recordOnce: async () => [],
    pendingStop: async (_tx, sessionId) =>
      this.commands.find((c) => c.sessionId === sessionId && !c.outcome && !this.results.has(c.commandId))
        ?.commandId ?? null,
    markNotSent: async (_tx, id) => {
      const c = this.commands.find((x) => x.commandId === id);
      if (c && !c.outcome) c.outcome = 'NotSent';
    },
    storeResults: async () => [],
    result: async (id) => this.results.get(id) ?? null,
  };
  audit: CommandAudit = {
    record: async (e) => {
      if (this.auditFails) throw new Error('audit database down');
      this.audited.push(e);
    },
  };

  stopSession(waitSeconds = 3): StopSession {
    return new StopSession(
      this.transactions,
      this.sessionRepo,
      this.commandRepo,
      {
        send: async (c, protocol) => {
          if (this.sendFails) throw new Error('broker down');
          this.sent.push(c);
          this.protocols.push(protocol);
          const a = this.answer?.(c);
          if (a)
            this.results.set(c.commandId, {
              commandId: c.commandId,
              chargePointId: c.chargePointId,
              action: c.action,
              outcome: 'Result',
              completedAt: new Date().toISOString(),
              ...a,
            } as AnyOcppCommandResult);
        },
      },
      new CommandWaiter(this.commandRepo, 10),
      waitSeconds,
      this.audit,
    );
  }

  /** An ACTIVE session of fleet-1 on CP-1, transaction 42 (2.0.1: the station's transactionId `chargerTransactionId`). */
  active(sessionId = 'a1b2c3d4-0000-4000-8000-000000000001', chargerTransactionId?: string): string {
    const uow = new SessionUnitOfWork();
    uow.execute(
      sessionId,
      {
        type: 'RecordStartTransaction',
        sessionId,
        fleetId: 'fleet-1',
        chargePointId: 'CP-1',
        connectorId: 1,
        evse: 'CP-1*1',
        transactionId: 42,
        idTag: 'RFID-1',
        meterStartWh: 1000,
        timestamp: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
        tariff: TARIFF_A,
        ...(chargerTransactionId !== undefined ? { chargerTransactionId, seqNo: 0 } : {}),
      },
      'seed',
    );
    const [c] = uow.changed();
    this.sessions.set(sessionId, { state: c.state, version: c.events.length });
    return sessionId;
  }
}

describe('StopSession (ports faked)', () => {
  it('given an ACTIVE session, when the charger accepts, then the session as stored after the answer (its stop requested), audited before it was sent, with a deadline a second before the wait ends', async () => {
    const f = new Fakes();
    const id = f.active();
    f.answer = () => ({ payload: { status: 'Accepted' } });
    const t0 = Date.now();
    const state = await f.stopSession(3).execute('fleet-1', id, actor);
    // REMOTE_STOPPED is the command-results consumer's business; the use case returns what is stored.
    expect(state).toMatchObject({ sessionId: id, stopRequestedBy: 'API' });
    expect(state.stopRequestedAt).not.toBeNull();
    expect(f.audited.map((a) => a.details.command)).toEqual(['RemoteStopTransaction']);
    expect(f.sent).toEqual([
      expect.objectContaining({ action: 'RemoteStopTransaction', payload: { transactionId: 42 } }),
    ]);
    const deadline = Date.parse(f.commands[0].deadline) - t0;
    expect(deadline).toBeGreaterThanOrEqual(3000 - STOP_ANSWER_MARGIN_MS - 50);
    expect(deadline).toBeLessThanOrEqual(3000 - STOP_ANSWER_MARGIN_MS + 50);
    expect(f.sent[0].deadline).toBe(f.commands[0].deadline);
    expect(f.protocols).toEqual(['ocpp1.6']);
  });

  it('given an ACTIVE session a 2.0.1 station started, when the station accepts, then RequestStopTransaction naming its own transactionId, recorded, audited and sent as 2.0.1', async () => {
    const f = new Fakes();
    const id = f.active(undefined, 'f4c3a2b1-tx-0001');
    f.answer = () => ({ payload: { status: 'Accepted' } });
    const state = await f.stopSession(3).execute('fleet-1', id, actor);
    expect(state).toMatchObject({ sessionId: id, stopRequestedBy: 'API' });
    expect(f.commands).toEqual([
      expect.objectContaining({ action: 'RequestStopTransaction', sessionId: id }),
    ]);
    expect(f.audited.map((a) => a.details.command)).toEqual(['RequestStopTransaction']);
    expect(f.sent).toEqual([
      expect.objectContaining({
        action: 'RequestStopTransaction',
        payload: { transactionId: 'f4c3a2b1-tx-0001' },
        sessionId: id,
      }),
    ]);
    expect(f.protocols).toEqual(['ocpp2.0.1']);
  });

  it.each([
    [{ outcome: 'Result', payload: { status: 'Rejected' } }, 502, 'CHARGER_REJECTED'],
    [
      { outcome: 'Error', error: { code: 'OccurrenceConstraintViolation', description: '' } },
      502,
      'CHARGER_REJECTED',
    ],
    [{ outcome: 'Offline' }, 502, 'CHARGER_OFFLINE'],
    [{ outcome: 'Timeout' }, 504, 'CHARGER_TIMEOUT'],
  ] as const)(
    'given a 2.0.1 station answering %j, when stopping, then %d %s as for 1.6',
    async (answer, status, code) => {
      const f = new Fakes();
      const id = f.active(undefined, 'tx-201');
      f.answer = () => answer as Partial<AnyOcppCommandResult>;
      await expect(f.stopSession(2).execute('fleet-1', id, actor)).rejects.toMatchObject({ status, code });
    },
  );

  it('remoteStopCommand: a start with the station’s transactionId is 2.0.1, one without is 1.6; both payloads valid against their schemas', () => {
    const start = { transactionId: 2 ** 31 + 5, meterStartWh: 0, startedAt: '', receivedAt: '' };
    const v16 = remoteStopCommand(start);
    expect(v16).toEqual({
      protocol: 'ocpp1.6',
      action: 'RemoteStopTransaction',
      payload: { transactionId: 2 ** 31 + 5 },
    });
    const v201 = remoteStopCommand({ ...start, chargerTransactionId: 'a'.repeat(36) });
    expect(v201).toEqual({
      protocol: 'ocpp2.0.1',
      action: 'RequestStopTransaction',
      payload: { transactionId: 'a'.repeat(36) },
    });
    expect(new Ocpp201Validator().validateRequest(v201.action, v201.payload)).toBeNull();
    expect(new Ocpp16Validator().validateRequest(v16.action, { transactionId: 42 })).toBeNull();
  });

  it('given the audit log is down, when stopping, then 503 AUDIT_UNAVAILABLE, the command is marked NotSent and never sent', async () => {
    const f = new Fakes();
    const id = f.active();
    f.auditFails = true;
    await expect(f.stopSession().execute('fleet-1', id, actor)).rejects.toMatchObject({
      status: 503,
      code: 'AUDIT_UNAVAILABLE',
    });
    expect(f.sent).toEqual([]);
    expect(f.commands[0].outcome).toBe('NotSent');
  });

  it('given Kafka refuses the command, when stopping, then 504 COMMAND_NOT_SENT and the command is marked NotSent', async () => {
    const f = new Fakes();
    const id = f.active();
    f.sendFails = true;
    await expect(f.stopSession().execute('fleet-1', id, actor)).rejects.toMatchObject({
      status: 504,
      code: 'COMMAND_NOT_SENT',
    });
    expect(f.commands[0].outcome).toBe('NotSent');
  });

  it('given a stop still in flight, when stopping again, then no second command is sent and both wait for the one answer', async () => {
    const f = new Fakes();
    const id = f.active();
    const stop = f.stopSession(3);
    const first = stop.execute('fleet-1', id, actor).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 30));
    const second = stop.execute('fleet-1', id, actor).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 30));
    expect(f.sent).toHaveLength(1);
    f.results.set(f.sent[0].commandId, {
      commandId: f.sent[0].commandId,
      chargePointId: 'CP-1',
      action: 'RemoteStopTransaction',
      outcome: 'Result',
      payload: { status: 'Rejected' },
      completedAt: new Date().toISOString(),
    });
    const [a, b] = await Promise.all([first, second]);
    expect(a).toMatchObject({ status: 502, code: 'CHARGER_REJECTED' });
    expect(b).toMatchObject({ status: 502, code: 'CHARGER_REJECTED' });
    expect(f.commands).toHaveLength(1);
  });

  it("given another fleet's session, when stopping, then 404 and nothing is recorded", async () => {
    const f = new Fakes();
    const id = f.active();
    await expect(f.stopSession().execute('fleet-2', id, actor)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(f.commands).toEqual([]);
  });
});

describe('describeAnswer: what the 502 says the charger answered', () => {
  it.each([
    [{ outcome: 'Result', payload: { status: 'Rejected' } }, 'it answered status Rejected'],
    [{ outcome: 'Result', payload: {} }, 'it answered without a status'],
    [
      { outcome: 'Error', error: { code: 'NotImplemented', description: 'no remote stop' } },
      'it answered CALLERROR NotImplemented (no remote stop)',
    ],
    [
      { outcome: 'Error', error: { code: 'InternalError', description: '' } },
      'it answered CALLERROR InternalError',
    ],
    [{ outcome: 'Offline' }, 'it is not connected to any gateway'],
  ] as const)('given %j, then "%s"', (result, text) => {
    expect(describeAnswer(result as Pick<OcppCommandResult, 'outcome' | 'payload' | 'error'>)).toBe(text);
  });
});
