/** RecordCharges and CostUpdates on in-memory ports: the real unit of work, the commands that leave. */
import fc from 'fast-check';
import {
  makeEnvelope,
  nameUuid,
  ocpp201TransactionNumber,
  type AnyOcppCommand,
  type ChargeCalculated,
  type ChargerProtocol,
  type Envelope,
} from '@app/contracts';
import { Ocpp201Validator } from '@app/ocpp';
import { TARIFF_A } from '../domain/session.fixtures.spec';
import type { ChargerConnection } from './charger-command-ports';
import type { CommandAuditEntry } from './command-audit';
import type { CommandRecord, LoadedSession, SessionRepository, Tx } from './ports';
import { CostUpdates, RecordCharges } from './record-billing-events';
import { SessionUnitOfWork } from './session-unit-of-work';

const TX = {} as Tx;
const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

type Row = CommandRecord & { outcome?: string; result?: unknown };

class Fakes {
  sessions = new Map<string, LoadedSession>();
  rows: Row[] = [];
  sent: { command: AnyOcppCommand; protocol: ChargerProtocol }[] = [];
  audited: CommandAuditEntry[] = [];
  logged: string[] = [];
  connections = new Map<string, ChargerConnection>();
  sendFails = false;
  auditFails = false;

  sessionRepo = {
    loadByIds: async (_tx: Tx, ids: string[]) =>
      ids.flatMap((id) => (this.sessions.has(id) ? [this.sessions.get(id)!] : [])),
    save: async (_tx: Tx, uow: SessionUnitOfWork) =>
      uow.changed().map((c) => {
        this.sessions.set(c.state.sessionId, {
          state: c.state,
          version: c.expectedVersion + c.events.length,
        });
        return c.state;
      }),
  } as unknown as SessionRepository;

  costUpdates = new CostUpdates(
    { connections: async (_tx, cps) => new Map([...this.connections].filter(([cp]) => cps.includes(cp))) },
    {
      recordOnce: async (_tx, commands) => {
        const added: string[] = [];
        for (const c of commands) {
          if (this.rows.some((r) => r.commandId === c.commandId)) continue;
          this.rows.push({ ...c });
          added.push(c.commandId);
        }
        return added;
      },
      markNotSent: async (_tx, id) => {
        const r = this.rows.find((x) => x.commandId === id);
        if (r && !r.outcome) r.outcome = 'NotSent';
      },
    },
    {
      send: async (command, protocol) => {
        if (this.sendFails) throw new Error('broker down');
        this.sent.push({ command, protocol });
      },
    },
    {
      record: async (e) => {
        if (this.auditFails) throw new Error('audit database down');
        this.audited.push(e);
      },
    },
    TX,
    30,
    (m) => this.logged.push(m),
  );
  charges = new RecordCharges(this.sessionRepo, this.costUpdates);

  /** A CLOSED session on `cp` connector 1; 2.0.1 when `chargerTransactionId` is given. */
  closed(sessionId: string, cp: string, chargerTransactionId?: string): void {
    const transactionId =
      chargerTransactionId !== undefined ? ocpp201TransactionNumber(cp, chargerTransactionId) : 7;
    const uow = new SessionUnitOfWork();
    const common = { receivedAt: at(0) };
    uow.execute(
      sessionId,
      {
        type: 'RecordStartTransaction',
        sessionId,
        fleetId: 'fleet-1',
        chargePointId: cp,
        connectorId: 1,
        evse: `${cp}*1`,
        transactionId,
        idTag: 'RFID-1',
        meterStartWh: 1000,
        timestamp: at(0),
        tariff: TARIFF_A,
        ...common,
        ...(chargerTransactionId !== undefined ? { chargerTransactionId, seqNo: 0 } : {}),
      },
      `start-${sessionId}`,
    );
    uow.execute(
      sessionId,
      {
        type: 'RecordStopTransaction',
        transactionId,
        meterStopWh: 9000,
        timestamp: at(30),
        receivedAt: at(30),
        reason: 'EVDisconnected',
        signed: [],
        readings: [],
        ...(chargerTransactionId !== undefined ? { seqNo: 1 } : {}),
      },
      `stop-${sessionId}`,
    );
    const [c] = uow.changed();
    this.sessions.set(sessionId, { state: c.state, version: c.events.length });
  }

  async handle(...charges: ChargeCalculated[]) {
    const envs = charges.map(
      (data) =>
        makeEnvelope({
          type: 'ChargeCalculated',
          source: 'billing-service',
          subject: data.sessionId,
          schema: 'billing.charge-calculated/v1',
          data,
        }) as Envelope,
    );
    const r = await this.charges.handle(TX, envs);
    await this.costUpdates.send(r.costUpdates);
    return r;
  }
}

const S201 = 'a1b2c3d4-0000-4000-8000-000000000201';
const S16 = 'a1b2c3d4-0000-4000-8000-000000000016';

function charge(
  sessionId: string,
  cp: string,
  gross: string,
  over: Partial<ChargeCalculated> = {},
): ChargeCalculated {
  return {
    chargeId: nameUuid('charge', sessionId, gross, over.kind ?? 'CHARGE'),
    sessionId,
    fleetId: 'fleet-1',
    chargePointId: cp,
    evse: `${cp}*1`,
    kind: 'CHARGE',
    finalAmount: {
      energy: gross,
      session: '0.00',
      time: '0.00',
      net: gross,
      vat: '0.00',
      gross,
      currency: 'EUR',
    },
    inputs: {
      tariff: TARIFF_A,
      meter_start: 1000,
      meter_stop: 9000,
      started_at: at(0),
      completed_at: at(30),
    },
    energyWh: 8000,
    durationS: 1800,
    flags: [],
    calculatedAt: at(31),
    ...over,
  };
}

describe('CostUpdated once a 2.0.1 session is priced', () => {
  it('given a priced 2.0.1 session on a connected station, then one CostUpdated with the exact gross and the station’s transactionId, audited, then sent as 2.0.1', async () => {
    const f = new Fakes();
    f.closed(S201, 'CS-1', 'tx-201-a');
    f.connections.set('CS-1', { connected: true, protocol: 'ocpp2.0.1' });
    const c = charge(S201, 'CS-1', '12.3456789012345678901');
    const r = await f.handle(c);
    expect(r.changed.map((s) => s.sessionId)).toEqual([S201]);
    const commandId = nameUuid('CostUpdated', c.chargeId);
    expect(f.sent).toEqual([
      {
        protocol: 'ocpp2.0.1',
        command: expect.objectContaining({
          commandId,
          chargePointId: 'CS-1',
          action: 'CostUpdated',
          payload: { totalCost: '12.3456789012345678901', transactionId: 'tx-201-a' },
          requestedBy: 'billing',
          sessionId: S201,
        }),
      },
    ]);
    expect(f.rows).toEqual([
      expect.objectContaining({ commandId, sessionId: S201, chargePointId: 'CS-1', action: 'CostUpdated' }),
    ]);
    expect(f.rows[0].outcome).toBeUndefined();
    expect(f.audited).toEqual([
      expect.objectContaining({
        id: commandId,
        action: 'charger.command_sent',
        actor: { kind: 'system', id: 'session-service' },
        details: expect.objectContaining({
          command: 'CostUpdated',
          session_id: S201,
          fleet_id: 'fleet-1',
          reason: 'SESSION_PRICED',
          charge_id: c.chargeId,
        }),
      }),
    ]);
    // What the gateway validates, with the decimal string in place of the JSON number it writes.
    expect(
      new Ocpp201Validator().validateRequest('CostUpdated', {
        ...f.sent[0].command.payload,
        totalCost: 12.34,
      }),
    ).toBeNull();
  });

  it('given the same charge record again (redelivered), then nothing is sent twice', async () => {
    const f = new Fakes();
    f.closed(S201, 'CS-1', 'tx-201-a');
    f.connections.set('CS-1', { connected: true, protocol: 'ocpp2.0.1' });
    const c = charge(S201, 'CS-1', '5.00');
    await f.handle(c);
    await f.handle(c);
    await f.handle(c, c);
    expect(f.sent).toHaveLength(1);
    expect(f.rows).toHaveLength(1);
  });

  it('given a correction (REVERSAL, then a replacing CHARGE), then the new gross is sent once more; the reversal sends nothing', async () => {
    const f = new Fakes();
    f.closed(S201, 'CS-1', 'tx-201-a');
    f.connections.set('CS-1', { connected: true, protocol: 'ocpp2.0.1' });
    const first = charge(S201, 'CS-1', '5.00');
    await f.handle(first);
    const reversal = charge(S201, 'CS-1', '-5.00', {
      kind: 'REVERSAL',
      reversesChargeId: first.chargeId,
      calculatedAt: at(40),
    });
    const replacing = charge(S201, 'CS-1', '4.20', {
      replacesChargeId: first.chargeId,
      calculatedAt: at(41),
    });
    await f.handle(reversal, replacing);
    expect(f.sent.map((s) => s.command.payload.totalCost)).toEqual(['5.00', '4.20']);
  });

  it('given a 1.6 session, then no CostUpdated', async () => {
    const f = new Fakes();
    f.closed(S16, 'CP-16');
    f.connections.set('CP-16', { connected: true, protocol: 'ocpp1.6' });
    const r = await f.handle(charge(S16, 'CP-16', '3.00'));
    expect(r.changed).toHaveLength(1);
    expect(f.sent).toEqual([]);
    expect(f.rows).toEqual([]);
  });

  it.each([
    ['disconnected', { connected: false, protocol: 'ocpp2.0.1' as const }],
    ['reconnected with 1.6', { connected: true, protocol: 'ocpp1.6' as const }],
    ['unknown to the projection', null],
  ])(
    'given the station %s, then the CostUpdated is recorded as Offline and not sent',
    async (_what, conn) => {
      const f = new Fakes();
      f.closed(S201, 'CS-1', 'tx-201-a');
      if (conn) f.connections.set('CS-1', conn);
      const c = charge(S201, 'CS-1', '7.77');
      await f.handle(c);
      expect(f.sent).toEqual([]);
      expect(f.audited).toEqual([]);
      expect(f.rows).toEqual([
        expect.objectContaining({
          commandId: nameUuid('CostUpdated', c.chargeId),
          action: 'CostUpdated',
          outcome: 'Offline',
          result: expect.objectContaining({ outcome: 'Offline', action: 'CostUpdated', sessionId: S201 }),
        }),
      ]);
    },
  );

  it('given Kafka or the audit log fails, then the charge is still recorded, the failure is logged and the row marked NotSent', async () => {
    for (const failing of ['sendFails', 'auditFails'] as const) {
      const f = new Fakes();
      f.closed(S201, 'CS-1', 'tx-201-a');
      f.connections.set('CS-1', { connected: true, protocol: 'ocpp2.0.1' });
      f[failing] = true;
      const r = await f.handle(charge(S201, 'CS-1', '1.00'));
      expect(r.changed).toHaveLength(1);
      expect(f.sessions.get(S201)!.state.finalAmount?.gross).toBe('1.00');
      expect(f.sent).toEqual([]);
      expect(f.rows[0].outcome).toBe('NotSent');
      expect(f.logged).toEqual([expect.stringContaining(`CostUpdated for session ${S201}`)]);
    }
  });

  it('for any decimal gross, totalCost is that exact text (never through a float)', async () => {
    const decimal = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 25n }), fc.integer({ min: 0, max: 20 }), fc.boolean())
      .map(([digits, scale, negative]) => {
        const s = digits.toString().padStart(scale + 1, '0');
        const text = scale === 0 ? s : `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
        return negative && digits !== 0n ? `-${text}` : text;
      });
    await fc.assert(
      fc.asyncProperty(decimal, async (gross) => {
        const f = new Fakes();
        f.closed(S201, 'CS-1', 'tx-201-a');
        f.connections.set('CS-1', { connected: true, protocol: 'ocpp2.0.1' });
        await f.handle(charge(S201, 'CS-1', gross));
        expect(f.sent.map((s) => s.command.payload.totalCost)).toEqual([gross]);
      }),
      { numRuns: 50 },
    );
  });
});
