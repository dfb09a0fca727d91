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
 * Audit entry ids are chosen once per request, outside the transaction's retry loop, so a retried
 * transaction records the same entry again and the log keeps one row.
 */
export const newAuditId = (): string => randomUUID();
