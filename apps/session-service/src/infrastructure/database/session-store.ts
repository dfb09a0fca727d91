import { appendToStreams, runAll, type Queryable } from '@app/event-store';
import { fromStoredState, toStoredState, type SessionState } from '../../domain/session';
import { nextTimerAt, type TimerSettings } from '../../domain/timers';
import type {
  ChangedSessions,
  LoadedSession,
  SessionChangeSink,
  SessionRepository,
} from '../../application/ports';

export const SESSION_STREAM_TYPE = 'session';
export const sessionStreamId = (sessionId: string) => `session-${sessionId}`;
export const sessionIdOfStream = (streamId: string) => streamId.slice('session-'.length);

const OPEN = ['STARTING', 'PREPARING', 'ACTIVE', 'REMOTE_STOPPED'];

interface Row {
  /** The stored JSON (domain toStoredState): read it with fromStoredState. */
  state: unknown;
  version: string;
}
const toLoaded = (r: Row): LoadedSession => ({ state: fromStoredState(r.state), version: Number(r.version) });

/** The sessions projection as the aggregates' snapshot store, and the write side of a unit of work. */
export class SessionStore implements SessionRepository {
  constructor(
    private readonly timers: TimerSettings,
    private readonly webhooks: SessionChangeSink | null = null,
  ) {}

  async loadDueTimers(client: Queryable, now: Date, limit: number): Promise<LoadedSession[]> {
    const { rows } = await client.query<Row>(
      `select state, version from sessions where timer_at <= $1 order by timer_at limit $2 for update skip locked`,
      [now.toISOString(), limit],
    );
    return rows.map(toLoaded);
  }

  async rescheduleTimers(
    client: Queryable,
    next: { sessionId: string; at: string | null }[],
    now: Date,
  ): Promise<void> {
    if (next.length === 0) return;
    await client.query(
      `update sessions s set timer_at = v.at
         from unnest($1::uuid[], $2::timestamptz[]) as v(id, at)
        where s.session_id = v.id and s.timer_at <= $3`,
      [next.map((n) => n.sessionId), next.map((n) => n.at), now.toISOString()],
    );
  }

  async findByIdempotencyKey(client: Queryable, fleetId: string, key: string): Promise<string | null> {
    const { rows } = await client.query<{ session_id: string }>(
      'select session_id::text from session_start_requests where fleet_id = $1 and idempotency_key = $2',
      [fleetId, key],
    );
    return rows[0]?.session_id ?? null;
  }

  async recordIdempotencyKey(
    client: Queryable,
    fleetId: string,
    key: string,
    sessionId: string,
  ): Promise<void> {
    await client.query(
      'insert into session_start_requests (fleet_id, idempotency_key, session_id) values ($1, $2, $3)',
      [fleetId, key, sessionId],
    );
  }

  /** Open sessions of these chargers, plus any session holding one of these (charger, transactionId) pairs. */
  async loadForChargers(
    client: Queryable,
    chargePointIds: string[],
    transactions: { cp: string; tx: number }[],
    lastOnConnectors = false,
  ): Promise<LoadedSession[]> {
    if (chargePointIds.length === 0) return [];
    const { rows } = await client.query<Row>(
      // Deduplicated by id, not by whole rows: a `union` of the rows would hash/sort every state document.
      `select state, version from sessions where session_id in (
         select session_id from sessions where charge_point_id = any($1::text[]) and status = any($2::text[])
         union all
         select s.session_id from sessions s
           join unnest($3::text[], $4::bigint[]) as t(cp, tx) on s.charge_point_id = t.cp and s.transaction_id = t.tx
         union all
         select last_session_id from connectors
           where $5 and charge_point_id = any($1::text[]) and last_session_id is not null)`,
      [chargePointIds, OPEN, transactions.map((t) => t.cp), transactions.map((t) => t.tx), lastOnConnectors],
    );
    return rows.map(toLoaded);
  }

  async loadByIds(client: Queryable, sessionIds: string[], forUpdate = false): Promise<LoadedSession[]> {
    if (sessionIds.length === 0) return [];
    const { rows } = await client.query<Row>(
      `select state, version from sessions where session_id = any($1::uuid[])${forUpdate ? ' for update' : ''}`,
      [sessionIds],
    );
    return rows.map(toLoaded);
  }

  /**
   * Appends every changed session's events and upserts its projection row, in the caller's
   * transaction. The stream version after the append is known in advance (expected + events), so
   * the projection write leaves with the append (one round trip on a pipelining client). If the
   * append throws, the caller's transaction rolls both back; if it turns out to be a no-op for a
   * session (its event ids were stored already), that row is written again with the stored version.
   */
  async save(client: Queryable, uow: ChangedSessions): Promise<SessionState[]> {
    const changed = uow.changed();
    if (changed.length === 0) return [];
    const [results] = await runAll(client, [
      () =>
        appendToStreams(
          client,
          changed.map((c) => ({
            streamId: sessionStreamId(c.state.sessionId),
            streamType: SESSION_STREAM_TYPE,
            tenantId: c.state.fleetId,
            expectedVersion: c.expectedVersion,
            events: c.events,
          })),
        ),
      () =>
        upsertSessionRows(
          client,
          changed.map((c) => ({ state: c.state, version: c.expectedVersion + c.events.length })),
          this.timers,
        ),
      () => this.webhooks?.enqueue(client, changed) ?? Promise.resolve(),
    ]);
    const differs = changed.flatMap((c, i) =>
      results[i].nextExpectedVersion !== c.expectedVersion + c.events.length
        ? [{ state: c.state, version: results[i].nextExpectedVersion }]
        : [],
    );
    if (differs.length > 0) await upsertSessionRows(client, differs, this.timers);
    return changed.map((c) => c.state);
  }
}

export function sessionRow(state: SessionState, version: number, timers: TimerSettings) {
  return {
    session_id: state.sessionId,
    fleet_id: state.fleetId,
    status: state.status,
    auth_type: state.authType,
    charge_point_id: state.chargePointId,
    connector_id: state.connectorId,
    evse: state.evse,
    transaction_id: state.start?.transactionId ?? null,
    user_reference: state.userReference,
    created_at: state.createdAt ?? state.lastUpdatedAt,
    last_updated_at: state.lastUpdatedAt ?? state.createdAt,
    timer_at: nextTimerAt(state, timers),
    version,
    state: toStoredState(state),
  };
}

/** Writes projection rows (insert or replace), one statement for all. `table` lets a rebuild write to a scratch copy. */
export async function upsertSessionRows(
  client: Queryable,
  rows: { state: SessionState; version: number }[],
  timers: TimerSettings,
  table = 'sessions',
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `insert into ${table} (session_id, fleet_id, status, auth_type, charge_point_id, connector_id, evse, transaction_id,
        user_reference, created_at, last_updated_at, timer_at, version, state)
     select session_id, fleet_id, status, auth_type, charge_point_id, connector_id, evse, transaction_id,
        user_reference, created_at, last_updated_at, timer_at, version, state
     from jsonb_to_recordset($1::jsonb) as x(session_id uuid, fleet_id text, status text, auth_type text, charge_point_id text,
        connector_id int, evse text, transaction_id bigint, user_reference text, created_at timestamptz, last_updated_at timestamptz,
        timer_at timestamptz, version bigint, state jsonb)
     on conflict (session_id) do update set
        status = excluded.status, auth_type = excluded.auth_type, evse = excluded.evse, transaction_id = excluded.transaction_id,
        user_reference = excluded.user_reference, last_updated_at = excluded.last_updated_at, timer_at = excluded.timer_at,
        version = excluded.version, state = excluded.state`,
    [JSON.stringify(rows.map((r) => sessionRow(r.state, r.version, timers)))],
  );
}
