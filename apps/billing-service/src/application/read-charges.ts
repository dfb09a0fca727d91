import type { Pool } from 'pg';
import { badRequest, notFound } from '../domain/errors';
import type { ChargeRecord } from '../domain/charge';
import { isUuid } from '../domain/values';
import { parseQuery, query } from '@app/http';
import { chargeRepository } from '../infrastructure/charge-repository';

/**
 * `fleet` is the caller's fleet when its credential is bound to one: it then sees only that
 * fleet's charges, and another fleet's session reads exactly like an unknown one.
 */
export async function listSessionCharges(
  pool: Pool,
  sessionId: string | undefined,
  fleet: string | null,
): Promise<ChargeRecord[]> {
  if (!isUuid(sessionId)) throw badRequest('session_id must be a session uuid');
  const charges = await chargeRepository.bySession(pool, sessionId);
  return fleet === null ? charges : charges.filter((c) => c.fleetId === fleet);
}

/** One charge; unknown, and another fleet's to a fleet-bound caller, are the same 404. */
export async function getCharge(pool: Pool, chargeId: string, fleet: string | null): Promise<ChargeRecord> {
  const charge = isUuid(chargeId) ? await chargeRepository.find(pool, chargeId) : null;
  if (!charge || (fleet !== null && charge.fleetId !== fleet)) throw notFound(`charge ${chargeId} not found`);
  return charge;
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

const ANOMALIES_QUERY = {
  from: query.instant(),
  to: query.instant(),
  limit: query.int(1, 10000).default(1000),
};

/** The anomaly report: what was not billed and why, oldest first. */
export async function listAnomalies(pool: Pool, raw: Record<string, unknown>): Promise<AnomalyView[]> {
  const q = parseQuery(ANOMALIES_QUERY, raw);
  const from = q.from ?? new Date(0);
  const to = q.to ?? new Date('9999-01-01T00:00:00Z');
  const limit = q.limit;
  const { rows } = await pool.query<AnomalyView & { detected_at: Date }>(
    `select anomaly_id as id, kind, reason, session_id, fleet_id, charge_point_id, evse, source_event_id, detected_at
     from anomalies where detected_at >= $1 and detected_at < $2 order by detected_at, anomaly_id limit $3`,
    [from, to, limit],
  );
  return rows.map((r) => ({ ...r, detected_at: (r.detected_at as unknown as Date).toISOString() }));
}
