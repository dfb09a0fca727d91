/**
 * Why a remote start failed: the one rule, used by `decide` (new SessionFailed events) and by
 * `evolve` and the stored state (what older records said, read in today's words).
 */
import { LEGACY_START_REJECTED, SESSION_FAILURE_REASONS, type SessionFailureReason } from '@app/contracts';
import type { ConnectorStatusAtAnswer, RemoteOutcome } from './commands';

/** Connector statuses in which a charger cannot start a transaction there (OCPP 1.6 ChargePointStatus). */
export const UNUSABLE_CONNECTOR_STATUSES: readonly string[] = ['Unavailable', 'Faulted'];

/**
 * The reason for a RemoteStartTransaction answer that is not Accepted:
 * - Offline → CHARGER_OFFLINE; Timeout → START_TIMEOUT; Error (CALLERROR) → COMMAND_ERROR;
 * - Rejected → CONNECTOR_UNAVAILABLE when the requested connector, or connector 0 (the whole
 *   charger), last reported Unavailable or Faulted; CHARGER_REJECTED otherwise (the charger gave no
 *   reason we can see: an unknown idTag policy, a connector Occupied by another car, ...).
 */
export function startFailureReason(
  outcome: Exclude<RemoteOutcome, 'Accepted'>,
  status: ConnectorStatusAtAnswer = { connector: null, charger: null },
): SessionFailureReason {
  switch (outcome) {
    case 'Offline':
      return 'CHARGER_OFFLINE';
    case 'Timeout':
      return 'START_TIMEOUT';
    case 'Error':
      return 'COMMAND_ERROR';
    case 'Rejected': {
      const unusable = (s: string | null) => s !== null && UNUSABLE_CONNECTOR_STATUSES.includes(s);
      return unusable(status.connector) || unusable(status.charger)
        ? 'CONNECTOR_UNAVAILABLE'
        : 'CHARGER_REJECTED';
    }
    default: {
      const never: never = outcome;
      throw new Error(`unknown remote outcome ${String(never)}`);
    }
  }
}

/**
 * A recorded reason in today's words: START_REJECTED (records before CHARGER_REJECTED existed)
 * reads as CHARGER_REJECTED; a missing or unknown one (a version-1 state without it) as null.
 */
export function failureReasonOf(recorded: string | null | undefined): SessionFailureReason | null {
  if (recorded === LEGACY_START_REJECTED) return 'CHARGER_REJECTED';
  return (SESSION_FAILURE_REASONS as readonly string[]).includes(recorded ?? '')
    ? (recorded as SessionFailureReason)
    : null;
}
