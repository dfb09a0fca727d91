import type { AnyOcppCommand, AnyOcppCommandResult, ChargerProtocol } from '@app/contracts';
import { LosslessNumber } from '@app/ocpp';
import type { ChargerRepository, ConnectionDirectory, OcppEventSink } from './ports';

/**
 * How long a charger may use an idTag it got in a RemoteStartTransaction: long enough for the
 * charger to start (and later stop, with the same tag) a session of the longest max_charging_time
 * (4320 minutes in the pump example).
 */
export const REMOTE_START_ID_TAG_TTL_MS = 4 * 24 * 3600 * 1000;

/** What came back from the charger for one of our CALLs (an error code in the connection's spelling). */
export type ChargerAnswer =
  | { type: 'result'; payload: Record<string, unknown> }
  | { type: 'error'; code: string; description: string; details: unknown }
  | { type: 'timeout' }
  | { type: 'closed' };

export interface CommandTarget {
  /** The subprotocol the charger's connection speaks. */
  readonly protocol: ChargerProtocol;
  /** `payload` may hold LosslessNumbers: they go on the wire as their exact text. */
  sendCall(
    action: string,
    payload: Record<string, unknown>,
    deadline: number,
    preferredMessageId?: string,
  ): Promise<ChargerAnswer>;
}

export interface LocalConnections {
  /** The charger's connection if this replica holds it. */
  get(chargePointId: string): CommandTarget | undefined;
}

/** A protocol's request check (Ocpp16Validator, Ocpp201Validator): null when valid. */
export interface RequestValidator {
  validateRequest(
    action: string,
    payload: unknown,
  ): { code: string; description: string; details?: Record<string, unknown> } | null;
}

type Outcome = Pick<AnyOcppCommandResult, 'outcome' | 'payload' | 'error'>;

/** CostUpdated.totalCost as the session service sends it: the gross amount, a plain decimal. */
const DECIMAL_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** The remote-start actions whose id tag the charger must be granted before it gets the command. */
const REMOTE_START_ID_TAG: Record<string, (payload: Record<string, unknown>) => unknown> = {
  RemoteStartTransaction: (payload) => payload.idTag,
  RequestStartTransaction: (payload) => (payload.idToken as { idToken?: unknown } | undefined)?.idToken,
};

/**
 * A command from `ocpp.v16.commands` or `ocpp.v201.commands` (its `protocol`). Every replica sees
 * every command:
 * - the replica holding the charger's connection sends it and reports the charger's answer
 *   (`Result`/`Error`), or `Timeout` at the deadline;
 * - when no live replica holds the charger, exactly one replica reports `Offline`: the live
 *   replica with the lowest id (the "single reporter" rule). The others stay silent.
 * A command already past its deadline is not sent; the same rule picks who reports `Timeout`.
 * The result goes to the results topic of the command's protocol. A command of one protocol for a
 * charger connected with the other is answered `Error` NotSupported, never translated.
 */
export class DispatchCommand {
  constructor(
    private readonly deps: {
      gatewayId: string;
      local: LocalConnections;
      directory: ConnectionDirectory;
      sink: OcppEventSink;
      validators: Record<ChargerProtocol, RequestValidator>;
      /** Grants a remote start's idTag (1.6) / idToken (2.0.1) to the charger before the command is sent. */
      grants: Pick<ChargerRepository, 'grantRemoteStartIdTag'>;
      now?(): Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Resolves when the result (if this replica reports one) is on the results topic. */
  async execute(command: AnyOcppCommand, protocol: ChargerProtocol): Promise<AnyOcppCommandResult | null> {
    const report = (outcome: Outcome) => this.report(command, protocol, outcome);
    const deadline = Date.parse(command.deadline);
    const target = this.deps.local.get(command.chargePointId);
    if (!target) {
      if (!(await this.isSingleReporter(command.chargePointId))) return null;
      return report(
        Number.isFinite(deadline) && deadline <= this.now().getTime()
          ? { outcome: 'Timeout' }
          : { outcome: 'Offline' },
      );
    }
    if (!Number.isFinite(deadline)) {
      return report(
        error('PropertyConstraintViolation', `deadline "${command.deadline}" is not an ISO-8601 time`),
      );
    }
    if (target.protocol !== protocol)
      return report(error('NotSupported', `the charger is connected with ${target.protocol}`));
    const wire = wirePayload(command);
    if ('outcome' in wire) return report(wire);
    const invalid = this.deps.validators[protocol].validateRequest(command.action, wire.checked);
    if (invalid) {
      // Never send a charger a CALL it would have to reject; say why instead.
      return report(error(invalid.code, invalid.description, invalid.details));
    }
    const idTag = REMOTE_START_ID_TAG[command.action]?.(command.payload);
    if (typeof idTag === 'string') {
      // The tag is ours (the session service makes one per remote session), in no fleet's list:
      // without a grant the charger's Authorize/StartTransaction for it would be answered Invalid.
      try {
        const expiresAt = new Date(this.now().getTime() + REMOTE_START_ID_TAG_TTL_MS);
        await this.deps.grants.grantRemoteStartIdTag(command.chargePointId, idTag, expiresAt);
      } catch (e) {
        return report(
          error('InternalError', `could not authorize the idTag for the charger: ${(e as Error).message}`),
        );
      }
    }
    const answer = await target.sendCall(command.action, wire.sent, deadline, command.commandId);
    switch (answer.type) {
      case 'result':
        return report({ outcome: 'Result', payload: answer.payload });
      case 'error':
        return report(error(answer.code, answer.description, answer.details));
      case 'timeout':
        return report({ outcome: 'Timeout' });
      case 'closed':
        return report({ outcome: 'Offline' });
    }
  }

  private async isSingleReporter(chargePointId: string): Promise<boolean> {
    const holder = await this.deps.directory.holderOf(chargePointId);
    if (holder && holder !== this.deps.gatewayId) return false;
    // Count ourselves as live even if our own heartbeat row is late.
    const live = new Set(await this.deps.directory.liveReplicas()).add(this.deps.gatewayId);
    return [...live].sort()[0] === this.deps.gatewayId;
  }

  private async report(
    command: AnyOcppCommand,
    protocol: ChargerProtocol,
    outcome: Outcome,
  ): Promise<AnyOcppCommandResult> {
    const result = {
      commandId: command.commandId,
      chargePointId: command.chargePointId,
      action: command.action,
      ...outcome,
      completedAt: this.now().toISOString(),
      gatewayId: this.deps.gatewayId,
      ...(command.sessionId ? { sessionId: command.sessionId } : {}),
    } as AnyOcppCommandResult;
    await this.deps.sink.commandResult(result, protocol);
    return result;
  }
}

function error(code: string, description: string, details?: unknown): Outcome {
  return { outcome: 'Error', error: { code, description, ...(details === undefined ? {} : { details }) } };
}

/**
 * The payload to check against the schema and the one to send. They differ for 2.0.1 CostUpdated
 * only: `totalCost` arrives as a decimal string (money is never a float on Kafka) and leaves as a
 * JSON number with exactly that text; the schema, which wants a number, checks a placeholder.
 */
function wirePayload(
  command: AnyOcppCommand,
): { checked: Record<string, unknown>; sent: Record<string, unknown> } | Outcome {
  const { payload } = command;
  if (command.action !== 'CostUpdated') return { checked: payload, sent: payload };
  const totalCost = payload.totalCost;
  if (typeof totalCost !== 'string' || !DECIMAL_TEXT.test(totalCost)) {
    return error(
      'PropertyConstraintViolation',
      `CostUpdated totalCost must be a decimal string like "12.34", got ${JSON.stringify(totalCost)}`,
    );
  }
  return {
    checked: { ...payload, totalCost: 0 },
    sent: { ...payload, totalCost: new LosslessNumber(totalCost) },
  };
}
