import type { DataSource } from 'typeorm';
import type { StartTransactionKey, TransactionRepository } from '../../../application/ports';

/** Must equal the INCREMENT of sequence transaction_id_blocks (migration 1763900000000). */
export const TRANSACTION_ID_BLOCK_SIZE = 100;

export class PgTransactionRepository implements TransactionRepository {
  constructor(private readonly db: DataSource) {}

  async reserveBlock(): Promise<number> {
    const rows: Array<{ start: number }> = await this.db.query(
      `select nextval('transaction_id_blocks')::int as start`,
    );
    return rows[0].start;
  }

  async recordStart(key: StartTransactionKey, candidateId: number): Promise<number> {
    // No check-then-insert: the unique key decides, and a retried start reads the winner's id.
    const inserted: Array<{ transaction_id: number }> = await this.db.query(
      `insert into started_transactions (transaction_id, charge_point_id, connector_id, id_tag, start_timestamp, meter_start)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (charge_point_id, connector_id, id_tag, start_timestamp, meter_start) do nothing
       returning transaction_id`,
      [candidateId, key.chargePointId, key.connectorId, key.idTag, key.timestamp, key.meterStart],
    );
    if (inserted[0]) return inserted[0].transaction_id;
    const existing: Array<{ transaction_id: number }> = await this.db.query(
      `select transaction_id from started_transactions
       where charge_point_id = $1 and connector_id = $2 and id_tag = $3 and start_timestamp = $4 and meter_start = $5`,
      [key.chargePointId, key.connectorId, key.idTag, key.timestamp, key.meterStart],
    );
    if (!existing[0]) throw new Error('StartTransaction conflict without a stored row');
    return existing[0].transaction_id;
  }
}
