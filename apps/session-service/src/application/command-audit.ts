import type { Actor } from '@app/contracts';

/** What the audit log learns about a command sent to a charger on someone's request. */
export interface CommandAuditEntry {
  id: string;
  actor: Actor;
  /** command_answered: what an operator's command came to (POST /v1/chargers/:id/commands/:action). */
  action: 'charger.command_sent' | 'charger.command_answered';
  target: { type: 'charger'; id: string };
  details: {
    command: string;
    command_id: string;
    /** null for an operator's command (it belongs to no session). */
    session_id: string | null;
    fleet_id: string;
    reason?: string;
    [detail: string]: unknown;
  };
}

/**
 * Port: the shared audit log. Called after the session's transaction commits and before the
 * command is handed to Kafka, so no command leaves unrecorded: if the entry cannot be written the
 * command is not sent (the start then times out to FAILED; the stop answers 503 and may be retried).
 */
export interface CommandAudit {
  record(entry: CommandAuditEntry): Promise<void>;
}
