import type { Pool } from 'pg';
import { inTransactionWithRetry } from '@app/event-store';
import type { Database, Db } from '../../application/ports';

/** The Database port on a pg pool: transactions retried on serialization failures and deadlocks. */
export class PgDatabase implements Database {
  constructor(private readonly pool: Pool) {}

  transaction<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return inTransactionWithRetry(this.pool, work);
  }

  get reader(): Db {
    return this.pool;
  }
}
