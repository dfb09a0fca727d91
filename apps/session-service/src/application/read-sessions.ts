import type { Queryable } from '@app/event-store';
import { SESSION_STATUSES } from '@app/contracts';
import { query, type ParsedQuery } from '@app/http';
import type { SessionState } from '../domain/session';
import { NotFoundError } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The query of GET /v1/sessions: every parameter, its type and its range. */
export const LIST_SESSIONS_QUERY = {
  status: query.enumList(SESSION_STATUSES),
  auth_type: query.enumOf(['LOCAL', 'REMOTE'] as const),
  user_reference: query.string(255),
  evse: query.string(255),
  charging_station: query.string(255),
  from: query.instant(),
  to: query.instant(),
  cursor: query.cursor(decodeCursor),
  limit: query.int(1, 200).default(50),
};
export type ListSessionsQuery = ParsedQuery<typeof LIST_SESSIONS_QUERY>;

/** Reads the sessions projection, always scoped to the caller's fleet. */
export class ReadSessions {
  async get(client: Queryable, fleetId: string, sessionId: string): Promise<SessionState> {
    if (!UUID.test(sessionId)) throw new NotFoundError(`session ${sessionId} not found`);
    const { rows } = await client.query<{ state: SessionState }>(
      'select state from sessions where session_id = $1 and fleet_id = $2',
      [sessionId, fleetId],
    );
    if (rows.length === 0) throw new NotFoundError(`session ${sessionId} not found`);
    return rows[0].state;
  }

  /** Newest first; the cursor is the (created_at, id) of the last row of the previous page. */
  async list(
    client: Queryable,
    fleetId: string,
    q: ListSessionsQuery,
  ): Promise<{ sessions: SessionState[]; nextCursor: string | null }> {
    const where = ['fleet_id = $1'];
    const params: unknown[] = [fleetId];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.status !== undefined) add('status = any(?::text[])', q.status);
    if (q.auth_type !== undefined) add('auth_type = ?', q.auth_type);
    if (q.user_reference !== undefined) add('user_reference = ?', q.user_reference);
    if (q.evse !== undefined) add('evse = ?', q.evse);
    if (q.charging_station !== undefined) add('charge_point_id = ?', q.charging_station);
    if (q.from !== undefined) add('created_at >= ?', q.from.toISOString());
    if (q.to !== undefined) add('created_at < ?', q.to.toISOString());
    const limit = q.limit;
    if (q.cursor !== undefined) {
      params.push(q.cursor.createdAt, q.cursor.id);
      where.push(`(created_at, session_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const { rows } = await client.query<{ state: SessionState; created_at: Date; session_id: string }>(
      `select state, created_at, session_id::text from sessions where ${where.join(' and ')}
       order by created_at desc, session_id desc limit $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      sessions: page.map((r) => r.state),
      nextCursor:
        rows.length > limit && last ? encodeCursor(last.created_at.toISOString(), last.session_id) : null,
    };
  }
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id]), 'utf8').toString('base64url');
}

/** undefined for anything this API did not return (the parser answers INVALID_CURSOR). */
function decodeCursor(cursor: string): { createdAt: string; id: string } | undefined {
  const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
  if (
    typeof createdAt === 'string' &&
    !Number.isNaN(Date.parse(createdAt)) &&
    typeof id === 'string' &&
    UUID.test(id)
  )
    return { createdAt, id };
  return undefined;
}
