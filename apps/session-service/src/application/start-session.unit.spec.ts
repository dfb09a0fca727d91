import { remoteStartIdOf, type AnyOcppCommand, type ChargerProtocol } from '@app/contracts';
import { Ocpp16Validator, Ocpp201Validator } from '@app/ocpp';
import type { CommandAuditEntry } from './command-audit';
import type {
  ChargerRepository,
  CommandRecord,
  LoadedSession,
  SessionRepository,
  TransactionRunner,
  Tx,
} from './ports';
import { remoteStartCommand, StartSession, type StartSessionCommand } from './start-session';

const TX = {} as Tx;
const actor = { kind: 'api_key' as const, id: 'key-1' };

/** In-memory ports: fleet-1 has charger CP-1, connector 1 registered as EVSE DE*X*E1, last connected with `protocol` (none: never). */
function fakes(protocol: ChargerProtocol | null = 'ocpp1.6') {
  const sessions = new Map<string, LoadedSession>();
  const keys = new Map<string, string>();
  const commands: CommandRecord[] = [];
  const sent: AnyOcppCommand[] = [];
  const protocols: ChargerProtocol[] = [];
  const audited: CommandAuditEntry[] = [];
  const transactions: TransactionRunner = { run: (work) => work(TX), outside: TX };
  const sessionRepo: SessionRepository = {
    loadForChargers: async (_tx, cps) =>
      [...sessions.values()].filter((s) => cps.includes(s.state.chargePointId)),
    loadByIds: async (_tx, ids) => ids.flatMap((id) => (sessions.has(id) ? [sessions.get(id)!] : [])),
    loadDueTimers: async () => [],
    rescheduleTimers: async () => undefined,
    save: async (_tx, uow) =>
      uow.changed().map((c) => {
        sessions.set(c.state.sessionId, { state: c.state, version: c.expectedVersion + c.events.length });
        return c.state;
      }),
    findByIdempotencyKey: async (_tx, fleet, key) => keys.get(`${fleet}/${key}`) ?? null,
    recordIdempotencyKey: async (_tx, fleet, key, id) => void keys.set(`${fleet}/${key}`, id),
  };
  const chargers = {
    findRegisteredEvse: async (_tx: Tx, fleet: string, evse: string) =>
      fleet === 'fleet-1' && evse === 'DE*X*E1' ? { chargePointId: 'CP-1', connectorId: 1 } : null,
    findFleetConnector: async (_tx: Tx, fleet: string, cp: string, connectorId: number) =>
      fleet === 'fleet-1' && cp === 'CP-1' ? { evse: connectorId === 1 ? 'DE*X*E1' : null } : null,
    loadCandidateTariffs: async () => [],
  } as unknown as ChargerRepository;
  const start = new StartSession(
    transactions,
    sessionRepo,
    chargers,
    {
      record: async (_tx, c) => void commands.push(c),
      recordOnce: async () => [],
      pendingStop: async () => null,
      markNotSent: async () => undefined,
      storeResults: async () => [],
      result: async () => null,
    },
    {
      send: async (c, p) => {
        sent.push(c);
        protocols.push(p);
      },
    },
    30,
    { record: async (e) => void audited.push(e) },
    {
      connections: async (_tx, cps) =>
        new Map(protocol && cps.includes('CP-1') ? [['CP-1', { connected: true, protocol }] as const] : []),
    },
  );
  const cmd = (over: Partial<StartSessionCommand> = {}): StartSessionCommand => ({
    fleetId: 'fleet-1',
    evse: 'DE*X*E1',
    userReference: null,
    idempotencyKey: null,
    actor,
    ...over,
  });
  return { start, cmd, sessions, commands, sent, protocols, audited };
}

describe('StartSession (ports faked)', () => {
  it('given a free registered EVSE, when started, then a STARTING session, its RemoteStartTransaction recorded, audited and sent with the idTag the charger will echo', async () => {
    const f = fakes();
    const { session, created } = await f.start.execute(f.cmd());
    expect(created).toBe(true);
    expect(session).toMatchObject({
      status: 'STARTING',
      chargePointId: 'CP-1',
      connectorId: 1,
      evse: 'DE*X*E1',
    });
    expect(f.commands).toEqual([
      expect.objectContaining({ action: 'RemoteStartTransaction', sessionId: session.sessionId }),
    ]);
    expect(f.audited.map((a) => a.details.command_id)).toEqual([f.commands[0].commandId]);
    expect(f.sent).toEqual([
      expect.objectContaining({
        commandId: f.commands[0].commandId,
        payload: { connectorId: 1, idTag: session.idTag },
      }),
    ]);
    expect(f.protocols).toEqual(['ocpp1.6']);
  });

  it('given a station connected with OCPP 2.0.1, when started, then RequestStartTransaction on the EVSE with the idTag as a Central idToken and the session’s remoteStartId, recorded, audited and sent as 2.0.1', async () => {
    const f = fakes('ocpp2.0.1');
    const { session } = await f.start.execute(f.cmd());
    expect(f.commands).toEqual([
      expect.objectContaining({ action: 'RequestStartTransaction', sessionId: session.sessionId }),
    ]);
    expect(f.audited.map((a) => [a.details.command, a.details.command_id])).toEqual([
      ['RequestStartTransaction', f.commands[0].commandId],
    ]);
    expect(f.sent).toEqual([
      {
        commandId: f.commands[0].commandId,
        chargePointId: 'CP-1',
        action: 'RequestStartTransaction',
        payload: {
          idToken: { idToken: session.idTag, type: 'Central' },
          evseId: 1,
          remoteStartId: remoteStartIdOf(session.sessionId),
        },
        deadline: f.commands[0].deadline,
        requestedBy: 'session-service',
        sessionId: session.sessionId,
      },
    ]);
    expect(f.protocols).toEqual(['ocpp2.0.1']);
  });

  it('given a charger the projection has never seen connected, when started, then the 1.6 RemoteStartTransaction (its gateway answers Offline if nobody holds it)', async () => {
    const f = fakes(null);
    await f.start.execute(f.cmd());
    expect(f.sent.map((c) => c.action)).toEqual(['RemoteStartTransaction']);
    expect(f.protocols).toEqual(['ocpp1.6']);
  });

  it('remoteStartCommand pairs each protocol with its action, and the 2.0.1 payload is a valid RequestStartTransaction.req', () => {
    const session = {
      sessionId: 'a1b2c3d4-0000-4000-8000-000000000009',
      connectorId: 2,
      idTag: 'R0123456789ABCDEF012',
    };
    expect(remoteStartCommand('ocpp1.6', session)).toEqual({
      protocol: 'ocpp1.6',
      action: 'RemoteStartTransaction',
      payload: { connectorId: 2, idTag: 'R0123456789ABCDEF012' },
    });
    const v201 = remoteStartCommand('ocpp2.0.1', session);
    expect(v201).toMatchObject({ protocol: 'ocpp2.0.1', action: 'RequestStartTransaction' });
    expect(new Ocpp201Validator().validateRequest(v201.action, v201.payload)).toBeNull();
    expect(
      new Ocpp16Validator().validateRequest(
        'RemoteStartTransaction',
        remoteStartCommand('ocpp1.6', session).payload,
      ),
    ).toBeNull();
  });

  it('given `{charger}*{connector}` of a charger of the fleet, when started, then the connector’s registered EVSE id is the session’s', async () => {
    const f = fakes();
    const { session } = await f.start.execute(f.cmd({ evse: 'CP-1*1' }));
    expect(session.evse).toBe('DE*X*E1');
  });

  it.each(['DE*OTHER', 'CP-2*1', 'CP-1*0'])(
    'given evse %p the fleet does not have, then 404',
    async (evse) => {
      const f = fakes();
      await expect(f.start.execute(f.cmd({ evse }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(f.sent).toEqual([]);
    },
  );

  it('given an open session on the connector, when started again, then 409 CONNECTOR_BUSY', async () => {
    const f = fakes();
    await f.start.execute(f.cmd());
    await expect(f.start.execute(f.cmd({ evse: 'CP-1*1' }))).rejects.toMatchObject({
      code: 'CONNECTOR_BUSY',
    });
    expect(f.sent).toHaveLength(1);
  });

  it('given a start under an Idempotency-Key, when replayed, then the same session and nothing sent again; with a different request under the key, 422', async () => {
    const f = fakes();
    const first = await f.start.execute(f.cmd({ idempotencyKey: 'k-1', userReference: 'u-1' }));
    const again = await f.start.execute(f.cmd({ idempotencyKey: 'k-1', userReference: 'u-1' }));
    expect(again).toEqual({ session: first.session, created: false });
    expect(f.sent).toHaveLength(1);
    await expect(
      f.start.execute(f.cmd({ idempotencyKey: 'k-1', userReference: 'someone else' })),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422 });
  });
});
