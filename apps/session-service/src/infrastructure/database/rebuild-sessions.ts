import { isDeepStrictEqual } from 'node:util';
import type { Pool, PoolClient } from 'pg';
import { inTransaction, rebuildProjection, type RecordedEvent } from '@app/event-store';
import { evolve, fromStoredState, initialState, type SessionState } from '../../domain/session';
import type { SessionEvent } from '../../domain/session-events';
import type { TimerSettings } from '../../domain/timers';
import { SESSION_STREAM_TYPE, upsertSessionRows } from './session-store';

/**
 * Re-derives the sessions projection from the session streams (fold with `evolve`, in global
 * order). `into: 'sessions_rebuild'` writes a scratch copy that `compareRebuilt` holds against the
 * live table; `into: 'sessions'` replaces the live rows (in one transaction).
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

export interface RebuildComparison {
  /** Sessions in either table. */
  checked: number;
  equal: number;
  /** Sessions whose live row differs from the rebuilt one, or that only one table has (sorted). */
  differing: string[];
}

// timer_at is left out: it is derived from the state and the timer settings of the moment.
const COLUMNS =
  'session_id::text, fleet_id, status, auth_type, charge_point_id, connector_id, evse, transaction_id, user_reference, created_at, last_updated_at, version, state';

/**
 * The live projection against the rebuilt one, session by session. States are compared as the
 * domain reads them (`fromStoredState`), so a row still in an older stored format is equal when it
 * means the same session.
 */
export async function compareRebuilt(pool: Pool): Promise<RebuildComparison> {
  const [live, rebuilt] = await Promise.all([
    pool.query(`select ${COLUMNS} from sessions`),
    pool.query(`select ${COLUMNS} from sessions_rebuild`),
  ]);
  const normal = (r: Record<string, unknown>) => ({
    ...r,
    version: String(r.version),
    state: readable(r.state),
  });
  const a = new Map(live.rows.map((r) => [r.session_id as string, normal(r)]));
  const b = new Map(rebuilt.rows.map((r) => [r.session_id as string, normal(r)]));
  const ids = new Set([...a.keys(), ...b.keys()]);
  const differing = [...ids].filter((id) => !isDeepStrictEqual(a.get(id), b.get(id))).sort();
  return { checked: ids.size, equal: ids.size - differing.length, differing };
}

function readable(json: unknown): unknown {
  try {
    return fromStoredState(json);
  } catch (e) {
    return { unreadable: (e as Error).message, json };
  }
}
