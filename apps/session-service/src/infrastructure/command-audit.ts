import type { ClientBase } from 'pg';
import { recordAudit } from '@app/auth/audit';
import type { CommandAudit, CommandAuditEntry } from '../application/command-audit';

/** The command audit port on the shared audit log (credentials database, libs/auth audit). */
export class PostgresCommandAudit implements CommandAudit {
  constructor(private readonly db: Pick<ClientBase, 'query'>) {}

  async record(entry: CommandAuditEntry): Promise<void> {
    // The entry id is the command id: a retried request records the command once.
    await recordAudit(this.db, { ...entry, service: 'session-service' });
  }
}
