import type { MigrationInterface, QueryRunner } from 'typeorm';
import { auditMigrationSql } from '../../audit';

/** The append-only audit log every app writes to (libs/auth/src/audit.ts). */
export class AuthAuditLog1733000000100 implements MigrationInterface {
  name = 'AuthAuditLog1733000000100';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of auditMigrationSql()) await q.query(sql);
  }

  async down(): Promise<void> {
    // Never dropped: the audit log outlives the code that wrote it.
  }
}
