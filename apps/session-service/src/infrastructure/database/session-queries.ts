import type { Queryable } from '@app/event-store';
import type { SessionListFilter, SessionQueries } from '../../application/ports';
import { fromStoredState, type SessionState } from '../../domain/session';

/** SessionQueries over the `sessions` projection table. */
export class PostgresSessionQueries implements SessionQueries {
  constructor(private readonly db: Queryable) {}

  async find(fleetId: string, sessionId: string): Promise<SessionState | null> {
    const { rows } = await this.db.query<{ state: unknown }>(
      'select state from sessions where session_id = $1 and fleet_id = $2',
      [sessionId, fleetId],
    );
    return rows[0] ? fromStoredState(rows[0].state) : null;
  }

  async list(
    fleetId: string,
    f: SessionListFilter,
  ): Promise<{ state: SessionState; createdAt: string; sessionId: string }[]> {
    const where = ['fleet_id = $1'];
    const params: unknown[] = [fleetId];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.status !== undefined) add('status = any(?::text[])', f.status);
    if (f.authType !== undefined) add('auth_type = ?', f.authType);
    if (f.userReference !== undefined) add('user_reference = ?', f.userReference);
    if (f.evse !== undefined) add('evse = ?', f.evse);
    if (f.chargePointId !== undefined) add('charge_point_id = ?', f.chargePointId);
    if (f.from !== undefined) add('created_at >= ?', f.from.toISOString());
    if (f.to !== undefined) add('created_at < ?', f.to.toISOString());
    if (f.after !== undefined) {
      params.push(f.after.createdAt, f.after.id);
      where.push(`(created_at, session_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(f.limit);
    const { rows } = await this.db.query<{ state: unknown; created_at: Date; session_id: string }>(
      `select state, created_at, session_id::text from sessions where ${where.join(' and ')}
       order by created_at desc, session_id desc limit $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      state: fromStoredState(r.state),
      createdAt: r.created_at.toISOString(),
      sessionId: r.session_id,
    }));
  }
}
