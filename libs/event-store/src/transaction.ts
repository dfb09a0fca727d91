import type { Pool, PoolClient } from 'pg';

/**
 * Runs `fn` in one transaction on a pooled connection: commit when it resolves, roll back when it
 * throws. Everything a unit of work writes (appends, projections, consumer offsets, outbox
 * checkpoints) goes through the client it receives, so it all commits or none of it does.
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // A checked-out client emits 'error' when its connection dies (pg_terminate_backend, a primary
  // restart); with no listener that is an uncaught exception. The statement in flight fails too,
  // which is what the caller sees.
  const onError = () => (broken = true);
  client.on('error', onError);
  try {
    if (isPipelined(client)) {
      // A pipelining client (pg `pipeline: true`) sends `begin` with the first statement of `fn`.
      const begun = client.query('begin');
      begun.catch(() => undefined); // awaited below; fn's first statement fails too if it did
      const result = await fn(client);
      await begun;
      await client.query('commit');
      return result;
    }
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (error) {
    if (!broken) {
      try {
        await client.query('rollback');
      } catch {
        broken = true; // the connection is gone: do not return it to the pool
      }
    }
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/**
 * Makes a pool safe against connections the server drops: every client it creates gets a
 * permanent 'error' listener (checked out or idle, a dead connection is reported, never an uncaught
 * exception) and the pool's own 'error' event is handled. The query in flight still fails, and the
 * pool replaces the connection on the next checkout.
 */
export function guardPoolErrors(pool: Pool, report: (error: Error) => void): Pool {
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  return pool;
}

/** True for a `pg` client created with `pipeline: true` (statements sent without waiting for the previous answer). */
export function isPipelined(client: unknown): boolean {
  return (client as { pipeline?: boolean }).pipeline === true;
}

/**
 * Runs independent statements of one transaction: all sent at once on a pipelining client (one
 * round trip), one after the other otherwise. Rejects with the first failure in `steps` order
 * (a later step of an aborted transaction fails too, with a less useful message).
 */
export async function runAll<T extends unknown[]>(
  client: unknown,
  steps: { [K in keyof T]: () => Promise<T[K]> },
): Promise<T> {
  if (!isPipelined(client)) {
    const out: unknown[] = [];
    for (const step of steps) out.push(await step());
    return out as T;
  }
  const settled = await Promise.allSettled(steps.map((step) => step()));
  const failures = settled
    .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
    .map((s) => s.reason as { code?: string });
  // 25P02 "transaction is aborted" only echoes an earlier failure: report the cause.
  if (failures.length > 0) throw failures.find((e) => e?.code !== '25P02') ?? failures[0];
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as T;
}

const RETRYABLE = new Set(['40001', '40P01', '23505']);

/** True for errors a fresh attempt may not hit: serialization failure, deadlock, a concurrent duplicate. */
export function isRetryableConflict(error: unknown): boolean {
  const e = error as { code?: string; name?: string };
  return e?.name === 'WrongExpectedVersionError' || (typeof e?.code === 'string' && RETRYABLE.has(e.code));
}

/** `inTransaction`, retried a few times on optimistic-concurrency conflicts (re-running `fn` from scratch). */
export async function inTransactionWithRetry<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(pool, fn);
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.floor(Math.random() * 10)));
    }
  }
}
