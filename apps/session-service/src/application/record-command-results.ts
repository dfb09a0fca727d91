import type { AnyOcppCommandResult, Envelope } from '@app/contracts';
import { isUuid } from '@app/contracts';
import type { ConnectorStatusAtAnswer, RemoteOutcome, SessionState } from '../domain/session';
import type { ChargerRepository, CommandRepository, SessionRepository, Tx } from './ports';
import { SessionUnitOfWork } from './session-unit-of-work';

/** The remote start and stop of each protocol: their answers move the session the same way. */
const REMOTE_STARTS: ReadonlySet<string> = new Set(['RemoteStartTransaction', 'RequestStartTransaction']);
const REMOTE_STOPS: ReadonlySet<string> = new Set(['RemoteStopTransaction', 'RequestStopTransaction']);

/**
 * `ocpp.v16.command-results` and `ocpp.v201.command-results`: stores each result on its command row
 * (the stop endpoint and the operator's charger commands wait on it; a command without a session,
 * or a CostUpdated, is stored all the same) and moves the session: a remote start (1.6
 * RemoteStartTransaction, 2.0.1 RequestStartTransaction) Accepted → PREPARING, otherwise FAILED
 * (with the connector's last status, so a Rejected start on an Unavailable connector says
 * CONNECTOR_UNAVAILABLE); a remote stop (RemoteStop/RequestStopTransaction) Accepted → REMOTE_STOPPED.
 */
export class RecordCommandResults {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly commands: CommandRepository,
    private readonly chargers?: Pick<ChargerRepository, 'loadConnectors'>,
  ) {}

  async handle(
    client: Tx,
    envelopes: Envelope[],
  ): Promise<{ changed: SessionState[]; commandIds: string[] }> {
    const results = envelopes
      .filter((e) => e.type === 'OcppCommandCompleted')
      .map((e) => ({ env: e, r: e.data as AnyOcppCommandResult }))
      .filter(({ r }) => isUuid(r?.commandId));
    if (results.length === 0) return { changed: [], commandIds: [] };
    // Only our own commands (the topic also carries operators' commands); first result wins.
    const rows = await this.commands.storeResults(
      client,
      results.map(({ env, r }) => ({ result: r, completedAt: r.completedAt ?? env.time })),
    );
    const ours = new Map(rows.map((r) => [r.commandId, r]));
    const sessionIds = [...new Set(rows.map((r) => r.sessionId).filter((s): s is string => s !== null))];
    const uow = new SessionUnitOfWork(await this.sessions.loadByIds(client, sessionIds));
    const statuses = await this.connectorStatuses(client, results, ours, uow);
    for (const { env, r } of results) {
      const cmd = ours.get(r.commandId.toLowerCase());
      if (!cmd?.sessionId || !uow.get(cmd.sessionId)) continue;
      const outcome = remoteOutcome(r);
      const at = r.completedAt ?? env.time;
      if (REMOTE_STARTS.has(cmd.action)) {
        const s = uow.get(cmd.sessionId)!;
        uow.execute(
          cmd.sessionId,
          {
            type: 'RecordRemoteStartResult',
            outcome,
            at,
            ...(outcome === 'Rejected' && this.chargers
              ? { connectorStatus: statuses(s.chargePointId, s.connectorId) }
              : {}),
          },
          env.id,
        );
      } else if (REMOTE_STOPS.has(cmd.action)) {
        uow.execute(cmd.sessionId, { type: 'RecordRemoteStopResult', outcome, at }, env.id);
      }
    }
    return { changed: await this.sessions.save(client, uow), commandIds: [...ours.keys()] };
  }

  /** The connectors projection's statuses of the chargers whose RemoteStart was rejected (one read, only then). */
  private async connectorStatuses(
    client: Tx,
    results: { r: AnyOcppCommandResult }[],
    ours: Map<string, { sessionId: string | null; action: string }>,
    uow: SessionUnitOfWork,
  ): Promise<(chargePointId: string, connectorId: number) => ConnectorStatusAtAnswer> {
    const chargers = new Set<string>();
    for (const { r } of results) {
      const cmd = ours.get(r.commandId.toLowerCase());
      const s = cmd?.sessionId ? uow.get(cmd.sessionId) : undefined;
      if (cmd && REMOTE_STARTS.has(cmd.action) && s && remoteOutcome(r) === 'Rejected')
        chargers.add(s.chargePointId);
    }
    const rows =
      this.chargers && chargers.size > 0 ? await this.chargers.loadConnectors(client, [...chargers]) : [];
    const status = (cp: string, connectorId: number) =>
      rows.find((c) => c.chargePointId === cp && c.connectorId === connectorId)?.status ?? null;
    return (cp, connectorId) => ({ connector: status(cp, connectorId), charger: status(cp, 0) });
  }
}

/** RemoteStart/Stop (1.6) and RequestStart/Stop (2.0.1) answer the same status set: Accepted or Rejected. */
export function remoteOutcome(r: Pick<AnyOcppCommandResult, 'outcome' | 'payload'>): RemoteOutcome {
  switch (r.outcome) {
    case 'Result':
      return (r.payload as { status?: string } | undefined)?.status === 'Accepted' ? 'Accepted' : 'Rejected';
    case 'Offline':
      return 'Offline';
    case 'Timeout':
      return 'Timeout';
    default:
      return 'Error';
  }
}
