import { randomUUID } from 'node:crypto';
import { nextTimerAt, type TimerSettings } from '../domain/timers';
import { SessionUnitOfWork } from './session-unit-of-work';
import type { CommandRepository, CommandSender, SessionRepository, TransactionRunner } from './ports';
import type { CommandAudit } from './command-audit';
import { remoteStopCommand, type RemoteStopCommand } from './stop-session';

const SYSTEM_ACTOR = { kind: 'system' as const, id: 'session-service' };

/**
 * Fires due session timers (start timeout → FAILED, connector Available past STOP_GRACE_MINUTES →
 * inferred close, max_charging_time → remote stop). Rows are locked with `skip locked`, so several
 * instances share the work without doing it twice.
 */
export class RunTimers {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly sessions: SessionRepository,
    private readonly commandLog: CommandRepository,
    private readonly commands: CommandSender,
    private readonly settings: TimerSettings,
    private readonly commandTimeoutSeconds: number,
    private readonly audit: CommandAudit,
  ) {}

  async runOnce(now = new Date()): Promise<{ changed: string[] }> {
    const stops: {
      commandId: string;
      chargePointId: string;
      stop: RemoteStopCommand;
      sessionId: string;
      fleetId: string;
    }[] = [];
    const changed = await this.transactions.run(async (client) => {
      stops.length = 0;
      const rows = await this.sessions.loadDueTimers(client, now, 200);
      const uow = new SessionUnitOfWork(rows);
      for (const r of rows) {
        const events = uow.execute(
          r.state.sessionId,
          { type: 'CheckTimers', now: now.toISOString(), ...this.settings },
          `timer:${r.state.sessionId}:${now.toISOString()}`,
        );
        if (events.some((e) => e.type === 'SessionStopRequested') && r.state.start !== null) {
          const commandId = randomUUID();
          const stop = remoteStopCommand(r.state.start);
          stops.push({
            commandId,
            chargePointId: r.state.chargePointId,
            stop,
            sessionId: r.state.sessionId,
            fleetId: r.state.fleetId,
          });
          await this.commandLog.record(client, {
            commandId,
            sessionId: r.state.sessionId,
            chargePointId: r.state.chargePointId,
            action: stop.action,
            deadline: new Date(now.getTime() + this.commandTimeoutSeconds * 1000).toISOString(),
          });
        }
      }
      const saved = await this.sessions.save(client, uow);
      const untouched = rows.filter((r) => !saved.some((s) => s.sessionId === r.state.sessionId));
      await this.sessions.rescheduleTimers(
        client,
        untouched.map((r) => {
          const at = nextTimerAt(r.state, this.settings);
          return { sessionId: r.state.sessionId, at: at !== null && at > now.toISOString() ? at : null };
        }),
        now,
      );
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
            command: s.stop.action,
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
        .send(
          {
            commandId: s.commandId,
            chargePointId: s.chargePointId,
            action: s.stop.action,
            payload: s.stop.payload,
            deadline: new Date(now.getTime() + this.commandTimeoutSeconds * 1000).toISOString(),
            requestedBy: 'MAX_CHARGING_TIME',
            sessionId: s.sessionId,
          },
          s.stop.protocol,
        )
        .catch(() => undefined);
    }
    return { changed };
  }
}
