import type { AnyOcppCommandResult } from '@app/contracts';
import type { Queryable } from '@app/event-store';
import type { CommandRecord, CommandRepository } from '../../application/ports';

/** The `commands` table: what the session service sent, and the results the gateway reported. */
export class CommandStore implements CommandRepository {
  /** `outside`: the pool, for reads outside any transaction (the stop endpoint's wait). */
  constructor(private readonly outside: Queryable) {}

  async record(client: Queryable, c: CommandRecord): Promise<void> {
    await client.query(
      `insert into commands (command_id, session_id, charge_point_id, action, deadline) values ($1, $2, $3, $4, $5)`,
      [c.commandId, c.sessionId, c.chargePointId, c.action, c.deadline],
    );
  }

  async recordOnce(
    client: Queryable,
    commands: (CommandRecord & { outcome?: 'Offline'; result?: AnyOcppCommandResult })[],
  ): Promise<string[]> {
    if (commands.length === 0) return [];
    const { rows } = await client.query<{ command_id: string }>(
      `insert into commands (command_id, session_id, charge_point_id, action, deadline, outcome, result, completed_at)
       select x.command_id, x.session_id, x.charge_point_id, x.action, x.deadline, x.outcome, x.result,
              case when x.outcome is null then null else now() end
         from jsonb_to_recordset($1::jsonb) as x(command_id uuid, session_id uuid, charge_point_id text,
              action text, deadline timestamptz, outcome text, result jsonb)
       on conflict (command_id) do nothing
       returning command_id::text`,
      [
        JSON.stringify(
          commands.map((c) => ({
            command_id: c.commandId,
            session_id: c.sessionId,
            charge_point_id: c.chargePointId,
            action: c.action,
            deadline: c.deadline,
            outcome: c.outcome ?? null,
            result: c.result ?? null,
          })),
        ),
      ],
    );
    return rows.map((r) => r.command_id);
  }

  async pendingStop(client: Queryable, sessionId: string): Promise<string | null> {
    const { rows } = await client.query<{ command_id: string }>(
      `select command_id::text from commands where session_id = $1 and action in ('RemoteStopTransaction', 'RequestStopTransaction') and outcome is null and deadline > now()
       order by requested_at desc limit 1`,
      [sessionId],
    );
    return rows[0]?.command_id ?? null;
  }

  async markNotSent(client: Queryable, commandId: string): Promise<void> {
    await client.query(
      `update commands set outcome = 'NotSent', completed_at = now() where command_id = $1 and outcome is null`,
      [commandId],
    );
  }

  async storeResults(
    client: Queryable,
    results: { result: AnyOcppCommandResult; completedAt: string }[],
  ): Promise<{ commandId: string; sessionId: string | null; action: string }[]> {
    if (results.length === 0) return [];
    const { rows } = await client.query<{ command_id: string; session_id: string | null; action: string }>(
      `update commands c set outcome = x.outcome, result = x.result, completed_at = x.completed_at
       from jsonb_to_recordset($1::jsonb) as x(command_id uuid, outcome text, result jsonb, completed_at timestamptz)
       where c.command_id = x.command_id and c.outcome is null
       returning c.command_id::text, c.session_id::text, c.action`,
      [
        JSON.stringify(
          results.map(({ result, completedAt }) => ({
            command_id: result.commandId,
            outcome: result.outcome,
            result,
            completed_at: completedAt,
          })),
        ),
      ],
    );
    return rows.map((r) => ({ commandId: r.command_id, sessionId: r.session_id, action: r.action }));
  }

  async result(commandId: string): Promise<AnyOcppCommandResult | null> {
    const { rows } = await this.outside.query<{
      outcome: string | null;
      result: AnyOcppCommandResult | null;
    }>('select outcome, result from commands where command_id = $1', [commandId.toLowerCase()]);
    if (!rows[0]?.outcome) return null;
    return rows[0].result ?? ({ outcome: rows[0].outcome } as AnyOcppCommandResult);
  }
}
