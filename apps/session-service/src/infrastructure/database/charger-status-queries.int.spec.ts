import fc from 'fast-check';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { migrate } from '../../testing/harness';
import { PostgresChargerStatusQueries } from './charger-status-queries';

/**
 * The list's keyset pages against real Postgres: whatever mix of registered chargers (connected or
 * not) and chargers only seen, whatever the filters and page sizes, the pages together are exactly
 * the filtered chargers in id order, each once.
 */
describe('PostgresChargerStatusQueries.list (real Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase('charger_list');
    await migrate(db.url);
    pool = new Pool({ connectionString: db.url, max: 2 });
  }, 60000);
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const charger = fc.record({
    registered: fc.boolean(),
    seen: fc.boolean(),
    online: fc.boolean(),
    fleet: fc.constantFrom('f-1', 'f-2'),
    /** The projection's fleet differs (a PATCH the projection has not caught up with). */
    staleFleet: fc.boolean(),
  });

  it('pages of any size are the filtered chargers in id order, each once', async () => {
    const queries = new PostgresChargerStatusQueries(pool);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[A-Z0-9-]{1,6}$/), { minLength: 0, maxLength: 25 }),
        fc.array(charger, { minLength: 25, maxLength: 25 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(undefined, 'f-1', 'f-2'),
        fc.constantFrom(undefined, true, false),
        async (ids, specs, limit, fleetId, online) => {
          await pool.query('truncate charger_registry, chargers');
          const expected: string[] = [];
          for (const [i, id] of ids.entries()) {
            const s = specs[i];
            const seen = s.seen || !s.registered;
            if (s.registered)
              await pool.query(
                `insert into charger_registry (charge_point_id, fleet_id, version, updated_by) values ($1, $2, 1, 't')`,
                [id, s.fleet],
              );
            if (seen)
              await pool.query(
                `insert into chargers (charge_point_id, fleet_id, connected, last_seen_at) values ($1, $2, $3, now())`,
                [id, s.registered && s.staleFleet ? (s.fleet === 'f-1' ? 'f-2' : 'f-1') : s.fleet, s.online],
              );
            const isOnline = seen && s.online;
            if (
              (fleetId === undefined || fleetId === s.fleet) &&
              (online === undefined || online === isOnline)
            )
              expected.push(id);
          }
          const got: string[] = [];
          let after: string | undefined;
          for (let pages = 0; pages < 30; pages++) {
            const rows = await queries.list({ fleetId, online, after, limit: limit + 1 });
            const page = rows.slice(0, limit);
            got.push(...page.map((r) => r.chargePointId));
            for (const r of page)
              expect(r.registry?.fleetId ?? r.charger?.fleetId).toEqual(fleetId ?? expect.any(String));
            if (rows.length <= limit) break;
            after = page[page.length - 1].chargePointId;
          }
          // In the database's id order (its collation), each once.
          const ordered = await pool.query<{ id: string }>(
            'select id from unnest($1::text[]) as id order by id',
            [expected],
          );
          expect(got).toEqual(ordered.rows.map((r) => r.id));
        },
      ),
      { numRuns: 60 },
    );
  }, 120000);
});
