/**
 * `ocpp.v16.commands` (key chargePointId, producer session-service and operators' tools) and
 * `ocpp.v16.command-results` (key commandId, producer ocpp-gateway).
 * Every gateway replica reads every command; only the one holding the charger's connection sends it.
 */
import type { Ocpp16Action } from '@app/ocpp/ocpp16-types.generated';
import type { Envelope } from './envelope';

export const OCPP_OUTBOUND_ACTIONS = [
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'Reset',
  'ChangeAvailability',
  'ChangeConfiguration',
  'GetConfiguration',
  'UnlockConnector',
  'TriggerMessage',
  'ClearCache',
  'DataTransfer',
  'GetDiagnostics',
  'UpdateFirmware',
  'SendLocalList',
  'GetLocalListVersion',
] as const satisfies readonly Ocpp16Action[];
export type OcppOutboundAction = (typeof OCPP_OUTBOUND_ACTIONS)[number];

/** type `OcppCommandRequested`, schema `ocpp.command/v1`. */
export interface OcppCommand {
  commandId: string;
  chargePointId: string;
  action: OcppOutboundAction;
  /** The OCPP request payload, e.g. `{ connectorId: 1, idTag: "..." }` for RemoteStartTransaction. */
  payload: Record<string, unknown>;
  /** ISO-8601; a command still unanswered then is reported as `Timeout`. */
  deadline: string;
  /** Who asked ("session-service", a session id, an operator). */
  requestedBy: string;
  sessionId?: string;
}

/**
 * - `Result`: the charger sent a CALLRESULT (`payload` holds it, e.g. `{ status: "Accepted" }`)
 * - `Error`: the charger sent a CALLERROR (`error` holds it)
 * - `Offline`: no gateway holds a connection to the charger
 * - `Timeout`: the charger did not answer before the deadline
 */
export type OcppCommandOutcome = 'Result' | 'Error' | 'Offline' | 'Timeout';

/** type `OcppCommandCompleted`, schema `ocpp.command-result/v1`. */
export interface OcppCommandResult {
  commandId: string;
  chargePointId: string;
  action: OcppOutboundAction;
  outcome: OcppCommandOutcome;
  payload?: Record<string, unknown>;
  error?: { code: string; description: string; details?: unknown };
  completedAt: string;
  gatewayId?: string;
  sessionId?: string;
}

export const OCPP_COMMAND_SCHEMA = 'ocpp.command/v1';
export const OCPP_COMMAND_RESULT_SCHEMA = 'ocpp.command-result/v1';
export type OcppCommandEnvelope = Envelope<OcppCommand, 'OcppCommandRequested'>;
export type OcppCommandResultEnvelope = Envelope<OcppCommandResult, 'OcppCommandCompleted'>;
