import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OCPP 2.0.1 (issue 13): a 2.0.1 transaction's number (ocpp201TransactionNumber in
 * libs/contracts ids.ts) lies in [2^31, 2^53), beyond `integer`. 1.6 numbers keep their values.
 * The rewrite takes an exclusive lock on `sessions` for as long as it copies the table (and
 * rebuilds sessions_charger_tx_idx): run it while ingest is stopped or quiet.
 */
export class TransactionIdBigint1764900000000 implements MigrationInterface {
  name = 'TransactionIdBigint1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table sessions alter column transaction_id type bigint');
  }

  async down(q: QueryRunner): Promise<void> {
    // Fails (and rolls back) while a 2.0.1 session's number is stored: those do not fit.
    await q.query('alter table sessions alter column transaction_id type integer');
  }
}
