import type { Envelope, OcppCommandResult } from '@app/contracts';
import type { Queryable } from '@app/event-store';
import type { RemoteOutcome, SessionState } from '../domain/session';
import type { SessionStore } from '../infrastructure/database/session-store';
import { SessionUnitOfWork } from './session-unit-of-work';

/**
 * `ocpp.v16.command-results`: stores each result on its command row (the stop endpoint waits on
 * it) and moves the session: RemoteStart Accepted → PREPARING, otherwise FAILED; RemoteStop
 * Accepted → REMOTE_STOPPED.
 */
export class RecordCommandResults {
  constructor(private readonly sessions: SessionStore) {}

  async handle(
    client: Queryable,
    envelopes: Envelope[],
  ): Promise<{ changed: SessionState[]; commandIds: string[] }> {
    const results = envelopes
      .filter((e) => e.type === 'OcppCommandCompleted')
      .map((e) => ({ env: e, r: e.data as OcppCommandResult }))
      .filter(({ r }) => typeof r?.commandId === 'string' && /^[0-9a-f-]{36}$/i.test(r.commandId));
    if (results.length === 0) return { changed: [], commandIds: [] };
    // Only our own commands (the topic also carries operators' commands); first result wins.
    const { rows } = await client.query<{ command_id: string; session_id: string | null; action: string }>(
      `update commands c set outcome = x.outcome, result = x.result, completed_at = x.completed_at
       from jsonb_to_recordset($1::jsonb) as x(command_id uuid, outcome text, result jsonb, completed_at timestamptz)
       where c.command_id = x.command_id and c.outcome is null
       returning c.command_id::text, c.session_id::text, c.action`,
      [
        JSON.stringify(
          results.map(({ env, r }) => ({
            command_id: r.commandId,
            outcome: r.outcome,
            result: r,
            completed_at: r.completedAt ?? env.time,
          })),
        ),
      ],
    );
    const ours = new Map(rows.map((r) => [r.command_id, r]));
    const sessionIds = [...new Set(rows.map((r) => r.session_id).filter((s): s is string => s !== null))];
    const uow = new SessionUnitOfWork(await this.sessions.loadByIds(client, sessionIds));
    for (const { env, r } of results) {
      const cmd = ours.get(r.commandId.toLowerCase());
      if (!cmd?.session_id || !uow.get(cmd.session_id)) continue;
      const outcome = remoteOutcome(r);
      const at = r.completedAt ?? env.time;
      if (cmd.action === 'RemoteStartTransaction') {
        uow.execute(cmd.session_id, { type: 'RecordRemoteStartResult', outcome, at }, env.id);
      } else if (cmd.action === 'RemoteStopTransaction') {
        uow.execute(cmd.session_id, { type: 'RecordRemoteStopResult', outcome, at }, env.id);
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
