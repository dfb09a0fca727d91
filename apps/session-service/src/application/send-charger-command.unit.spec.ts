import type { AnyOcppCommand, AnyOcppCommandResult, ChargerProtocol } from '@app/contracts';
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
    ['CP-1', { chargePointId: 'CP-1', fleetId: 'fleet-1', active: true, protocol: 'ocpp1.6' }],
    ['CP-OLD', { chargePointId: 'CP-OLD', fleetId: 'fleet-1', active: false, protocol: 'ocpp1.6' }],
    ['CS-201', { chargePointId: 'CS-201', fleetId: 'fleet-1', active: true, protocol: 'ocpp2.0.1' }],
    ['CP-NEW', { chargePointId: 'CP-NEW', fleetId: 'fleet-1', active: true, protocol: null }],
  ]);
  commands: (CommandRecord & { outcome?: string })[] = [];
  results = new Map<string, AnyOcppCommandResult>();
  sent: AnyOcppCommand[] = [];
  protocols: ChargerProtocol[] = [];
  audited: CommandAuditEntry[] = [];
  /** Fail the audit write of these actions. */
  auditFails = new Set<string>();
  sendFails = false;
  answer: ((c: AnyOcppCommand) => Partial<AnyOcppCommandResult> | null) | null = () => ({
    outcome: 'Result',
    payload: { status: 'Accepted' },
  });
  auditFailures: string[] = [];

  transactions: TransactionRunner = { run: (work) => work(TX), outside: TX };
  targets: ChargerCommandTargets = {
    find: async (_tx, id) => this.chargers.get(id) ?? null,
    fleetIdTags: async () => [],
    connections: async () => new Map(),
  };
  commandRepo: CommandRepository = {
    record: async (_tx, c) => void this.commands.push({ ...c }),
    recordOnce: async () => [],
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
              completedAt: new Date().toISOString(),
              outcome: 'Result',
              ...a,
            } as AnyOcppCommandResult);
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
    f.answer = () => answer as Partial<AnyOcppCommandResult>;
    const e = await failure(
      f.useCase().execute({ chargePointId: 'CP-1', action: 'Reset', payload: { type: 'Soft' }, actor }),
    );
    expect(e).toMatchObject({ status, code });
    expect(f.audited[1].details).toMatchObject({ http_status: status, error: code });
  });

  describe('by protocol', () => {
    it('given a station connected with OCPP 2.0.1, then its 2.0.1 command is checked against the 2.0.1 schema and sent as 2.0.1', async () => {
      const f = new Fakes();
      const payload = {
        getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
      };
      f.answer = () => ({
        payload: {
          getVariableResult: [
            {
              attributeStatus: 'Accepted',
              attributeValue: '300',
              component: { name: 'OCPPCommCtrlr' },
              variable: { name: 'HeartbeatInterval' },
            },
          ],
        },
      });
      const r = await f
        .useCase()
        .execute({ chargePointId: 'CS-201', action: 'GetVariables', payload, actor });
      expect(r.action).toBe('GetVariables');
      expect(r.response.getVariableResult).toHaveLength(1);
      expect(f.sent).toEqual([expect.objectContaining({ action: 'GetVariables', payload })]);
      expect(f.protocols).toEqual(['ocpp2.0.1']);
      expect(f.commands).toEqual([
        expect.objectContaining({ action: 'GetVariables', chargePointId: 'CS-201' }),
      ]);
    });

    it('a 2.0.1 Reset answered Scheduled is 200; on a 1.6 charger Scheduled is a status 1.6 does not define (502)', async () => {
      const f = new Fakes();
      f.answer = () => ({ payload: { status: 'Scheduled' } });
      const ok = await f
        .useCase()
        .execute({ chargePointId: 'CS-201', action: 'Reset', payload: { type: 'OnIdle' }, actor });
      expect(ok.response).toEqual({ status: 'Scheduled' });
      const e = await failure(
        f.useCase().execute({ chargePointId: 'CP-1', action: 'Reset', payload: { type: 'Soft' }, actor }),
      );
      expect(e).toMatchObject({ status: 502, code: 'CHARGER_REJECTED' });
      expect(e.message).toContain('which OCPP 1.6 does not define for Reset');
      expect(f.protocols).toEqual(['ocpp2.0.1', 'ocpp1.6']);
    });

    it('the payload is checked against the protocol the charger speaks: a 1.6 Reset body is invalid for a 2.0.1 station and vice versa', async () => {
      const f = new Fakes();
      const uc = f.useCase();
      await expect(
        uc.execute({ chargePointId: 'CS-201', action: 'Reset', payload: { type: 'Hard' }, actor }),
      ).rejects.toMatchObject({
        status: 400,
        code: 'INVALID_COMMAND',
        message: expect.stringContaining('/type'),
      });
      await expect(
        uc.execute({ chargePointId: 'CP-1', action: 'Reset', payload: { type: 'Immediate' }, actor }),
      ).rejects.toMatchObject({
        status: 400,
        code: 'INVALID_COMMAND',
        message: expect.stringContaining('/type'),
      });
      expect(f.commands).toEqual([]);
    });

    it('an action of the other protocol is 404 UNKNOWN_COMMAND naming the charger’s protocol and its commands; nothing recorded', async () => {
      const f = new Fakes();
      const uc = f.useCase();
      const to201 = await failure(
        uc.execute({ chargePointId: 'CS-201', action: 'ChangeConfiguration', payload: {}, actor }),
      );
      expect(to201).toMatchObject({ status: 404, code: 'UNKNOWN_COMMAND' });
      expect(to201.message).toBe(
        'unknown command "ChangeConfiguration" for charger CS-201: it is connected with ocpp2.0.1; OCPP 2.0.1 chargers take Reset, UnlockConnector, ChangeAvailability, GetVariables, SetVariables, TriggerMessage, GetBaseReport',
      );
      const to16 = await failure(
        uc.execute({ chargePointId: 'CP-1', action: 'GetBaseReport', payload: {}, actor }),
      );
      expect(to16).toMatchObject({ status: 404, code: 'UNKNOWN_COMMAND' });
      expect(to16.message).toContain('it is connected with ocpp1.6; OCPP 1.6 chargers take Reset,');
      for (const action of [
        'RequestStartTransaction',
        'RequestStopTransaction',
        'CostUpdated',
        'SendLocalList',
      ]) {
        const e = await failure(uc.execute({ chargePointId: 'CS-201', action, payload: {}, actor }));
        expect(e).toMatchObject({ status: 404, code: 'UNKNOWN_COMMAND' });
      }
      expect(f.commands).toEqual([]);
    });

    it('an action of neither protocol is 404 before the charger is looked up, listing both sets', async () => {
      const f = new Fakes();
      const e = await failure(
        f.useCase().execute({ chargePointId: 'CP-NOBODY', action: 'Frobnicate', payload: {}, actor }),
      );
      expect(e).toMatchObject({ status: 404, code: 'UNKNOWN_COMMAND' });
      expect(e.message).toMatch(
        /^unknown command "Frobnicate": OCPP 1\.6 chargers take .*; OCPP 2\.0\.1 chargers take /,
      );
    });

    it('a charger that never connected takes either protocol’s commands (1.6 first where both have it)', async () => {
      const f = new Fakes();
      f.answer = () => ({ outcome: 'Offline' });
      for (const [action, payload] of [
        ['Reset', { type: 'Soft' }],
        ['GetBaseReport', { requestId: 1, reportBase: 'FullInventory' }],
      ] as const) {
        const e = await failure(f.useCase().execute({ chargePointId: 'CP-NEW', action, payload, actor }));
        expect(e).toMatchObject({ status: 409, code: 'CHARGER_OFFLINE' });
      }
      expect(f.protocols).toEqual(['ocpp1.6', 'ocpp2.0.1']);
    });
  });
});
