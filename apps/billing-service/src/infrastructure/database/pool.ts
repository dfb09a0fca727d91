import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { guardPoolErrors } from '@app/event-store';

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
    // An exhausted pool fails the checkout (the consumer retries it) instead of queueing forever.
    connectionTimeoutMillis: 10_000,
    ...(bounded ? { statement_timeout: 30_000, idle_in_transaction_session_timeout: 30_000 } : {}),
  });
  // A connection dropped by the server (pg_terminate_backend, restart, failover), idle or checked
  // out, must not crash the process: its statement fails and the pool replaces it.
  return guardPoolErrors(pool, (e) =>
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: `postgres connection: ${e.message}` })}\n`),
  );
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
