import type { ClientBase } from 'pg';
import { recordAudit } from '@app/auth/audit';
import type { AuditTrail, BillingAuditEntry } from '../application/change-context';

/**
 * The audit port on the shared audit log (credentials database). Written inside the use case's
 * transaction, before it commits: if the log cannot be written the change is rolled back, so no
 * change is ever made unrecorded. The reverse (an entry whose change then failed to commit) can
 * happen only when the billing commit itself fails after the entry; the entry then names a
 * charge or version id that does not exist, which a reader can check.
 */
export class PostgresAuditTrail implements AuditTrail {
  constructor(
    private readonly db: Pick<ClientBase, 'query'>,
    private readonly service = 'billing-service',
  ) {}

  async record(entry: BillingAuditEntry): Promise<void> {
    await recordAudit(this.db, { ...entry, service: this.service });
  }
}

export const AUDIT_TRAIL = Symbol('AUDIT_TRAIL');
