/**
 * What an operator's command to a charger (POST /v1/chargers/:id/commands/:action) came to, from
 * the result the gateway reported on the command-results topic of the charger's protocol
 * (`ocpp.v16.command-results`, `ocpp.v201.command-results`). Pure: no clock, no I/O.
 *
 * A CALLRESULT is a success (200) unless its `status` says the charger did not do it (502
 * CHARGER_REJECTED). Which statuses are which, per protocol and action, is the tables below, written
 * from the `.conf` schemas (the unit tests check they cover every status the schemas allow, each once).
 * OCPP 1.6:
 * - Reset, ClearCache, TriggerMessage, DataTransfer, SendLocalList: only Accepted is success;
 * - ChangeAvailability: Accepted, and Scheduled (it changes once its transaction ends);
 * - ChangeConfiguration: Accepted, and RebootRequired (stored, active after a reboot);
 * - UnlockConnector: Unlocked only (UnlockFailed and NotSupported did not unlock);
 * - GetConfiguration, GetDiagnostics, UpdateFirmware, GetLocalListVersion: their answer has no
 *   status, so any CALLRESULT is the answer (GetLocalListVersion -1: the charger has no local list
 *   support; that is its answer, not an error).
 * OCPP 2.0.1:
 * - Reset, ChangeAvailability: Accepted, and Scheduled (done once the running transaction ends);
 * - UnlockConnector: Unlocked only (UnlockFailed, OngoingAuthorizedTransaction, UnknownConnector
 *   did not unlock);
 * - TriggerMessage: only Accepted;
 * - GetBaseReport: Accepted, and EmptyResultSet (the station did what was asked; it has nothing to
 *   report, so no NotifyReport follows); Rejected and NotSupported are refusals;
 * - GetVariables, SetVariables: their answer has no overall status (one attributeStatus per
 *   variable), so any CALLRESULT is the answer and the caller reads the per-variable results.
 * A status the schema does not define for the action counts as a refusal (the message says so).
 * A CALLERROR is 502 CHARGER_ERROR; Offline (no gateway replica holds the charger) 409
 * CHARGER_OFFLINE; Timeout or no result by the wait 504 CHARGER_TIMEOUT.
 */
import {
  OCPP201_OUTBOUND_ACTIONS,
  OCPP_OUTBOUND_ACTIONS,
  type ChargerProtocol,
  type Ocpp201OutboundAction,
  type OcppCommandResult,
  type OcppOutboundAction,
} from '@app/contracts';

/** The commands an operator sends: every outbound action but RemoteStart/RemoteStopTransaction (the sessions API's). */
export type OperatorCommandAction = Exclude<
  OcppOutboundAction,
  'RemoteStartTransaction' | 'RemoteStopTransaction'
>;
export const OPERATOR_COMMAND_ACTIONS: readonly OperatorCommandAction[] = OCPP_OUTBOUND_ACTIONS.filter(
  (a): a is OperatorCommandAction => a !== 'RemoteStartTransaction' && a !== 'RemoteStopTransaction',
);

export function isOperatorCommandAction(action: string): action is OperatorCommandAction {
  return (OPERATOR_COMMAND_ACTIONS as readonly string[]).includes(action);
}

/**
 * The 2.0.1 commands an operator sends: every 2.0.1 outbound action but the sessions API's
 * RequestStart/RequestStopTransaction and billing's CostUpdated.
 */
export type Operator201CommandAction = Exclude<
  Ocpp201OutboundAction,
  'RequestStartTransaction' | 'RequestStopTransaction' | 'CostUpdated'
>;
export const OPERATOR_201_COMMAND_ACTIONS: readonly Operator201CommandAction[] =
  OCPP201_OUTBOUND_ACTIONS.filter(
    (a): a is Operator201CommandAction =>
      a !== 'RequestStartTransaction' && a !== 'RequestStopTransaction' && a !== 'CostUpdated',
  );

/** An operator's command as sent: the action belongs to the protocol the charger speaks. */
export type OperatorCommand =
  | { protocol: 'ocpp1.6'; action: OperatorCommandAction }
  | { protocol: 'ocpp2.0.1'; action: Operator201CommandAction };

/** What an operator may send to a charger of each protocol. */
export const OPERATOR_ACTIONS_BY_PROTOCOL: Record<ChargerProtocol, readonly string[]> = {
  'ocpp1.6': OPERATOR_COMMAND_ACTIONS,
  'ocpp2.0.1': OPERATOR_201_COMMAND_ACTIONS,
};

export const PROTOCOL_NAME: Record<ChargerProtocol, string> = {
  'ocpp1.6': 'OCPP 1.6',
  'ocpp2.0.1': 'OCPP 2.0.1',
};

/** `action` as a command of `protocol`; null when that protocol has no such operator command. */
export function operatorCommand(protocol: ChargerProtocol, action: string): OperatorCommand | null {
  if (protocol === 'ocpp1.6') return isOperatorCommandAction(action) ? { protocol, action } : null;
  return (OPERATOR_201_COMMAND_ACTIONS as readonly string[]).includes(action)
    ? { protocol, action: action as Operator201CommandAction }
    : null;
}

type StatusTable = { success: readonly string[]; refusal: readonly string[] } | null;

/** Per 1.6 action, the `.conf` statuses meaning done and not done; null: the answer carries no status. */
export const COMMAND_STATUSES: Record<OperatorCommandAction, StatusTable> = {
  Reset: { success: ['Accepted'], refusal: ['Rejected'] },
  UnlockConnector: { success: ['Unlocked'], refusal: ['UnlockFailed', 'NotSupported'] },
  ChangeAvailability: { success: ['Accepted', 'Scheduled'], refusal: ['Rejected'] },
  ChangeConfiguration: {
    success: ['Accepted', 'RebootRequired'],
    refusal: ['Rejected', 'NotSupported'],
  },
  GetConfiguration: null,
  TriggerMessage: { success: ['Accepted'], refusal: ['Rejected', 'NotImplemented'] },
  ClearCache: { success: ['Accepted'], refusal: ['Rejected'] },
  DataTransfer: {
    success: ['Accepted'],
    refusal: ['Rejected', 'UnknownMessageId', 'UnknownVendorId'],
  },
  GetDiagnostics: null,
  UpdateFirmware: null,
  SendLocalList: { success: ['Accepted'], refusal: ['Failed', 'NotSupported', 'VersionMismatch'] },
  GetLocalListVersion: null,
};

/** The same for 2.0.1 (its `.conf` schemas). */
export const COMMAND_STATUSES_201: Record<Operator201CommandAction, StatusTable> = {
  Reset: { success: ['Accepted', 'Scheduled'], refusal: ['Rejected'] },
  UnlockConnector: {
    success: ['Unlocked'],
    refusal: ['UnlockFailed', 'OngoingAuthorizedTransaction', 'UnknownConnector'],
  },
  ChangeAvailability: { success: ['Accepted', 'Scheduled'], refusal: ['Rejected'] },
  GetVariables: null,
  SetVariables: null,
  TriggerMessage: { success: ['Accepted'], refusal: ['Rejected', 'NotImplemented'] },
  GetBaseReport: { success: ['Accepted', 'EmptyResultSet'], refusal: ['Rejected', 'NotSupported'] },
};

export function commandStatuses(command: OperatorCommand): StatusTable {
  return command.protocol === 'ocpp1.6'
    ? COMMAND_STATUSES[command.action]
    : COMMAND_STATUSES_201[command.action];
}

export type CommandVerdict =
  /** 200: the charger's CALLRESULT, as it sent it. */
  | { kind: 'answered'; status: string | null; response: Record<string, unknown> }
  /** 502 CHARGER_REJECTED: a CALLRESULT whose status says it was not done. */
  | { kind: 'rejected'; status: string | null; response: Record<string, unknown>; message: string }
  /** 502 CHARGER_ERROR: a CALLERROR. */
  | { kind: 'error'; errorCode: string; description: string; message: string }
  /** 409 CHARGER_OFFLINE */
  | { kind: 'offline'; message: string }
  /** 504 CHARGER_TIMEOUT */
  | { kind: 'timeout'; message: string };

/** The HTTP answer of each verdict (README "Charger commands"). */
export const VERDICT_HTTP: Record<
  CommandVerdict['kind'],
  { status: 200 | 409 | 502 | 504; code: string | null }
> = {
  answered: { status: 200, code: null },
  rejected: { status: 502, code: 'CHARGER_REJECTED' },
  error: { status: 502, code: 'CHARGER_ERROR' },
  offline: { status: 409, code: 'CHARGER_OFFLINE' },
  timeout: { status: 504, code: 'CHARGER_TIMEOUT' },
};

/**
 * The verdict on `result` (null: none arrived within `waitSeconds`) of `command` sent to
 * `chargePointId`. Every message names what the charger (or the gateway for it) said.
 */
export function classifyCommandAnswer(
  command: OperatorCommand,
  chargePointId: string,
  result: Pick<OcppCommandResult, 'outcome' | 'payload' | 'error'> | null,
  waitSeconds: number,
): CommandVerdict {
  const action = command.action;
  const timeout = (): CommandVerdict => ({
    kind: 'timeout',
    message: `charger ${chargePointId} did not answer ${action} within ${waitSeconds} s`,
  });
  if (result === null) return timeout();
  switch (result.outcome) {
    case 'Result': {
      const response = result.payload ?? {};
      const raw = (response as { status?: unknown }).status;
      const status = typeof raw === 'string' ? raw : null;
      const statuses = commandStatuses(command);
      if (statuses === null || (status !== null && statuses.success.includes(status)))
        return { kind: 'answered', status, response };
      const what =
        status === null
          ? 'without a status'
          : statuses.refusal.includes(status)
            ? `status ${status}`
            : `status ${status}, which ${PROTOCOL_NAME[command.protocol]} does not define for ${action}`;
      return {
        kind: 'rejected',
        status,
        response,
        message: `charger ${chargePointId} did not do ${action}: it answered ${what}`,
      };
    }
    case 'Error': {
      const errorCode = result.error?.code ?? 'GenericError';
      const description = result.error?.description ?? '';
      return {
        kind: 'error',
        errorCode,
        description,
        message: `charger ${chargePointId} answered ${action} with CALLERROR ${errorCode}${description ? ` (${description})` : ''}`,
      };
    }
    case 'Offline':
      return {
        kind: 'offline',
        message: `charger ${chargePointId} is not connected to any gateway; ${action} was not sent`,
      };
    case 'Timeout':
      return timeout();
    default:
      // Not an outcome of the contract (e.g. NotSent, set when the command never left): an error.
      return {
        kind: 'error',
        errorCode: String(result.outcome),
        description: '',
        message: `the gateway reported ${String(result.outcome)} for ${action} to charger ${chargePointId}`,
      };
  }
}
