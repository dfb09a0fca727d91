import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import {
  appendToStream,
  eventStoreSchemaSql,
  eventStoreTransactionOrderSql,
  guardPoolErrors,
  inTransaction,
  OutboxRelay,
} from './index';

/**
 * A connection the server terminates while the process holds it (pg_terminate_backend, a primary
 * restart) fails the work in progress and nothing else: no uncaught 'error' event, and the pool
 * hands out a working connection next. Without the listeners each case below crashes jest's worker.
 */
describe('database faults on checked-out connections (real Postgres)', () => {
  let db: TestDatabase;
  let admin: Client;

  beforeAll(async () => {
    db = await createTestDatabase('es_faults');
    admin = new Client({ connectionString: db.url });
    await admin.connect();
    for (const sql of [...eventStoreSchemaSql(), ...eventStoreTransactionOrderSql()]) await admin.query(sql);
  });

  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  const terminate = (pid: number) => admin.query('select pg_terminate_backend($1)', [pid]);
  /** Lets the socket's end reach the client while it sits checked out between statements. */
  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('inTransaction: the transaction fails, the process stays up, the next one works', async () => {
    const pool = new Pool({ connectionString: db.url, max: 1 });
    try {
      await expect(
        inTransaction(pool, async (c) => {
          const { rows } = await c.query<{ pid: number }>('select pg_backend_pid() as pid');
          await terminate(rows[0].pid);
          await settle(); // the 'error' event fires now, while no statement is in flight
          await c.query('select 1');
        }),
      ).rejects.toThrow(/terminat|connection error/i);
      const { rows } = await pool.query<{ ok: number }>('select 1 as ok');
      expect(rows[0].ok).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('guardPoolErrors: a client checked out without inTransaction survives its connection too', async () => {
    const pool = new Pool({ connectionString: db.url, max: 2 });
    const reported: string[] = [];
    guardPoolErrors(pool, (e) => reported.push(e.message));
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      await terminate(rows[0].pid);
      await settle();
      await expect(client.query('select 1')).rejects.toThrow();
      client.release(true);
      expect(reported.join('\n')).toMatch(/terminat/i);
      const again = await pool.query<{ ok: number }>('select 1 as ok');
      expect(again.rows[0].ok).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('OutboxRelay: a connection terminated while it publishes fails that run only; the next run publishes', async () => {
    const pool = new Pool({ connectionString: db.url, max: 2 });
    await appendToStream(admin, 's-1', 't', 'f', 0, [{ eventId: randomUUID(), type: 'E', data: {} }]);
    let kill = true;
    const published: string[] = [];
    const relay = new OutboxRelay(
      pool,
      {
        publishAll: async (records) => {
          if (kill) {
            kill = false;
            // The relay's client holds the advisory lock's transaction: terminate it mid-publish.
            const { rows } = await admin.query<{ pid: number }>(
              `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state like 'idle in transaction%'`,
            );
            for (const r of rows) await terminate(r.pid);
            await settle();
            throw new Error('broker went away as well');
          }
          published.push(...records.map((r) => r.key));
        },
      },
      { name: 'faults', source: 'test', route: (e) => ({ topic: 'x', key: e.streamId, schema: 's/v1' }) },
    );
    try {
      // The event is published once it is settled: below the oldest transaction running anywhere on
      // the server, which other test files' transactions can hold back for a moment. The first run
      // that reaches publishAll is the one whose connection dies: it must fail.
      let firstPublishRun: unknown = 'no run reached publishAll';
      for (let i = 0; i < 50 && kill; i++) {
        firstPublishRun = await relay.runOnce().then(
          (n) => n,
          (e: unknown) => e,
        );
        if (kill) await settle();
      }
      expect(firstPublishRun).toBeInstanceOf(Error);
      for (let i = 0; i < 50 && published.length === 0; i++) {
        await relay.runOnce().catch(() => undefined);
        if (published.length === 0) await settle();
      }
      expect(published).toEqual(['s-1']);
    } finally {
      await pool.end();
    }
  });
});
