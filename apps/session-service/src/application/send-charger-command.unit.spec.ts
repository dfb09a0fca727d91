import type { OcppCommand, OcppCommandResult } from '@app/contracts';
import type { ChargerCommandTargets, CommandTarget } from './charger-command-ports';
import type { CommandAudit, CommandAuditEntry } from './command-audit';
import { CommandWaiter } from './command-waiter';
import type { CommandRecord, CommandRepository, TransactionRunner, Tx } from './ports';
import { ChargerCommandError } from './ports';
import { SendChargerCommand } from './send-charger-command';

const TX = {} as Tx;
const actor = { kind: 'api_key' as const, id: 'operator-key' };

/** In-memory ports: the use case runs as in production, against fakes. */
class Fakes {
  chargers = new Map<string, CommandTarget>([
    ['CP-1', { chargePointId: 'CP-1', fleetId: 'fleet-1', active: true }],
    ['CP-OLD', { chargePointId: 'CP-OLD', fleetId: 'fleet-1', active: false }],
  ]);
  commands: (CommandRecord & { outcome?: string })[] = [];
  results = new Map<string, OcppCommandResult>();
  sent: OcppCommand[] = [];
  audited: CommandAuditEntry[] = [];
  /** Fail the audit write of these actions. */
  auditFails = new Set<string>();
  sendFails = false;
  answer: ((c: OcppCommand) => Partial<OcppCommandResult> | null) | null = () => ({
    outcome: 'Result',
    payload: { status: 'Accepted' },
  });
  auditFailures: string[] = [];

  transactions: TransactionRunner = { run: (work) => work(TX), outside: TX };
  targets: ChargerCommandTargets = {
    find: async (_tx, id) => this.chargers.get(id) ?? null,
    fleetIdTags: async () => [],
  };
  commandRepo: CommandRepository = {
    record: async (_tx, c) => void this.commands.push({ ...c }),
    pendingStop: async () => null,
    markNotSent: async (_tx, id) => {
      const c = this.commands.find((x) => x.commandId === id);
      if (c && !c.outcome) c.outcome = 'NotSent';
    },
    storeResults: async () => [],
    result: async (id) => this.results.get(id) ?? null,
  };
  audit: CommandAudit = {
    record: async (e) => {
      if (this.auditFails.has(e.action)) throw new Error('audit database down');
      this.audited.push(e);
    },
  };

  useCase(waitSeconds = 2): SendChargerCommand {
    return new SendChargerCommand(
      this.transactions,
      this.targets,
      this.commandRepo,
      {
        send: async (c) => {
          if (this.sendFails) throw new Error('broker down');
          this.sent.push(c);
          const a = this.answer?.(c);
          if (a)
            this.results.set(c.commandId, {
              commandId: c.commandId,
              chargePointId: c.chargePointId,
              action: c.action,
              completedAt: new Date().toISOString(),
              outcome: 'Result',
              ...a,
            });
        },
      },
      new CommandWaiter(this.commandRepo, 20),
      waitSeconds,
      this.audit,
      (id) => this.auditFailures.push(id),
    );
  }
}

async function failure(p: Promise<unknown>): Promise<ChargerCommandError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ChargerCommandError);
  return e as ChargerCommandError;
}

describe('SendChargerCommand', () => {
  it('given an accepted Reset, then the command is recorded without a session, audited before it leaves and after the answer', async () => {
    const f = new Fakes();
    const order: string[] = [];
    const audit = f.audit.record;
    f.audit.record = async (e) => {
      order.push(`audit:${e.action}`);
      await audit(e);
    };
    const answer = f.answer!;
    f.answer = (c) => {
      order.push('sent');
      return answer(c);
    };
    const t0 = Date.now();
    const r = await f
      .useCase(2)
      .execute({ chargePointId: 'CP-1', action: 'Reset', payload: { type: 'Hard' }, actor });
    expect(r).toEqual({
      commandId: f.sent[0].commandId,
      chargePointId: 'CP-1',
      action: 'Reset',
      response: { status: 'Accepted' },
    });
    expect(order).toEqual(['audit:charger.command_sent', 'sent', 'audit:charger.command_answered']);
    expect(f.commands).toEqual([
      expect.objectContaining({
        commandId: r.commandId,
        sessionId: null,
        chargePointId: 'CP-1',
        action: 'Reset',
      }),
    ]);
    expect(f.sent[0]).toMatchObject({
      action: 'Reset',
      payload: { type: 'Hard' },
      requestedBy: 'api_key:operator-key',
    });
    // The deadline is a second before the request must be answered.
    const deadlineIn = Date.parse(f.sent[0].deadline) - t0;
    expect(deadlineIn).toBeGreaterThanOrEqual(900);
    expect(deadlineIn).toBeLessThanOrEqual(1100);
    expect(f.audited[0]).toMatchObject({
      id: r.commandId,
      details: { session_id: null, fleet_id: 'fleet-1' },
    });
    expect(f.audited[1].id).not.toBe(r.commandId);
    expect(f.audited[1].details).toMatchObject({ outcome: 'answered', status: 'Accepted', http_status: 200 });
  });

  it('given the audit log is down, when sending, then nothing is sent and the caller gets 503 AUDIT_UNAVAILABLE', async () => {
    const f = new Fakes();
    f.auditFails.add('charger.command_sent');
    const e = await failure(
      f.useCase().execute({ chargePointId: 'CP-1', action: 'ClearCache', payload: {}, actor }),
    );
    expect(e).toMatchObject({ status: 503, code: 'AUDIT_UNAVAILABLE' });
    expect(f.sent).toEqual([]);
    expect(f.commands[0].outcome).toBe('NotSent');
  });

  it('given Kafka refuses the command, then 503 COMMAND_NOT_SENT and the command row says NotSent', async () => {
    const f = new Fakes();
    f.sendFails = true;
    const e = await failure(
      f.useCase().execute({ chargePointId: 'CP-1', action: 'ClearCache', payload: {}, actor }),
    );
    expect(e).toMatchObject({ status: 503, code: 'COMMAND_NOT_SENT' });
    expect(f.commands[0].outcome).toBe('NotSent');
  });

  it('given the answer cannot be audited, then the caller still gets the answer and the failure is reported', async () => {
    const f = new Fakes();
    f.auditFails.add('charger.command_answered');
    const r = await f.useCase().execute({ chargePointId: 'CP-1', action: 'ClearCache', payload: {}, actor });
    expect(r.response).toEqual({ status: 'Accepted' });
    expect(f.auditFailures).toEqual([r.commandId]);
  });

  it('refuses before recording anything: unknown action 404, invalid payload 400, unknown or deactivated charger 404', async () => {
    const f = new Fakes();
    const uc = f.useCase();
    await expect(
      uc.execute({ chargePointId: 'CP-1', action: 'RemoteStopTransaction', payload: {}, actor }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'UNKNOWN_COMMAND',
    });
    await expect(
      uc.execute({ chargePointId: 'CP-1', action: 'UnlockConnector', payload: { connectorId: 'x' }, actor }),
    ).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_COMMAND',
      message: expect.stringContaining('connectorId'),
    });
    await expect(
      uc.execute({ chargePointId: 'CP-1', action: 'Reset', payload: [], actor }),
    ).rejects.toMatchObject({
      code: 'INVALID_COMMAND',
    });
    await expect(
      uc.execute({ chargePointId: 'CP-X', action: 'ClearCache', payload: {}, actor }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'CHARGER_NOT_FOUND',
    });
    await expect(
      uc.execute({ chargePointId: 'CP-OLD', action: 'ClearCache', payload: {}, actor }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'CHARGER_NOT_FOUND',
      message: 'charger CP-OLD is deactivated',
    });
    expect(f.commands).toEqual([]);
    expect(f.audited).toEqual([]);
  });

  it('given no answer, then 504 once the wait is over, and the timeout is audited', async () => {
    const f = new Fakes();
    f.answer = null;
    const t0 = Date.now();
    const e = await failure(
      f.useCase(2).execute({ chargePointId: 'CP-1', action: 'GetConfiguration', payload: {}, actor }),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1950);
    expect(e).toMatchObject({ status: 504, code: 'CHARGER_TIMEOUT' });
    expect(f.audited.map((a) => [a.action, a.details.outcome])).toEqual([
      ['charger.command_sent', undefined],
      ['charger.command_answered', 'timeout'],
    ]);
  });

  it.each([
    [{ outcome: 'Offline' }, 409, 'CHARGER_OFFLINE'],
    [{ outcome: 'Result', payload: { status: 'Rejected' } }, 502, 'CHARGER_REJECTED'],
    [{ outcome: 'Error', error: { code: 'InternalError', description: 'oops' } }, 502, 'CHARGER_ERROR'],
    [{ outcome: 'Timeout' }, 504, 'CHARGER_TIMEOUT'],
  ] as const)('given the gateway reports %j, then %d %s', async (answer, status, code) => {
    const f = new Fakes();
    f.answer = () => answer as Partial<OcppCommandResult>;
    const e = await failure(
      f.useCase().execute({ chargePointId: 'CP-1', action: 'Reset', payload: { type: 'Soft' }, actor }),
    );
    expect(e).toMatchObject({ status, code });
    expect(f.audited[1].details).toMatchObject({ http_status: status, error: code });
  });
});
