import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';

export const PG_POOL = Symbol('PG_POOL');
/** Exports hold a connection for as long as they stream: their own small pool, so they never starve billing. */
export const PG_EXPORT_POOL = Symbol('PG_EXPORT_POOL');

/**
 * `bounded`: statements and open transactions of billing's own work are capped at 30 s, so a charge
 * stamped with its booking time commits within that bound (exports rely on it: EXPORT_SETTLE_MS).
 * The export pool is unbounded: a cursor's transaction stays open while a slow client reads.
 */
export function createPool(url: string, max = 10, bounded = true): Pool {
  const pool = new Pool({
    connectionString: url,
    max,
    application_name: 'billing-service',
    ...(bounded ? { statement_timeout: 30_000, idle_in_transaction_session_timeout: 30_000 } : {}),
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process;
  // the pool replaces it on the next checkout.
  pool.on('error', (e) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg: `postgres idle connection: ${e.message}` })}\n`));
  return pool;
}

/** Ends the pool after everything that uses it has stopped (Nest calls this last). */
@Injectable()
export class PoolLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(PG_EXPORT_POOL) private readonly exportPool: Pool,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.pool.end(), this.exportPool.end()]);
  }
}
