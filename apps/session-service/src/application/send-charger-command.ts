import { randomUUID } from 'node:crypto';
import { nameUuid, type Actor, type ChargerProtocol } from '@app/contracts';
import { Ocpp16Validator, Ocpp201Validator } from '@app/ocpp';
import {
  OPERATOR_ACTIONS_BY_PROTOCOL,
  PROTOCOL_NAME,
  VERDICT_HTTP,
  classifyCommandAnswer,
  operatorCommand,
  type CommandVerdict,
  type OperatorCommand,
} from '../domain/charger-command-answer';
import type { ChargerCommandTargets, CommandTarget } from './charger-command-ports';
import type { CommandAudit } from './command-audit';
import type { CommandWaiter } from './command-waiter';
import {
  BadRequestError,
  ChargerCommandError,
  type CommandRepository,
  type CommandSender,
  type TransactionRunner,
} from './ports';

/** One per protocol for the process: each compiles a schema once, at its first use. */
const VALIDATORS = { 'ocpp1.6': new Ocpp16Validator(), 'ocpp2.0.1': new Ocpp201Validator() };

/** The command's deadline is this much before the request must be answered (as for the stop). */
export const COMMAND_ANSWER_MARGIN_MS = 1000;

export interface ChargerCommandRequest {
  chargePointId: string;
  /** As in the URL: anything; only the operator commands of the charger's protocol are sent. */
  action: string;
  /** The request payload, checked against the official `<action>.req` schema of the charger's protocol. */
  payload: unknown;
  actor: Actor;
}

/** 200: the charger's CALLRESULT payload as it sent it. */
export interface ChargerCommandAnswer {
  commandId: string;
  chargePointId: string;
  action: OperatorCommand['action'];
  response: Record<string, unknown>;
}

/**
 * POST /v1/chargers/:id/commands/:action: sends one OCPP command and waits for the charger, like
 * the stop does (stop-session.ts). The action must be an operator command of the protocol the
 * charger last connected with (a charger that never connected takes either protocol's, 1.6 first:
 * it is offline, and the gateway says so); the payload is checked against that protocol's schema.
 * The command is recorded in `commands` (no session), audited as
 * `charger.command_sent` before it leaves (no audit, no command: 503), handed to the protocol's
 * commands topic (`ocpp.v16.commands`, `ocpp.v201.commands`) with a deadline one second before the request must be answered, and its
 * result (stored by the command-results consumer, on whichever instance) is waited for until
 * COMMAND_WAIT_SECONDS. What it came to is audited as `charger.command_answered` and answered as
 * domain/charger-command-answer.ts says: 200, 502 CHARGER_REJECTED / CHARGER_ERROR, 409
 * CHARGER_OFFLINE, 504 CHARGER_TIMEOUT.
 */
export class SendChargerCommand {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly targets: ChargerCommandTargets,
    private readonly commandLog: CommandRepository,
    private readonly commands: CommandSender,
    private readonly waiter: CommandWaiter,
    /** The request answers within this (from its arrival); the command's deadline is 1 s earlier. */
    private readonly waitSeconds: number,
    private readonly audit: CommandAudit,
    /** Told when an answer could not be audited (the answer still goes to the caller). */
    private readonly onAuditFailure: (commandId: string, error: unknown) => void = () => undefined,
  ) {}

  async execute(request: ChargerCommandRequest): Promise<ChargerCommandAnswer> {
    const arrivedAt = Date.now();
    const action = request.action;
    const protocols = PROTOCOLS.filter((p) => operatorCommand(p, action) !== null);
    // An action of neither protocol is refused before the charger is looked up (as it always was).
    if (protocols.length === 0) {
      throw new ChargerCommandError(
        404,
        'UNKNOWN_COMMAND',
        `unknown command "${action}": ${PROTOCOLS.map(actionsOf).join('; ')}`,
      );
    }
    const target = await this.target(request.chargePointId);
    const protocol = target.protocol ?? protocols[0];
    const command = operatorCommand(protocol, action);
    if (!command) {
      throw new ChargerCommandError(
        404,
        'UNKNOWN_COMMAND',
        `unknown command "${action}" for charger ${target.chargePointId}: it is connected with ${protocol}; ${actionsOf(protocol)}`,
      );
    }
    const payload = this.checkPayload(command, request.payload);
    return this.send(target, command, payload, request.actor, {}, arrivedAt);
  }

  /** The charger, if it may get commands: registered or seen, and not deactivated. */
  async target(chargePointId: string): Promise<CommandTarget> {
    const target = await this.targets.find(this.transactions.outside, chargePointId);
    if (!target || !target.active) {
      throw new ChargerCommandError(
        404,
        'CHARGER_NOT_FOUND',
        target
          ? `charger ${chargePointId} is deactivated`
          : `charger ${chargePointId} is neither registered nor ever connected`,
      );
    }
    return target;
  }

  /** The payload as the protocol's `<action>.req` schema allows it; 400 INVALID_COMMAND naming the field otherwise. */
  checkPayload(command: OperatorCommand, payload: unknown): Record<string, unknown> {
    const error = VALIDATORS[command.protocol].validateRequest(command.action, payload);
    if (error) throw new BadRequestError('INVALID_COMMAND', `${command.action}: ${error.message}`);
    return payload as Record<string, unknown>;
  }

  /**
   * Records, audits, sends and waits until `arrivedAt` (when the request came in) + the wait;
   * `details` go into both audit entries.
   */
  async send(
    target: CommandTarget,
    command: OperatorCommand,
    payload: Record<string, unknown>,
    actor: Actor,
    details: Record<string, unknown> = {},
    arrivedAt = Date.now(),
  ): Promise<ChargerCommandAnswer> {
    const answerBy = arrivedAt + this.waitSeconds * 1000;
    // The gateway answers Timeout at the deadline; the second left lets that answer travel back.
    const deadline = new Date(answerBy - COMMAND_ANSWER_MARGIN_MS).toISOString();
    const commandId = randomUUID();
    const { action, protocol } = command;
    const { chargePointId, fleetId } = target;
    const auditDetails = {
      command: action,
      command_id: commandId,
      session_id: null,
      fleet_id: fleetId,
      ...details,
    };
    await this.transactions.run((tx) =>
      this.commandLog.record(tx, { commandId, sessionId: null, chargePointId, action, deadline }),
    );
    try {
      await this.audit.record({
        id: commandId,
        actor,
        action: 'charger.command_sent',
        target: { type: 'charger', id: chargePointId },
        details: auditDetails,
      });
    } catch {
      await this.commandLog.markNotSent(this.transactions.outside, commandId);
      throw new ChargerCommandError(
        503,
        'AUDIT_UNAVAILABLE',
        `${action} could not be recorded in the audit log, so it was not sent; try again`,
      );
    }
    try {
      await this.commands.send(
        { commandId, chargePointId, action, payload, deadline, requestedBy: `${actor.kind}:${actor.id}` },
        protocol,
      );
    } catch {
      await this.commandLog.markNotSent(this.transactions.outside, commandId);
      throw new ChargerCommandError(
        503,
        'COMMAND_NOT_SENT',
        `${action} could not be handed to Kafka, so it was not sent; try again`,
      );
    }
    const result = await this.waiter.wait(commandId, answerBy);
    const verdict = classifyCommandAnswer(command, chargePointId, result, this.waitSeconds);
    await this.audit
      .record({
        // One answer per command: a second write of it adds nothing.
        id: nameUuid('charger.command_answered', commandId),
        actor,
        action: 'charger.command_answered',
        target: { type: 'charger', id: chargePointId },
        details: { ...auditDetails, ...answerDetails(verdict) },
      })
      .catch((e: unknown) => this.onAuditFailure(commandId, e));
    if (verdict.kind === 'answered') return { commandId, chargePointId, action, response: verdict.response };
    const http = VERDICT_HTTP[verdict.kind];
    throw new ChargerCommandError(http.status as 409 | 502 | 504, http.code!, verdict.message);
  }
}

const PROTOCOLS: readonly ChargerProtocol[] = ['ocpp1.6', 'ocpp2.0.1'];

function actionsOf(protocol: ChargerProtocol): string {
  return `${PROTOCOL_NAME[protocol]} chargers take ${OPERATOR_ACTIONS_BY_PROTOCOL[protocol].join(', ')}`;
}

/** What the audit log keeps of an answer: its outcome, status or CALLERROR code, and the HTTP status (no payload). */
function answerDetails(v: CommandVerdict): Record<string, unknown> {
  const http = VERDICT_HTTP[v.kind];
  const base = { outcome: v.kind, http_status: http.status, ...(http.code ? { error: http.code } : {}) };
  switch (v.kind) {
    case 'answered':
    case 'rejected':
      return { ...base, status: v.status };
    case 'error':
      return { ...base, error_code: v.errorCode, description: v.description };
    default:
      return base;
  }
}
