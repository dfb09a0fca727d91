import { badRequest, notFound } from '../domain/errors';
import type { ChargeRecord } from '../domain/charge';
import { zonedMidnight } from '../domain/exports/zoned-time';
import { isUuid } from '../domain/values';
import { parseQuery, query } from '@app/http';
import type { AnomalyRecord, ChargeStore, Database } from './ports';

export class ListSessionCharges {
  constructor(
    private readonly db: Database,
    private readonly charges: ChargeStore,
  ) {}

  /**
   * `fleet` is the caller's fleet when its credential is bound to one: it then sees only that
   * fleet's charges, and another fleet's session reads exactly like an unknown one.
   */
  async execute(sessionId: string | undefined, fleet: string | null): Promise<ChargeRecord[]> {
    if (!isUuid(sessionId)) throw badRequest('session_id must be a session uuid');
    const charges = await this.charges.bySession(this.db.reader, sessionId);
    return fleet === null ? charges : charges.filter((c) => c.fleetId === fleet);
  }
}

export class GetCharge {
  constructor(
    private readonly db: Database,
    private readonly charges: ChargeStore,
  ) {}

  /** One charge; unknown, and another fleet's to a fleet-bound caller, are the same 404. */
  async execute(chargeId: string, fleet: string | null): Promise<ChargeRecord> {
    const charge = isUuid(chargeId) ? await this.charges.find(this.db.reader, chargeId) : null;
    if (!charge || (fleet !== null && charge.fleetId !== fleet))
      throw notFound(`charge ${chargeId} not found`);
    return charge;
  }
}

/** One row of the anomaly report. */
export type AnomalyView = AnomalyRecord;

/** `GET /v1/charges`: the session whose charges to list. */
export const CHARGES_QUERY = { session_id: query.uuid().required() };

/**
 * The anomaly report's range. A plain date means midnight in the books' time zone, as in the
 * exports, so `?from=2024-05-01` finds the anomalies of the same day an export of it holds.
 */
export function anomaliesQuery(timeZone: string) {
  const bound = query.instant({ midnightOf: (date) => zonedMidnight(date, timeZone) });
  return { from: bound, to: bound, limit: query.int(1, 10000).default(1000) };
}

export class ListAnomalies {
  private readonly spec: ReturnType<typeof anomaliesQuery>;

  constructor(
    private readonly db: Database,
    private readonly charges: ChargeStore,
    timeZone: string,
  ) {
    this.spec = anomaliesQuery(timeZone);
  }

  /** The anomaly report: what was not billed and why, oldest first. */
  async execute(raw: Record<string, unknown>): Promise<AnomalyView[]> {
    const q = parseQuery(this.spec, raw);
    const from = q.from ?? new Date(0);
    const to = q.to ?? new Date('9999-01-01T00:00:00Z');
    return this.charges.anomalies(this.db.reader, { from, to, limit: q.limit });
  }
}
