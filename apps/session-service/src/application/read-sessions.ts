import { isUuid, SESSION_STATUSES } from '@app/contracts';
import { query, type ParsedQuery } from '@app/http';
import type { SessionState } from '../domain/session';
import { NotFoundError, type SessionQueries } from './ports';

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
  constructor(private readonly queries: SessionQueries) {}

  async get(fleetId: string, sessionId: string): Promise<SessionState> {
    const state = isUuid(sessionId) ? await this.queries.find(fleetId, sessionId) : null;
    if (!state) throw new NotFoundError(`session ${sessionId} not found`);
    return state;
  }

  /** Newest first; the cursor is the (created_at, id) of the last row of the previous page. */
  async list(
    fleetId: string,
    q: ListSessionsQuery,
  ): Promise<{ sessions: SessionState[]; nextCursor: string | null }> {
    const limit = q.limit;
    const rows = await this.queries.list(fleetId, {
      status: q.status,
      authType: q.auth_type,
      userReference: q.user_reference,
      evse: q.evse,
      chargePointId: q.charging_station,
      from: q.from,
      to: q.to,
      after: q.cursor,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      sessions: page.map((r) => r.state),
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.sessionId) : null,
    };
  }
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id]), 'utf8').toString('base64url');
}

/** undefined for anything this API did not return (the parser answers INVALID_CURSOR). */
function decodeCursor(cursor: string): { createdAt: string; id: string } | undefined {
  const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
  if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && isUuid(id))
    return { createdAt, id };
  return undefined;
}
