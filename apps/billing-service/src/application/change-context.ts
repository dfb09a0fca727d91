import { randomUUID } from 'node:crypto';
import type { Actor } from '@app/contracts';
import type { AuditAction } from '@app/auth/audit';

/** One audit entry as a billing use case states it; the adapter adds the service and writes it. */
export interface BillingAuditEntry {
  id: string;
  actor: Actor;
  action: AuditAction;
  target: { type: string; id: string };
  details?: Record<string, unknown>;
}

/** Port: the shared audit log (libs/auth audit, in the credentials database). */
export interface AuditTrail {
  record(entry: BillingAuditEntry): Promise<void>;
}

/**
 * Who is making a change, and where to record it. Every use case that changes tariffs or
 * charges takes one, so no change can be made without an actor.
 */
export interface ChangeContext {
  actor: Actor;
  audit: AuditTrail;
}

/**
 * Audit entry ids are chosen once per request, outside the transaction's retry loop, so a retried
 * transaction records the same entry again and the log keeps one row.
 */
export const newAuditId = (): string => randomUUID();
