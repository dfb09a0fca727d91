import type { Envelope, OcppCommandResult } from '@app/contracts';
import { isUuid } from '@app/contracts';
import type { ConnectorStatusAtAnswer, RemoteOutcome, SessionState } from '../domain/session';
import type { ChargerRepository, CommandRepository, SessionRepository, Tx } from './ports';
import { SessionUnitOfWork } from './session-unit-of-work';

/**
 * `ocpp.v16.command-results`: stores each result on its command row (the stop endpoint and the
 * operator's charger commands wait on it; a command without a session is stored all the same) and
 * moves the session: RemoteStart Accepted → PREPARING, otherwise FAILED (with the connector's last
 * status, so a Rejected start on an Unavailable connector says CONNECTOR_UNAVAILABLE); RemoteStop
 * Accepted → REMOTE_STOPPED.
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
      .map((e) => ({ env: e, r: e.data as OcppCommandResult }))
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
      if (cmd.action === 'RemoteStartTransaction') {
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
      } else if (cmd.action === 'RemoteStopTransaction') {
        uow.execute(cmd.sessionId, { type: 'RecordRemoteStopResult', outcome, at }, env.id);
      }
    }
    return { changed: await this.sessions.save(client, uow), commandIds: [...ours.keys()] };
  }

  /** The connectors projection's statuses of the chargers whose RemoteStart was rejected (one read, only then). */
  private async connectorStatuses(
    client: Tx,
    results: { r: OcppCommandResult }[],
    ours: Map<string, { sessionId: string | null; action: string }>,
    uow: SessionUnitOfWork,
  ): Promise<(chargePointId: string, connectorId: number) => ConnectorStatusAtAnswer> {
    const chargers = new Set<string>();
    for (const { r } of results) {
      const cmd = ours.get(r.commandId.toLowerCase());
      const s = cmd?.sessionId ? uow.get(cmd.sessionId) : undefined;
      if (cmd?.action === 'RemoteStartTransaction' && s && remoteOutcome(r) === 'Rejected')
        chargers.add(s.chargePointId);
    }
    const rows =
      this.chargers && chargers.size > 0 ? await this.chargers.loadConnectors(client, [...chargers]) : [];
    const status = (cp: string, connectorId: number) =>
      rows.find((c) => c.chargePointId === cp && c.connectorId === connectorId)?.status ?? null;
    return (cp, connectorId) => ({ connector: status(cp, connectorId), charger: status(cp, 0) });
  }
}

export function remoteOutcome(r: Pick<OcppCommandResult, 'outcome' | 'payload'>): RemoteOutcome {
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
