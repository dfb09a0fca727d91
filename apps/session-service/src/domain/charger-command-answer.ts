/**
 * What an operator's command to a charger (POST /v1/chargers/:id/commands/:action) came to, from
 * the result the gateway reported on `ocpp.v16.command-results`. Pure: no clock, no I/O.
 *
 * A CALLRESULT is a success (200) unless its `status` says the charger did not do it (502
 * CHARGER_REJECTED). Which statuses are which, per action, is the table below, written from the
 * OCPP 1.6 `.conf` schemas (the unit tests check it covers every status they allow, each once):
 * - Reset, ClearCache, TriggerMessage, DataTransfer, SendLocalList: only Accepted is success;
 * - ChangeAvailability: Accepted, and Scheduled (it changes once its transaction ends);
 * - ChangeConfiguration: Accepted, and RebootRequired (stored, active after a reboot);
 * - UnlockConnector: Unlocked only (UnlockFailed and NotSupported did not unlock);
 * - GetConfiguration, GetDiagnostics, UpdateFirmware, GetLocalListVersion: their answer has no
 *   status, so any CALLRESULT is the answer (GetLocalListVersion -1: the charger has no local list
 *   support; that is its answer, not an error).
 * A status the schema does not define for the action counts as a refusal (the message says so).
 * A CALLERROR is 502 CHARGER_ERROR; Offline (no gateway replica holds the charger) 409
 * CHARGER_OFFLINE; Timeout or no result by the wait 504 CHARGER_TIMEOUT.
 */
import { OCPP_OUTBOUND_ACTIONS, type OcppCommandResult, type OcppOutboundAction } from '@app/contracts';

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

/** Per action, the `.conf` statuses meaning done and not done; null: the answer carries no status. */
export const COMMAND_STATUSES: Record<
  OperatorCommandAction,
  { success: readonly string[]; refusal: readonly string[] } | null
> = {
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
 * The verdict on `result` (null: none arrived within `waitSeconds`) of `action` sent to
 * `chargePointId`. Every message names what the charger (or the gateway for it) said.
 */
export function classifyCommandAnswer(
  action: OperatorCommandAction,
  chargePointId: string,
  result: Pick<OcppCommandResult, 'outcome' | 'payload' | 'error'> | null,
  waitSeconds: number,
): CommandVerdict {
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
      const statuses = COMMAND_STATUSES[action];
      if (statuses === null || (status !== null && statuses.success.includes(status)))
        return { kind: 'answered', status, response };
      const what =
        status === null
          ? 'without a status'
          : statuses.refusal.includes(status)
            ? `status ${status}`
            : `status ${status}, which OCPP 1.6 does not define for ${action}`;
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
