import type { Queryable } from '@app/event-store';
import { SESSION_STATUSES, type SessionStatus } from '@app/contracts';
import type { SessionState } from '../domain/session';
import { BadRequestError, NotFoundError } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ListSessionsQuery {
  status?: string;
  auth_type?: string;
  user_reference?: string;
  evse?: string;
  charging_station?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: string;
}

/** Unix seconds or ISO-8601 → Date; anything else is a 400 naming the parameter. */
function parseTime(name: string, v: string): Date {
  const d = /^\d{1,12}$/.test(v) ? new Date(Number(v) * 1000) : new Date(v);
  if (Number.isNaN(d.getTime()))
    throw new BadRequestError(
      'INVALID_QUERY',
      `${name} must be unix seconds or an ISO-8601 time, got "${v}"`,
    );
  return d;
}

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
    if (q.status !== undefined) {
      const statuses = q.status.split(',');
      for (const s of statuses) {
        if (!SESSION_STATUSES.includes(s as SessionStatus)) {
          throw new BadRequestError(
            'INVALID_QUERY',
            `status must be one of ${SESSION_STATUSES.join(', ')}, got "${s}"`,
          );
        }
      }
      add('status = any(?::text[])', statuses);
    }
    if (q.auth_type !== undefined) {
      if (q.auth_type !== 'LOCAL' && q.auth_type !== 'REMOTE')
        throw new BadRequestError('INVALID_QUERY', `auth_type must be LOCAL or REMOTE, got "${q.auth_type}"`);
      add('auth_type = ?', q.auth_type);
    }
    if (q.user_reference !== undefined) add('user_reference = ?', q.user_reference);
    if (q.evse !== undefined) add('evse = ?', q.evse);
    if (q.charging_station !== undefined) add('charge_point_id = ?', q.charging_station);
    if (q.from !== undefined) add('created_at >= ?', parseTime('from', q.from).toISOString());
    if (q.to !== undefined) add('created_at < ?', parseTime('to', q.to).toISOString());
    let limit = 50;
    if (q.limit !== undefined) {
      if (!/^\d{1,3}$/.test(q.limit) || Number(q.limit) < 1 || Number(q.limit) > 200) {
        throw new BadRequestError('INVALID_QUERY', `limit must be an integer 1..200, got "${q.limit}"`);
      }
      limit = Number(q.limit);
    }
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor);
      params.push(c.createdAt, c.id);
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

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && UUID.test(id))
      return { createdAt, id };
  } catch {
    // fall through
  }
  throw new BadRequestError('INVALID_CURSOR', 'cursor is not one this API returned');
}
