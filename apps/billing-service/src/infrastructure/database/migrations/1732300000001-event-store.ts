import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventStoreDropSql, eventStoreSchemaSql } from '@app/event-store';

/**
 * The shared event store's tables (libs/event-store): billing's outbox (ChargeCalculated,
 * TariffVersionPublished) and the consumer offsets stored with each batch's effects.
 */
export class EventStore1732300000001 implements MigrationInterface {
  name = 'EventStore1732300000001';
  async up(q: QueryRunner): Promise<void> {
    for (const sql of eventStoreSchemaSql()) await q.query(sql);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const sql of eventStoreDropSql()) await q.query(sql);
  }
}
