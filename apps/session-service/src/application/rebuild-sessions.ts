import type { Pool, PoolClient } from 'pg';
import { inTransaction, rebuildProjection, type RecordedEvent } from '@app/event-store';
import { evolve, initialState, type SessionState } from '../domain/session';
import type { SessionEvent } from '../domain/session-events';
import type { TimerSettings } from '../domain/timers';
import { SESSION_STREAM_TYPE, upsertSessionRows } from '../infrastructure/database/session-store';

/**
 * Re-derives the sessions projection from the session streams (fold with `evolve`, in global
 * order). `into: 'sessions_rebuild'` writes a scratch copy and `compareWithLive` proves it equal to
 * the live table; `into: 'sessions'` replaces the live rows (in one transaction).
 */
export async function rebuildSessions(
  pool: Pool,
  timers: TimerSettings,
  into: 'sessions' | 'sessions_rebuild' = 'sessions_rebuild',
): Promise<number> {
  const states = new Map<string, { state: SessionState; version: number }>();
  let count = 0;
  await rebuildProjection(
    pool,
    {
      reset: async (client: PoolClient) => {
        states.clear();
        if (into === 'sessions_rebuild') {
          await client.query('drop table if exists sessions_rebuild');
          await client.query('create table sessions_rebuild (like sessions including all)');
        }
      },
      apply: async (_client: PoolClient, events: RecordedEvent[]) => {
        for (const e of events) {
          const cur = states.get(e.streamId) ?? { state: initialState(), version: 0 };
          states.set(e.streamId, {
            state: evolve(cur.state, { type: e.type, data: e.data } as SessionEvent),
            version: e.streamPosition,
          });
        }
      },
    },
    { streamType: SESSION_STREAM_TYPE, pageSize: 5000 },
  );
  await inTransaction(pool, async (client) => {
    if (into === 'sessions') await client.query('delete from sessions');
    const rows = [...states.values()].filter((s) => s.state.status !== null);
    for (let i = 0; i < rows.length; i += 2000)
      await upsertSessionRows(client, rows.slice(i, i + 2000), timers, into);
    count = rows.length;
  });
  return count;
}

/** Rows that differ between the live projection and the rebuilt one (0 and 0 = equal). */
export async function compareWithLive(pool: Pool): Promise<{ onlyLive: number; onlyRebuilt: number }> {
  const cols =
    'session_id, fleet_id, status, auth_type, charge_point_id, connector_id, evse, transaction_id, user_reference, created_at, last_updated_at, version, state';
  const a = await pool.query(
    `select count(*)::int as n from (select ${cols} from sessions except select ${cols} from sessions_rebuild) d`,
  );
  const b = await pool.query(
    `select count(*)::int as n from (select ${cols} from sessions_rebuild except select ${cols} from sessions) d`,
  );
  return { onlyLive: a.rows[0].n, onlyRebuilt: b.rows[0].n };
}
