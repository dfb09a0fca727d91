import type { Pool } from 'pg';
import { badRequest } from '../domain/errors';
import type { ChargeRecord } from '../domain/charge';
import { isUuid, readTimestamp } from '../domain/values';
import { chargeRepository } from '../infrastructure/charge-repository';

export async function listSessionCharges(pool: Pool, sessionId: string | undefined): Promise<ChargeRecord[]> {
  if (!isUuid(sessionId)) throw badRequest('session_id must be a session uuid');
  return chargeRepository.bySession(pool, sessionId);
}

export interface AnomalyView {
  id: string;
  kind: string;
  reason: string;
  session_id: string | null;
  fleet_id: string | null;
  charge_point_id: string | null;
  evse: string | null;
  source_event_id: string;
  detected_at: string;
}

/** The anomaly report: what was not billed and why, oldest first. */
export async function listAnomalies(pool: Pool, q: { from?: string; to?: string; limit?: string }): Promise<AnomalyView[]> {
  const from = q.from ? readTimestamp(q.from, 'from') : new Date(0);
  const to = q.to ? readTimestamp(q.to, 'to') : new Date('9999-01-01T00:00:00Z');
  const limit = q.limit === undefined ? 1000 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw badRequest('limit must be an integer 1..10000');
  const { rows } = await pool.query<AnomalyView & { detected_at: Date }>(
    `select anomaly_id as id, kind, reason, session_id, fleet_id, charge_point_id, evse, source_event_id, detected_at
     from anomalies where detected_at >= $1 and detected_at < $2 order by detected_at, anomaly_id limit $3`,
    [from, to, limit],
  );
  return rows.map((r) => ({ ...r, detected_at: (r.detected_at as unknown as Date).toISOString() }));
}
