import type { Envelope, OcppCommandResult } from '@app/contracts';
import { isUuid } from '@app/contracts';
import type { RemoteOutcome, SessionState } from '../domain/session';
import type { CommandRepository, SessionRepository, Tx } from './ports';
import { SessionUnitOfWork } from './session-unit-of-work';

/**
 * `ocpp.v16.command-results`: stores each result on its command row (the stop endpoint waits on
 * it) and moves the session: RemoteStart Accepted → PREPARING, otherwise FAILED; RemoteStop
 * Accepted → REMOTE_STOPPED.
 */
export class RecordCommandResults {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly commands: CommandRepository,
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
    for (const { env, r } of results) {
      const cmd = ours.get(r.commandId.toLowerCase());
      if (!cmd?.sessionId || !uow.get(cmd.sessionId)) continue;
      const outcome = remoteOutcome(r);
      const at = r.completedAt ?? env.time;
      if (cmd.action === 'RemoteStartTransaction') {
        uow.execute(cmd.sessionId, { type: 'RecordRemoteStartResult', outcome, at }, env.id);
      } else if (cmd.action === 'RemoteStopTransaction') {
        uow.execute(cmd.sessionId, { type: 'RecordRemoteStopResult', outcome, at }, env.id);
      }
    }
    return { changed: await this.sessions.save(client, uow), commandIds: [...ours.keys()] };
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
