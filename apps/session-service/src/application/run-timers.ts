import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { inTransactionWithRetry } from '@app/event-store';
import { nextTimerAt, type TimerSettings } from '../domain/timers';
import { fromStoredState } from '../domain/session';
import type { SessionStore } from '../infrastructure/database/session-store';
import { SessionUnitOfWork } from './session-unit-of-work';
import type { CommandSender } from './ports';
import type { CommandAudit } from './command-audit';

const SYSTEM_ACTOR = { kind: 'system' as const, id: 'session-service' };

/**
 * Fires due session timers (start timeout → FAILED, connector Available past STOP_GRACE_MINUTES →
 * inferred close, max_charging_time → remote stop). Rows are locked with `skip locked`, so several
 * instances share the work without doing it twice.
 */
export class RunTimers {
  constructor(
    private readonly pool: Pool,
    private readonly sessions: SessionStore,
    private readonly commands: CommandSender,
    private readonly settings: TimerSettings,
    private readonly commandTimeoutSeconds: number,
    private readonly audit: CommandAudit,
  ) {}

  async runOnce(now = new Date()): Promise<{ changed: string[] }> {
    const stops: {
      commandId: string;
      chargePointId: string;
      transactionId: number;
      sessionId: string;
      fleetId: string;
    }[] = [];
    const changed = await inTransactionWithRetry(this.pool, async (client) => {
      stops.length = 0;
      const { rows: stored } = await client.query<{ state: unknown; version: string }>(
        `select state, version from sessions where timer_at <= $1 order by timer_at limit 200 for update skip locked`,
        [now.toISOString()],
      );
      const rows = stored.map((r) => ({ state: fromStoredState(r.state), version: r.version }));
      const uow = new SessionUnitOfWork(rows.map((r) => ({ state: r.state, version: Number(r.version) })));
      for (const r of rows) {
        const events = uow.execute(
          r.state.sessionId,
          { type: 'CheckTimers', now: now.toISOString(), ...this.settings },
          `timer:${r.state.sessionId}:${now.toISOString()}`,
        );
        if (events.some((e) => e.type === 'SessionStopRequested') && r.state.start !== null) {
          const commandId = randomUUID();
          stops.push({
            commandId,
            chargePointId: r.state.chargePointId,
            transactionId: r.state.start.transactionId,
            sessionId: r.state.sessionId,
            fleetId: r.state.fleetId,
          });
          await client.query(
            `insert into commands (command_id, session_id, charge_point_id, action, deadline) values ($1, $2, $3, 'RemoteStopTransaction', $4)`,
            [
              commandId,
              r.state.sessionId,
              r.state.chargePointId,
              new Date(now.getTime() + this.commandTimeoutSeconds * 1000).toISOString(),
            ],
          );
        }
      }
      // Sessions whose timer_at was due but nothing changed get it recomputed from their state
      // (not cleared: another timer of theirs may still be pending). One that would be due again
      // at once is cleared, so that a rule the sweeper cannot act on never spins.
      const saved = await this.sessions.save(client, uow);
      const untouched = rows.filter((r) => !saved.some((s) => s.sessionId === r.state.sessionId));
      if (untouched.length > 0) {
        const next = untouched.map((r) => {
          const at = nextTimerAt(r.state, this.settings);
          return at !== null && at > now.toISOString() ? at : null;
        });
        await client.query(
          `update sessions s set timer_at = v.at
             from unnest($1::uuid[], $2::timestamptz[]) as v(id, at)
            where s.session_id = v.id and s.timer_at <= $3`,
          [untouched.map((r) => r.state.sessionId), next, now.toISOString()],
        );
      }
      return saved.map((s) => s.sessionId);
    });
    for (const s of stops) {
      // The service's own command is audited too; unrecorded, it is not sent (the stop is asked again).
      const recorded = await this.audit
        .record({
          id: s.commandId,
          actor: SYSTEM_ACTOR,
          action: 'charger.command_sent',
          target: { type: 'charger', id: s.chargePointId },
          details: {
            command: 'RemoteStopTransaction',
            command_id: s.commandId,
            session_id: s.sessionId,
            fleet_id: s.fleetId,
            reason: 'MAX_CHARGING_TIME',
          },
        })
        .then(
          () => true,
          () => false,
        );
      if (!recorded) continue;
      await this.commands
        .send({
          commandId: s.commandId,
          chargePointId: s.chargePointId,
          action: 'RemoteStopTransaction',
          payload: { transactionId: s.transactionId },
          deadline: new Date(now.getTime() + this.commandTimeoutSeconds * 1000).toISOString(),
          requestedBy: 'MAX_CHARGING_TIME',
          sessionId: s.sessionId,
        })
        .catch(() => undefined);
    }
    return { changed };
  }
}
