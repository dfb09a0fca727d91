import type { OcppCommand, OcppCommandResult } from '@app/contracts';
import type { Ocpp16Validator } from '@app/ocpp';
import type { ChargerRepository, ConnectionDirectory, OcppEventSink } from './ports';

/**
 * How long a charger may use an idTag it got in a RemoteStartTransaction: long enough for the
 * charger to start (and later stop, with the same tag) a session of the longest max_charging_time
 * (4320 minutes in the pump example).
 */
export const REMOTE_START_ID_TAG_TTL_MS = 4 * 24 * 3600 * 1000;

/** What came back from the charger for one of our CALLs. */
export type ChargerAnswer =
  | { type: 'result'; payload: Record<string, unknown> }
  | { type: 'error'; code: string; description: string; details: unknown }
  | { type: 'timeout' }
  | { type: 'closed' };

export interface CommandTarget {
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

/**
 * A command from `ocpp.v16.commands`. Every replica sees every command:
 * - the replica holding the charger's connection sends it and reports the charger's answer
 *   (`Result`/`Error`), or `Timeout` at the deadline;
 * - when no live replica holds the charger, exactly one replica reports `Offline`: the live
 *   replica with the lowest id (the "single reporter" rule). The others stay silent.
 * A command already past its deadline is not sent; the same rule picks who reports `Timeout`.
 */
export class DispatchCommand {
  constructor(
    private readonly deps: {
      gatewayId: string;
      local: LocalConnections;
      directory: ConnectionDirectory;
      sink: OcppEventSink;
      validator: Ocpp16Validator;
      /** Grants a RemoteStartTransaction's idTag to the charger before the command is sent. */
      grants: Pick<ChargerRepository, 'grantRemoteStartIdTag'>;
      now?(): Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Resolves when the result (if this replica reports one) is on the results topic. */
  async execute(command: OcppCommand): Promise<OcppCommandResult | null> {
    const deadline = Date.parse(command.deadline);
    const target = this.deps.local.get(command.chargePointId);
    if (!target) {
      if (!(await this.isSingleReporter(command.chargePointId))) return null;
      return this.report(
        command,
        Number.isFinite(deadline) && deadline <= this.now().getTime()
          ? { outcome: 'Timeout' }
          : { outcome: 'Offline' },
      );
    }
    if (!Number.isFinite(deadline)) {
      return this.report(command, {
        outcome: 'Error',
        error: {
          code: 'PropertyConstraintViolation',
          description: `deadline "${command.deadline}" is not an ISO-8601 time`,
        },
      });
    }
    const invalid = this.deps.validator.validateRequest(command.action, command.payload);
    if (invalid) {
      // Never send a charger a CALL it would have to reject; say why instead.
      return this.report(command, {
        outcome: 'Error',
        error: { code: invalid.code, description: invalid.description, details: invalid.details },
      });
    }
    if (command.action === 'RemoteStartTransaction' && typeof command.payload.idTag === 'string') {
      // The tag is ours (the session service makes one per remote session), in no fleet's list:
      // without a grant the charger's Authorize/StartTransaction for it would be answered Invalid.
      try {
        const expiresAt = new Date(this.now().getTime() + REMOTE_START_ID_TAG_TTL_MS);
        await this.deps.grants.grantRemoteStartIdTag(command.chargePointId, command.payload.idTag, expiresAt);
      } catch (error) {
        return this.report(command, {
          outcome: 'Error',
          error: {
            code: 'InternalError',
            description: `could not authorize the idTag for the charger: ${(error as Error).message}`,
          },
        });
      }
    }
    const answer = await target.sendCall(command.action, command.payload, deadline, command.commandId);
    switch (answer.type) {
      case 'result':
        return this.report(command, { outcome: 'Result', payload: answer.payload });
      case 'error':
        return this.report(command, {
          outcome: 'Error',
          error: { code: answer.code, description: answer.description, details: answer.details },
        });
      case 'timeout':
        return this.report(command, { outcome: 'Timeout' });
      case 'closed':
        return this.report(command, { outcome: 'Offline' });
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
    command: OcppCommand,
    outcome: Pick<OcppCommandResult, 'outcome' | 'payload' | 'error'>,
  ): Promise<OcppCommandResult> {
    const result: OcppCommandResult = {
      commandId: command.commandId,
      chargePointId: command.chargePointId,
      action: command.action,
      ...outcome,
      completedAt: this.now().toISOString(),
      gatewayId: this.deps.gatewayId,
      ...(command.sessionId ? { sessionId: command.sessionId } : {}),
    };
    await this.deps.sink.commandResult(result);
    return result;
  }
}
