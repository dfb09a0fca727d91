import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventStoreTransactionOrderSql } from '@app/event-store';

/**
 * The outbox relay's checkpoint on (transaction_id, global_position) and streams'
 * last_transaction_id (libs/event-store README, "Outbox order"). A no-op on a new database.
 */
export class EventStoreTransactionOrder1732300000002 implements MigrationInterface {
  name = 'EventStoreTransactionOrder1732300000002';
  async up(q: QueryRunner): Promise<void> {
    for (const sql of eventStoreTransactionOrderSql()) await q.query(sql);
  }
  async down(): Promise<void> {
    // Nothing to undo that an older relay would mind: it ignores the extra columns and index.
  }
}
