import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { appendToStream, eventStoreSchemaSql, OutboxRelay, type OutboxRecord } from './index';

/**
 * The relay's skip-ahead on a real Postgres: a relay of a stream type that is rare among the
 * store's events publishes only its own, in order, never skips one whose transaction commits
 * late, and moves its checkpoint past the other stream types' events (so a poll never walks them
 * again). xids are cluster-wide: another test's transaction on the same server can hold the
 * settled horizon back for a moment, so runs are repeated until the checkpoint gets where it must.
 */
describe('OutboxRelay skip-ahead (real Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('outbox_skip');
    pool = new Pool({ connectionString: db.url, max: 6 });
    for (const sql of eventStoreSchemaSql()) await pool.query(sql);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const append = (c: Pool | PoolClient, streamType: string, data: unknown = {}) =>
    appendToStream(c, `${streamType}-${randomUUID()}`, streamType, 't', 0, [
      { eventId: randomUUID(), type: 'E', data },
    ]);
  const appendOthers = async (n: number) => {
    for (let i = 0; i < n; i++) await append(pool, 'other', { i });
  };
  /** A `(transaction_id, global_position)`, the relay's order. */
  interface Position {
    tx: bigint;
    pos: bigint;
  }
  const isBefore = (a: Position, b: Position) => a.tx < b.tx || (a.tx === b.tx && a.pos < b.pos);
  const positionOf = async (where: string): Promise<Position> => {
    const { rows } = await pool.query<{ tx: string; pos: string }>(
      `select e.transaction_id::text as tx, e.global_position as pos from events e ${where}
       order by e.transaction_id desc, e.global_position desc limit 1`,
    );
    return rows.length ? { tx: BigInt(rows[0].tx), pos: BigInt(rows[0].pos) } : { tx: 0n, pos: 0n };
  };
  const newest = () => positionOf('');

  function relayOf(streamType: string, batchSize = 3) {
    const name = 'skip-' + randomUUID();
    const published: OutboxRecord[] = [];
    const relay = new OutboxRelay(
      pool,
      { publishAll: async (r) => void published.push(...r) },
      {
        name,
        source: 'test',
        streamType,
        batchSize,
        route: (e) => ({ topic: 't.' + streamType, key: e.streamId, schema: 's/v1' }),
      },
    );
    const checkpoint = async () =>
      (
        await pool.query<{ transaction_id: string; position: string }>(
          'select transaction_id::text, position from outbox_checkpoints where name = $1',
          [name],
        )
      ).rows[0];
    /**
     * Runs the relay until its checkpoint reached `target` in the relay's order (default: the
     * newest event in that order, which need not have the highest position); the runs that handled events.
     */
    const drainTo = async (target?: Position): Promise<number[]> => {
      const want = target ?? (await newest());
      const runs: number[] = [];
      const until = Date.now() + 15000;
      for (;;) {
        runs.push(await relay.runOnce());
        const cp = await checkpoint();
        if (!isBefore({ tx: BigInt(cp.transaction_id), pos: BigInt(cp.position) }, want))
          return runs.filter((n) => n > 0);
        if (Date.now() > until)
          throw new Error(`checkpoint ${JSON.stringify(cp)} did not reach ${want.tx}/${want.pos}`);
        await sleep(50);
      }
    };
    const data = () => published.map((r) => JSON.parse(r.value).data as { v: number });
    return { name, relay, published, checkpoint, drainTo, data };
  }

  it('publishes only its stream type, in order, in batches, and ends past the other streams', async () => {
    const { relay, published, drainTo, data } = relayOf('rare');
    await appendOthers(2);
    for (let v = 1; v <= 4; v++) await append(pool, 'rare', { v });
    await appendOthers(2);
    const runs = await drainTo();
    expect(runs.reduce((a, b) => a + b, 0)).toBe(4);
    expect(Math.max(...runs)).toBeLessThanOrEqual(3);
    expect(data().map((d) => d.v)).toEqual([1, 2, 3, 4]);
    expect(published.every((r) => r.topic === 't.rare' && r.key.startsWith('rare-'))).toBe(true);
    expect(JSON.parse(published[0].value)).toMatchObject({ type: 'E', source: 'test', schema: 's/v1' });
    expect(await relay.runOnce()).toBe(0);
  });

  it('moves the checkpoint past other stream types with none of its own among them', async () => {
    const { relay, published, checkpoint, drainTo } = relayOf('quiet');
    await append(pool, 'quiet', { v: 1 });
    await drainTo();
    expect(published).toHaveLength(1);
    await appendOthers(5);
    expect(await drainTo()).toEqual([]);
    const cp = await checkpoint();
    expect({ tx: BigInt(cp.transaction_id), pos: BigInt(cp.position) }).toEqual(await newest());
    // Nothing new at all: the checkpoint stays (no update per poll when the store is idle).
    const before = await checkpoint();
    expect(await relay.runOnce()).toBe(0);
    expect(await checkpoint()).toEqual(before);
  });

  it('never skips an event whose transaction is open while other streams commit after it', async () => {
    const { relay, checkpoint, drainTo, data } = relayOf('late');
    await drainTo();
    const late = await pool.connect();
    try {
      await late.query('begin');
      await append(late, 'late', { v: 10 }); // its transaction id is older than what follows
      await appendOthers(3);
      await append(pool, 'late', { v: 11 });
      // The open transaction holds the horizon: nothing after it is settled, the checkpoint stays.
      const before = await checkpoint();
      for (let i = 0; i < 3; i++) expect(await relay.runOnce()).toBe(0);
      expect(await checkpoint()).toEqual(before);
      await late.query('commit');
    } finally {
      late.release();
    }
    expect((await drainTo()).reduce((a, b) => a + b, 0)).toBe(2);
    expect(data().map((d) => d.v)).toEqual([10, 11]);
  });

  it('never skips an event of a transaction that started before the skip and commits after it', async () => {
    // U gets its id first, T (the relay's type) inserts a lower position, U inserts a higher one
    // and commits. The relay skips ahead to U's event: its checkpoint position passes T's event,
    // but T's transaction id sorts after U's, so T's event still comes next.
    const { relay, checkpoint, drainTo, data } = relayOf('tx');
    await drainTo();
    const u = await pool.connect();
    const t = await pool.connect();
    try {
      await u.query('begin');
      await u.query('select pg_current_xact_id()');
      await t.query('begin');
      await append(t, 'tx', { v: 20 }); // lower position, younger id, open
      await append(u, 'other', { u: 1 }); // higher position, older id
      await u.query('commit');
      const positions = await t.query<{ type: string; p: string }>(
        `select s.stream_type as type, max(e.global_position) as p from events e
         join streams s using (stream_id) where s.stream_type in ('tx', 'other') group by s.stream_type`,
      );
      const at = Object.fromEntries(positions.rows.map((r) => [r.type, Number(r.p)]));
      expect(at.tx).toBeLessThan(at.other); // the interleaving really happened

      // The skip: the checkpoint moves to U's event, past T's event's position.
      await drainTo(await positionOf(`where e.stream_id like 'other-%'`));
      expect(Number((await checkpoint()).position)).toBeGreaterThan(at.tx);
      expect(data()).toEqual([]);
      await t.query('commit');
      expect((await drainTo()).reduce((a, b) => a + b, 0)).toBe(1);
      expect(data().map((d) => d.v)).toEqual([20]);
      expect(await relay.runOnce()).toBe(0);
    } finally {
      u.release();
      t.release();
    }
  });

  it('never skips an event of a transaction that took its id before the skip and writes after it', async () => {
    const { relay, checkpoint, drainTo, data } = relayOf('slow');
    await drainTo();
    await appendOthers(2);
    const slow = await pool.connect();
    try {
      await slow.query('begin');
      const xid = BigInt(
        (await slow.query<{ x: string }>('select pg_current_xact_id()::text as x')).rows[0].x,
      );
      // slow is open: the horizon is at most its id; the others' events before it are settled,
      // and the relay skips ahead to them.
      await drainTo();
      await append(slow, 'slow', { v: 30 });
      await appendOthers(2); // settled only once slow ends
      for (let i = 0; i < 3; i++) expect(await relay.runOnce()).toBe(0);
      expect(BigInt((await checkpoint()).transaction_id)).toBeLessThan(xid);
      await slow.query('commit');
    } finally {
      slow.release();
    }
    expect((await drainTo()).reduce((a, b) => a + b, 0)).toBe(1);
    expect(data().map((d) => d.v)).toEqual([30]);
  });

  it('one relay per name at a time: another holding the lock makes a run do nothing', async () => {
    const { name, relay, checkpoint, drainTo, data } = relayOf('locked');
    await drainTo(); // creates the checkpoint
    await append(pool, 'locked', { v: 40 });
    await appendOthers(1);
    const other = await pool.connect();
    try {
      await other.query('begin');
      await other.query('select pg_advisory_xact_lock(hashtext($1))', ['outbox:' + name]);
      const before = await checkpoint();
      expect(await relay.runOnce()).toBe(0);
      expect(await checkpoint()).toEqual(before);
      await other.query('commit');
    } finally {
      other.release();
    }
    expect(await drainTo()).toEqual([1]);
    expect(data().map((d) => d.v)).toEqual([40]);
  });

  it('one poll after many unrelated events: walks them once, then only what is new (figure printed)', async () => {
    const { relay, published, checkpoint, drainTo } = relayOf('registry', 500);
    // 10,000 registry streams, then 200,000 events of 20,000 session streams after the last of them.
    await pool.query(
      `insert into streams (stream_id, stream_type, version, tenant_id)
       select 'registry-' || i, 'registry', 1, 't' from generate_series(1, 10000) i`,
    );
    await pool.query(
      `insert into events (stream_id, stream_position, event_id, type, data)
       select 'registry-' || i, 1, gen_random_uuid(), 'ChargerRegistered', '{}' from generate_series(1, 10000) i`,
    );
    await drainTo();
    expect(published).toHaveLength(10000);
    await pool.query(
      `insert into streams (stream_id, stream_type, version, tenant_id)
       select 'session-' || i, 'session', 10, 't' from generate_series(1, 20000) i`,
    );
    await pool.query(
      `insert into events (stream_id, stream_position, event_id, type, data)
       select 'session-' || (i / 10 + 1), i % 10 + 1, gen_random_uuid(), 'SessionUpdated', '{}'
       from generate_series(0, 199999) i`,
    );
    await pool.query('analyze streams');
    await pool.query('analyze events');
    const top = await newest();
    const reached = async (p: Position) => {
      const cp = await checkpoint();
      return !isBefore({ tx: BigInt(cp.transaction_id), pos: BigInt(cp.position) }, p);
    };

    // The first poll walks all 200,000 (what every poll cost before the skip-ahead); polls that
    // find the horizon held back by another test's transaction are repeated.
    const time = async () => {
      const t0 = process.hrtime.bigint();
      const n = await relay.runOnce();
      return { n, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    };
    let walk = await time();
    for (let i = 0; i < 100 && !(await reached(top)); i++) {
      await sleep(50);
      walk = await time();
    }
    expect(await reached(top)).toBe(true);
    expect(walk.n).toBe(0);
    // The next polls, 10 session events stored before each: they walk only those.
    const after: number[] = [];
    for (let i = 0; i < 20; i++) {
      await appendOthers(10);
      const target = await newest();
      let run = await time();
      for (let j = 0; j < 100 && !(await reached(target)); j++) {
        await sleep(20);
        run = await time();
      }
      after.push(run.ms);
    }
    after.sort((a, b) => a - b);
    const median = after[Math.floor(after.length / 2)];
    console.log(
      `outbox relay, 10,000 registry streams + 200,000 session events after the last registry event: ` +
        `poll walking them ${walk.ms.toFixed(1)} ms (every poll before the skip-ahead); ` +
        `next polls (10 new session events each) median ${median.toFixed(2)} ms, max ${after[after.length - 1].toFixed(2)} ms`,
    );
    expect(median).toBeLessThan(walk.ms / 5);
    expect(published).toHaveLength(10000);
  }, 120000);
});
