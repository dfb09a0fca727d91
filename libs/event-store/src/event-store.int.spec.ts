import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, createTestKafka, type TestDatabase } from '@app/testing';
import { KafkaPublisher } from '@app/kafka';
import { topicName } from '@app/contracts';
import {
  appendToStream,
  appendToStreams,
  eventStoreSchemaSql,
  eventStoreTransactionOrderSql,
  inTransaction,
  OutboxRelay,
  claimBatch,
  readAll,
  readStream,
  rebuildProjection,
  WrongExpectedVersionError,
  type OutboxRecord,
} from './index';

const ev = (type: string, data: unknown = {}) => ({ eventId: randomUUID(), type, data });

/**
 * A relay that publishes into an array. `drain(want)` runs it until `want` records are published:
 * xmin is cluster-wide, so another database's transaction can hold it back for a moment (the
 * documented price of the guard). Returns how many events the runs handled.
 */
function recordingRelay(pool: Pool, name: string, streamType?: string) {
  const published: OutboxRecord[] = [];
  const relay = new OutboxRelay(
    pool,
    { publishAll: async (r) => void published.push(...r) },
    { name, source: 'test', streamType, route: (e) => ({ topic: 'x', key: e.streamId, schema: 's/v1' }) },
  );
  const drain = async (want: number) => {
    let handled = 0;
    for (let i = 0; i < 100 && published.length < want; i++) {
      handled += await relay.runOnce();
      if (published.length < want) await new Promise((r) => setTimeout(r, 50));
    }
    return handled;
  };
  const ids = () => published.map((r) => JSON.parse(r.value).id as string);
  return { relay, published, drain, ids };
}

describe('event store (real Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('event_store');
    pool = new Pool({ connectionString: db.url, max: 10 });
    for (const sql of eventStoreSchemaSql()) await pool.query(sql);
    for (const sql of eventStoreSchemaSql()) await pool.query(sql); // idempotent
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('appends with expected versions and reads the stream back in order', async () => {
    const id = 'order-' + randomUUID();
    const first = await inTransaction(pool, (c) =>
      appendToStream(c, id, 'order', 'fleet-a', 0, [ev('A'), ev('B')]),
    );
    expect(first).toEqual({ streamId: id, nextExpectedVersion: 2, appended: 2 });
    const second = await inTransaction(pool, (c) =>
      appendToStream(c, id, 'order', 'fleet-a', 2, [ev('C', { n: 1 })]),
    );
    expect(second.nextExpectedVersion).toBe(3);
    const read = await readStream(pool, id);
    expect(read.version).toBe(3);
    expect(read.tenantId).toBe('fleet-a');
    expect(read.events.map((e) => [e.type, e.streamPosition])).toEqual([
      ['A', 1],
      ['B', 2],
      ['C', 3],
    ]);
    expect(read.events[2].data).toEqual({ n: 1 });
  });

  it('rejects a stale expected version and a second creation of the same stream', async () => {
    const id = 's-' + randomUUID();
    await inTransaction(pool, (c) => appendToStream(c, id, 't', 'f', 0, [ev('A')]));
    await expect(
      inTransaction(pool, (c) => appendToStream(c, id, 't', 'f', 0, [ev('B')])),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(
      inTransaction(pool, (c) => appendToStream(c, id, 't', 'f', 5, [ev('B')])),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect((await readStream(pool, id)).version).toBe(1);
  });

  it('lets exactly one of many concurrent appends at the same version win', async () => {
    const id = 'race-' + randomUUID();
    await inTransaction(pool, (c) => appendToStream(c, id, 't', 'f', 0, [ev('Created')]));
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        inTransaction(pool, async (c) => {
          const r = await appendToStream(c, id, 't', 'f', 1, [ev('Raced', { i })]);
          await new Promise((res) => setTimeout(res, 20)); // hold the row lock so the others queue up
          return r;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    }
    const read = await readStream(pool, id);
    expect(read.version).toBe(2);
    expect(read.events).toHaveLength(2);
  });

  it('is idempotent by event id: a retried append stores nothing twice', async () => {
    const id = 'idem-' + randomUUID();
    const events = [ev('A'), ev('B')];
    await inTransaction(pool, (c) => appendToStream(c, id, 't', 'f', 0, events));
    const retry = await inTransaction(pool, (c) => appendToStream(c, id, 't', 'f', 0, events));
    expect(retry).toEqual({ streamId: id, nextExpectedVersion: 2, appended: 0 });
    expect((await readStream(pool, id)).events).toHaveLength(2);
  });

  it('appends to many streams at once, all or nothing', async () => {
    const a = 'multi-a-' + randomUUID();
    const b = 'multi-b-' + randomUUID();
    await inTransaction(pool, (c) =>
      appendToStreams(c, [
        { streamId: a, streamType: 't', tenantId: 'f', expectedVersion: 0, events: [ev('A1')] },
        { streamId: b, streamType: 't', tenantId: 'f', expectedVersion: 'any', events: [ev('B1'), ev('B2')] },
      ]),
    );
    // b is wrong (expects 1, is at 2): a's event must not be stored either.
    await expect(
      inTransaction(pool, (c) =>
        appendToStreams(c, [
          { streamId: a, streamType: 't', tenantId: 'f', expectedVersion: 1, events: [ev('A2')] },
          { streamId: b, streamType: 't', tenantId: 'f', expectedVersion: 1, events: [ev('B3')] },
        ]),
      ),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect((await readStream(pool, a)).version).toBe(1);
    expect((await readStream(pool, b)).version).toBe(2);
  });

  it('stores consumer offsets with the effects and skips records already processed', async () => {
    const id = 'offsets-' + randomUUID();
    const msgs = [0, 1, 2].map((o) => ({ offset: String(o), ev: ev('M', { o }) }));
    const handle = (batch: typeof msgs) =>
      inTransaction(pool, async (c) => {
        const fresh = await claimBatch(c, 'g1', 'topic-x', 3, batch);
        if (fresh.length > 0)
          await appendToStream(
            c,
            id,
            't',
            'f',
            'any',
            fresh.map((m) => m.ev),
          );
        return fresh.map((m) => m.offset);
      });
    expect(await handle(msgs.slice(0, 2))).toEqual(['0', '1']);
    // Redelivery of the whole range after a "crash": only offset 2 is new.
    expect(await handle(msgs)).toEqual(['2']);
    // A batch that rolls back stores no offset: its records come fresh again.
    const rolledBack = inTransaction(pool, async (c) => {
      await claimBatch(c, 'g1', 'topic-x', 3, [{ offset: '3', ev: ev('M', { o: 3 }) }]);
      throw new Error('effects failed');
    });
    await expect(rolledBack).rejects.toThrow('effects failed');
    expect(await handle([{ offset: '3', ev: ev('M', { o: 3 }) }])).toEqual(['3']);
    expect((await readStream(pool, id)).events.map((e) => (e.data as { o: number }).o)).toEqual([0, 1, 2, 3]);
  });

  it('outbox relay does not skip an event whose transaction commits after a later one', async () => {
    const { relay, published, drain, ids } = recordingRelay(pool, 'ooo-' + randomUUID(), 'ooo');
    await relay.runOnce(); // move past nothing; only 'ooo' streams are read

    const slow = await pool.connect();
    await slow.query('begin');
    const early = ev('Early');
    await appendToStream(slow, 'ooo-early', 'ooo', 'f', 0, [early]); // lower global_position, not committed
    const late = ev('Late');
    await inTransaction(pool, (c) => appendToStream(c, 'ooo-late', 'ooo', 'f', 0, [late])); // higher position, committed

    expect(await relay.runOnce()).toBe(0); // the late one must wait: the slow transaction is still running
    expect(published).toHaveLength(0);

    await slow.query('commit');
    slow.release();
    expect(await drain(2)).toBe(2);
    expect(ids()).toEqual([early.eventId, late.eventId]);
    const env = JSON.parse(published[0].value);
    expect(env).toMatchObject({
      type: 'Early',
      subject: 'ooo-early',
      source: 'test',
      schema: 's/v1',
      specversion: '1.0',
    });
    expect(await relay.runOnce()).toBe(0);
  });

  it('outbox relay does not skip an event of a younger transaction that commits after an older one wrote a higher position', async () => {
    // The CI failure this guards against: transaction A gets its id first, B inserts a lower
    // position, A inserts a higher one and commits. A position checkpoint moved past B's event.
    const { relay, drain, ids } = recordingRelay(pool, 'xid-' + randomUUID(), 'xid');
    const older = await pool.connect();
    const younger = await pool.connect();
    try {
      await older.query('begin');
      await older.query('select pg_current_xact_id()'); // A's id is assigned first
      await younger.query('begin');
      const b = ev('B');
      await appendToStream(younger, 'xid-b', 'xid', 'f', 0, [b]); // lower position, younger id
      const a = ev('A');
      await appendToStream(older, 'xid-a', 'xid', 'f', 0, [a]); // higher position, older id
      await older.query('commit');
      const pos = await younger.query<{ type: string; p: string }>( // sees its own row and A's
        `select type, global_position as p from events where event_id = any($1::uuid[])`,
        [[a.eventId, b.eventId]],
      );
      const at = Object.fromEntries(pos.rows.map((r) => [r.type, Number(r.p)]));
      expect(at.B).toBeLessThan(at.A); // the interleaving really happened

      await drain(1);
      expect(ids()).toEqual([a.eventId]);
      await younger.query('commit');
      await drain(2);
      expect(ids()).toEqual([a.eventId, b.eventId]);
      expect(await relay.runOnce()).toBe(0);
    } finally {
      older.release();
      younger.release();
    }
  });

  it("keeps a stream's transaction ids in order, so the relay keeps the stream's order", async () => {
    // A transaction with an older id that appends after a younger one committed to the same stream
    // would sort before it in the relay's order; the append refuses and the retry gets a newer id.
    await inTransaction(pool, (c) => appendToStream(c, 'ord-s', 'ord', 'f', 0, [ev('S1')]));
    const older = await pool.connect();
    try {
      await older.query('begin');
      await older.query('select pg_current_xact_id()');
      await inTransaction(pool, (c) => appendToStream(c, 'ord-s', 'ord', 'f', 1, [ev('S2')]));
      await expect(appendToStream(older, 'ord-s', 'ord', 'f', 2, [ev('S3')])).rejects.toBeInstanceOf(
        WrongExpectedVersionError,
      );
      await older.query('rollback');
      await older.query('begin');
      await older.query('select pg_current_xact_id()');
      await inTransaction(pool, (c) => appendToStream(c, 'ord-s', 'ord', 'f', 'any', [ev('S3')]));
      await expect(appendToStream(older, 'ord-s', 'ord', 'f', 'any', [ev('S4')])).rejects.toBeInstanceOf(
        WrongExpectedVersionError,
      );
      await older.query('rollback');
    } finally {
      older.release();
    }
    // A fresh transaction appends fine, and the same transaction may append twice.
    await inTransaction(pool, async (c) => {
      await appendToStream(c, 'ord-s', 'ord', 'f', 3, [ev('S4')]);
      await appendToStream(c, 'ord-s', 'ord', 'f', 'any', [ev('S5')]);
    });
    const order = await pool.query<{ type: string }>(
      `select type from events where stream_id = 'ord-s' order by transaction_id, global_position`,
    );
    expect(order.rows.map((r) => r.type)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
  });

  it('upgrades a store with position-only checkpoints without skipping an unpublished event', async () => {
    const old = await createTestDatabase('event_store_upgrade');
    const oldPool = new Pool({ connectionString: old.url, max: 2 });
    try {
      // The schema before the transaction order: no last_transaction_id, checkpoints on positions.
      for (const sql of eventStoreSchemaSql()) await oldPool.query(sql);
      await oldPool.query('alter table streams drop column last_transaction_id');
      await oldPool.query('alter table outbox_checkpoints drop column transaction_id');
      await oldPool.query('drop index events_settle_order_idx');
      const events = Array.from({ length: 4 }, (_, i) => ev(`E${i}`));
      for (const [i, e] of events.entries()) {
        await inTransaction(oldPool, (c) => appendToStream(c, `up-${i}`, 'up', 'f', 0, [e]));
      }
      const { rows } = await oldPool.query<{ p: string }>(
        'select global_position as p from events order by 1',
      );
      // An old relay had published the first two.
      await oldPool.query('insert into outbox_checkpoints (name, position) values ($1, $2)', [
        'up',
        rows[1].p,
      ]);

      for (const sql of eventStoreTransactionOrderSql()) await oldPool.query(sql);
      for (const sql of eventStoreTransactionOrderSql()) await oldPool.query(sql); // idempotent
      const { drain, ids } = recordingRelay(oldPool, 'up');
      await drain(2);
      expect(ids()).toEqual([events[2].eventId, events[3].eventId]);
      // Appends keep working on the upgraded streams table.
      await inTransaction(oldPool, (c) => appendToStream(c, 'up-0', 'up', 'f', 1, [ev('E0b')]));
    } finally {
      await oldPool.end();
      await old.drop();
    }
  });

  it('outbox relay publishes to a real Kafka topic and keeps internal events internal', async () => {
    const tk = await createTestKafka('outbox');
    const publisher = new KafkaPublisher(tk.kafka);
    await publisher.connect();
    const topic = topicName('chargingSessions', tk.prefix);
    const relay = new OutboxRelay(pool, publisher, {
      name: 'kafka-' + randomUUID(),
      source: 'test',
      streamType: 'kafka-test',
      route: (e) => (e.type === 'Internal' ? null : { topic, key: e.streamId, schema: 's/v1' }),
    });
    try {
      await inTransaction(pool, (c) =>
        appendToStream(c, 'k-' + randomUUID(), 'kafka-test', 'f', 0, [
          ev('Public'),
          ev('Internal'),
          ev('Public'),
        ]),
      );
      relay.start();
      const admin = tk.kafka.admin();
      await admin.connect();
      let total = 0;
      for (let i = 0; i < 100 && total < 2; i++) {
        const offsets = await admin.fetchTopicOffsets(topic).catch(() => []); // a fresh topic may have no leader yet
        total = offsets.reduce((s, o) => s + Number(o.high), 0);
        if (total < 2) await new Promise((r) => setTimeout(r, 100));
      }
      await admin.disconnect();
      expect(total).toBe(2);
      const all = await readAll(pool, { streamType: 'kafka-test' });
      expect(await relay.position()).toBe(all[all.length - 1].globalPosition);
    } finally {
      await relay.stop();
      await publisher.disconnect();
    }
  });

  it('rebuilds a projection from the events', async () => {
    await pool.query('create table if not exists counts (stream_id text primary key, n int not null)');
    const projection = {
      reset: async (c: import('pg').PoolClient) => void (await c.query('truncate counts')),
      apply: async (c: import('pg').PoolClient, events: { streamId: string }[]) => {
        for (const e of events) {
          await c.query(
            'insert into counts values ($1, 1) on conflict (stream_id) do update set n = counts.n + 1',
            [e.streamId],
          );
        }
      },
    };
    const id = 'rb-' + randomUUID();
    await inTransaction(pool, (c) => appendToStream(c, id, 'rb', 'f', 0, [ev('A'), ev('B'), ev('C')]));
    const applied = await rebuildProjection(pool, projection, { streamType: 'rb', pageSize: 2 });
    expect(applied).toBe(3);
    const { rows } = await pool.query('select n from counts where stream_id = $1', [id]);
    expect(rows[0].n).toBe(3);
  });
});
