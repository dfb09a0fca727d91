import { randomUUID } from 'node:crypto';
import type { Actor, AnyOcppCommandResult } from '@app/contracts';
import { isCharging, SessionRuleError, type SessionState, type StartRecord } from '../domain/session';
import { remoteOutcome } from './record-command-results';
import {
  ChargerCommandError,
  ConflictError,
  NotFoundError,
  type CommandRepository,
  type CommandSender,
  type SessionRepository,
  type TransactionRunner,
} from './ports';
import { SessionUnitOfWork } from './session-unit-of-work';
import type { CommandWaiter } from './command-waiter';
import type { CommandAudit } from './command-audit';

/** The RemoteStopTransaction's deadline is this much before the request must be answered. */
export const STOP_ANSWER_MARGIN_MS = 1000;

/** What the charger (or the gateway for it) answered, for the 502's message. */
export function describeAnswer(r: Pick<AnyOcppCommandResult, 'outcome' | 'payload' | 'error'>): string {
  switch (r.outcome) {
    case 'Result': {
      const status = (r.payload as { status?: unknown } | undefined)?.status;
      return typeof status === 'string' ? `it answered status ${status}` : 'it answered without a status';
    }
    case 'Error':
      return r.error
        ? `it answered CALLERROR ${r.error.code}${r.error.description ? ` (${r.error.description})` : ''}`
        : 'it answered a CALLERROR';
    case 'Offline':
      return 'it is not connected to any gateway';
    default:
      return `the gateway reported ${String(r.outcome)}`;
  }
}

/** The remote stop of a started session, in the protocol that started it. */
export type RemoteStopCommand =
  | { protocol: 'ocpp1.6'; action: 'RemoteStopTransaction'; payload: { transactionId: number } }
  | { protocol: 'ocpp2.0.1'; action: 'RequestStopTransaction'; payload: { transactionId: string } };

/**
 * A session whose start carries the station's string transactionId was started by a 2.0.1
 * station: RequestStopTransaction names that string. Otherwise 1.6's RemoteStopTransaction with the
 * numeric transactionId. The session says which, not the projection: the transaction is the
 * station's, whatever it reconnected with since.
 */
export function remoteStopCommand(start: StartRecord): RemoteStopCommand {
  return start.chargerTransactionId !== undefined
    ? {
        protocol: 'ocpp2.0.1',
        action: 'RequestStopTransaction',
        payload: { transactionId: start.chargerTransactionId },
      }
    : {
        protocol: 'ocpp1.6',
        action: 'RemoteStopTransaction',
        payload: { transactionId: start.transactionId },
      };
}

/**
 * POST /v1/sessions/:id/stop: records the stop request, sends RemoteStopTransaction (1.6) or
 * RequestStopTransaction (2.0.1) and waits for the charger's answer (through the gateway and the
 * command-results topic of its protocol) until the deadline.
 * Stopping twice returns the same session; a stop still in flight is waited on, not sent again.
 */
export class StopSession {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly sessions: SessionRepository,
    private readonly commandLog: CommandRepository,
    private readonly commands: CommandSender,
    private readonly waiter: CommandWaiter,
    /** The request answers within this (from its arrival); the command's deadline is 1 s earlier. */
    private readonly stopWaitSeconds: number,
    private readonly audit: CommandAudit,
  ) {}

  /** `actor` is carried in SessionStopRequested, and recorded in the audit log with the stop command when one is sent. */
  async execute(fleetId: string, sessionId: string, actor: Actor): Promise<SessionState> {
    const answerBy = Date.now() + this.stopWaitSeconds * 1000;
    // The gateway answers Timeout at the deadline; the second left lets that answer travel back.
    const deadline = new Date(answerBy - STOP_ANSWER_MARGIN_MS);
    const prepared = await this.transactions.run(async (client) => {
      const [loaded] = await this.sessions.loadByIds(client, [sessionId], true);
      if (!loaded || loaded.state.fleetId !== fleetId)
        throw new NotFoundError(`session ${sessionId} not found`);
      const state = loaded.state;
      if (
        state.status === 'REMOTE_STOPPED' ||
        (state.stopRequestedAt !== null && state.status === 'CLOSED')
      ) {
        return { state, commandId: null as string | null, stop: null as RemoteStopCommand | null };
      }
      const uow = new SessionUnitOfWork([loaded]);
      const requestId = randomUUID();
      try {
        uow.execute(
          sessionId,
          { type: 'RequestStop', requestedAt: new Date().toISOString(), requestedBy: 'API', actor },
          requestId,
        );
      } catch (e) {
        if (e instanceof SessionRuleError && e.code === 'NOT_STOPPABLE')
          throw new ConflictError('SESSION_NOT_STOPPABLE', e.message);
        throw e;
      }
      await this.sessions.save(client, uow);
      const pending = await this.commandLog.pendingStop(client, sessionId);
      if (pending) return { state: uow.get(sessionId)!, commandId: pending, stop: null };
      // RequestStop accepted only an ACTIVE session, which has its charger transaction.
      if (!isCharging(state))
        throw new ConflictError('SESSION_NOT_STOPPABLE', `session is ${state.status}; it has no transaction`);
      const stop = remoteStopCommand(state.start);
      await this.commandLog.record(client, {
        commandId: requestId,
        sessionId,
        chargePointId: state.chargePointId,
        action: stop.action,
        deadline: deadline.toISOString(),
      });
      return { state: uow.get(sessionId)!, commandId: requestId, stop };
    });
    if (!prepared.commandId) return prepared.state;

    const stop = prepared.stop;
    if (stop) {
      try {
        await this.audit.record({
          id: prepared.commandId,
          actor,
          action: 'charger.command_sent',
          target: { type: 'charger', id: prepared.state.chargePointId },
          details: {
            command: stop.action,
            command_id: prepared.commandId,
            session_id: sessionId,
            fleet_id: fleetId,
          },
        });
      } catch {
        await this.commandLog.markNotSent(this.transactions.outside, prepared.commandId);
        throw new ChargerCommandError(
          503,
          'AUDIT_UNAVAILABLE',
          'the stop could not be recorded in the audit log, so it was not sent; try again',
        );
      }
      try {
        await this.commands.send(
          {
            commandId: prepared.commandId,
            chargePointId: prepared.state.chargePointId,
            action: stop.action,
            payload: stop.payload,
            deadline: deadline.toISOString(),
            requestedBy: 'session-service',
            sessionId,
          },
          stop.protocol,
        );
      } catch {
        await this.commandLog.markNotSent(this.transactions.outside, prepared.commandId);
        throw new ChargerCommandError(
          504,
          'COMMAND_NOT_SENT',
          'the stop command could not be handed to Kafka; try again',
        );
      }
    }
    const result = await this.waiter.wait(prepared.commandId, answerBy);
    const timeout = `the charger did not answer the stop within ${this.stopWaitSeconds} s`;
    if (!result) throw new ChargerCommandError(504, 'CHARGER_TIMEOUT', timeout);
    const outcome = remoteOutcome(result);
    if (outcome === 'Timeout') throw new ChargerCommandError(504, 'CHARGER_TIMEOUT', timeout);
    if (outcome !== 'Accepted') {
      throw new ChargerCommandError(
        502,
        outcome === 'Offline' ? 'CHARGER_OFFLINE' : 'CHARGER_REJECTED',
        `the charger did not accept the stop: ${describeAnswer(result)}`,
      );
    }
    const [after] = await this.sessions.loadByIds(this.transactions.outside, [sessionId]);
    return after.state;
  }
}
