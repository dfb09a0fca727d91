import type { Pool } from 'pg';
import { inTransactionWithRetry } from '@app/event-store';
import type { TransactionRunner, Tx } from '../../application/ports';

/** Transactions on the service's pool (retried on serialization failures and deadlocks). */
export class PostgresTransactionRunner implements TransactionRunner {
  constructor(private readonly pool: Pool) {}

  get outside(): Tx {
    return this.pool;
  }

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return inTransactionWithRetry(this.pool, work);
  }
}
