import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { appendToStream, type OutboxRecord } from '@app/event-store';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { migrate } from '../../testing/harness';
import { RegistryRelay } from './registry-relay';
import { REGISTRY_RELAY_NAME, REGISTRY_STREAM_TYPE, registryRoute, registryStreamId } from './registry-store';

/**
 * The registry relay on a real Postgres event store: it publishes only registry records, in
 * order, never skips one whose transaction commits late, and moves its checkpoint past the
 * session events stored meanwhile (so a poll never walks them again).
 */
describe('RegistryRelay (real Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;
  const published: OutboxRecord[] = [];
  let relay: RegistryRelay;

  const registryEvent = (id: string, version: number) => ({
    eventId: randomUUID(),
    type: 'ChargerRegistered',
    data: { chargePointId: id, fleetId: 'acme', passwordHash: null, evseIds: {}, active: true, version },
  });
  const appendRegistry = (c: Pick<Client, 'query'>, id: string, version: number) =>
    appendToStream(c, registryStreamId(`charger/${id}`), REGISTRY_STREAM_TYPE, 'acme', 'any', [
      registryEvent(id, version),
    ]);
  const appendSessions = async (n: number) => {
    for (let i = 0; i < n; i++)
      await appendToStream(pool, `session-${randomUUID()}`, 'session', 'acme', 0, [
        { eventId: randomUUID(), type: 'SessionRequested', data: { i } },
      ]);
  };
  const checkpoint = async () =>
    (
      await pool.query<{ transaction_id: string; position: string }>(
        'select transaction_id::text, position from outbox_checkpoints where name = $1',
        [REGISTRY_RELAY_NAME],
      )
    ).rows[0];
  const maxPosition = async () =>
    Number((await pool.query<{ p: string }>('select max(global_position) as p from events')).rows[0].p);
  /**
   * Runs the relay until its checkpoint reached the newest event. xids are cluster-wide: a
   * transaction of anyone else on this Postgres server holds the settled horizon back for a while.
   */
  const drain = async (): Promise<number[]> => {
    const runs: number[] = [];
    const until = Date.now() + 15000;
    for (;;) {
      runs.push(await relay.runOnce());
      if (Number((await checkpoint()).position) === (await maxPosition())) return runs.filter((n) => n > 0);
      if (Date.now() > until) throw new Error(`relay did not reach the newest event: runs ${runs.join(',')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('registry_relay');
    await migrate(db.url);
    pool = new Pool({ connectionString: db.url, max: 4 });
    relay = new RegistryRelay(
      pool,
      { publishAll: async (r) => void published.push(...r) },
      {
        name: REGISTRY_RELAY_NAME,
        source: 'session-service',
        streamType: REGISTRY_STREAM_TYPE,
        route: registryRoute('t.'),
        batchSize: 3,
      },
    );
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('publishes registry records in order as envelopes, and none of the other streams', async () => {
    await appendSessions(2);
    for (let v = 1; v <= 4; v++) await appendRegistry(pool, `CP-${v}`, v);
    await appendSessions(2);
    // Batches of at most 3 (3 then 1 unless someone else's transaction holds the horizon back);
    // the checkpoint ends past the session events after them.
    const runs = await drain();
    expect(runs.reduce((a, b) => a + b, 0)).toBe(4);
    expect(Math.max(...runs)).toBeLessThanOrEqual(3);
    expect(published.map((r) => [r.topic, r.key, JSON.parse(r.value).data.version])).toEqual([
      ['t.chargers.registry.v1', 'charger/CP-1', 1],
      ['t.chargers.registry.v1', 'charger/CP-2', 2],
      ['t.chargers.registry.v1', 'charger/CP-3', 3],
      ['t.chargers.registry.v1', 'charger/CP-4', 4],
    ]);
    expect(JSON.parse(published[0].value)).toMatchObject({
      type: 'ChargerRegistered',
      schema: 'chargers.registration/v1',
      source: 'session-service',
      subject: 'charger/CP-1',
    });
    expect(await relay.runOnce()).toBe(0);
  });

  it('moves the checkpoint past session events with no registry record among them', async () => {
    await appendSessions(5);
    expect(await drain()).toEqual([]);
    expect(published).toHaveLength(4);
  });

  it('never skips a record whose transaction commits after later ones', async () => {
    const late = await pool.connect();
    try {
      await late.query('begin');
      await appendRegistry(late, 'CP-LATE', 10); // its transaction id is older than what follows
      await appendSessions(3);
      await appendRegistry(pool, 'CP-EARLY', 11);
      // The open transaction holds the horizon: nothing after it is settled, nothing is published.
      const before = await checkpoint();
      for (let i = 0; i < 3; i++) expect(await relay.runOnce()).toBe(0);
      expect(await checkpoint()).toEqual(before);
      await late.query('commit');
    } finally {
      late.release();
    }
    expect((await drain()).reduce((a, b) => a + b, 0)).toBe(2);
    expect(published.slice(4).map((r) => r.key)).toEqual(['charger/CP-LATE', 'charger/CP-EARLY']);
  });

  it('one relay per name at a time: another holding the lock makes a run publish nothing', async () => {
    await appendRegistry(pool, 'CP-LOCKED', 12);
    const other = await pool.connect();
    try {
      await other.query('begin');
      await other.query('select pg_advisory_xact_lock(hashtext($1))', ['outbox:' + REGISTRY_RELAY_NAME]);
      expect(await relay.runOnce()).toBe(0);
      await other.query('commit');
    } finally {
      other.release();
    }
    expect(await drain()).toEqual([1]);
    expect(published[published.length - 1].key).toBe('charger/CP-LOCKED');
  });
});
