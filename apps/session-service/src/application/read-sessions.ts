import type { Queryable } from '@app/event-store';
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
  /**
   * TODO(session-core, issue 11): remove with the `client` overloads once the controllers get
   * ReadSessions injected; set by infrastructure/session-runtime.ts.
   */
  static legacyQueries?: (db: Queryable) => SessionQueries;

  constructor(private readonly queries?: SessionQueries) {}

  get(fleetId: string, sessionId: string): Promise<SessionState>;
  /** @deprecated the controller's old call; inject ReadSessions and call get(fleetId, sessionId). */
  get(client: Queryable, fleetId: string, sessionId: string): Promise<SessionState>;
  async get(a: string | Queryable, b: string, c?: string): Promise<SessionState> {
    const [queries, fleetId, sessionId] = typeof a === 'string' ? [this.repo(), a, b] : [this.repo(a), b, c!];
    if (!isUuid(sessionId)) throw new NotFoundError(`session ${sessionId} not found`);
    const state = await queries.find(fleetId, sessionId);
    if (!state) throw new NotFoundError(`session ${sessionId} not found`);
    return state;
  }

  list(
    fleetId: string,
    q: ListSessionsQuery,
  ): Promise<{ sessions: SessionState[]; nextCursor: string | null }>;
  /** @deprecated the controller's old call; inject ReadSessions and call list(fleetId, q). */
  list(
    client: Queryable,
    fleetId: string,
    q: ListSessionsQuery,
  ): Promise<{ sessions: SessionState[]; nextCursor: string | null }>;
  /** Newest first; the cursor is the (created_at, id) of the last row of the previous page. */
  async list(
    a: string | Queryable,
    b: string | ListSessionsQuery,
    c?: ListSessionsQuery,
  ): Promise<{ sessions: SessionState[]; nextCursor: string | null }> {
    const [queries, fleetId, q] =
      typeof a === 'string' ? [this.repo(), a, b as ListSessionsQuery] : [this.repo(a), b as string, c!];
    const limit = q.limit;
    const rows = await queries.list(fleetId, {
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

  private repo(legacyClient?: Queryable): SessionQueries {
    if (legacyClient !== undefined && ReadSessions.legacyQueries)
      return ReadSessions.legacyQueries(legacyClient);
    if (!this.queries) throw new Error('ReadSessions was built without its SessionQueries');
    return this.queries;
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
