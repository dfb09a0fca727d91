import type { AuditTrail, BillingAuditEntry } from '../src/application/change-context';
import type {
  AnomalyQuery,
  AnomalyRecord,
  AnomalyRef,
  ChargeStore,
  Database,
  Db,
  OutboxSignal,
} from '../src/application/ports';
import type { Anomaly, ChargeRecord } from '../src/domain/charge';

/** A Database whose transactions commit or roll back the fake stores' state (a snapshot each). */
export class FakeDatabase implements Database {
  readonly reader = {} as Db;
  commits = 0;
  constructor(private readonly stores: { snapshot(): () => void }[]) {}

  async transaction<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const restores = this.stores.map((s) => s.snapshot());
    try {
      const result = await work(this.reader);
      this.commits++;
      return result;
    } catch (e) {
      restores.forEach((restore) => restore());
      throw e;
    }
  }
}

/** ChargeStore in memory, with the unique keys of the real one (one bill per session, anomaly per source). */
export class FakeChargeStore implements ChargeStore {
  charges: ChargeRecord[] = [];
  anomalyRows: { sourceEventId: string; anomaly: Anomaly; ref: AnomalyRef }[] = [];
  published: string[] = [];
  /** Makes insertSessionCharge fail like Postgres refusing a value (SQLSTATE class 22). */
  refuse: ((c: ChargeRecord) => boolean) | null = null;

  snapshot() {
    const [c, a, p] = [[...this.charges], [...this.anomalyRows], [...this.published]];
    return () => {
      [this.charges, this.anomalyRows, this.published] = [c, a, p];
    };
  }

  async insertSessionCharge(_db: Db, charge: ChargeRecord): Promise<boolean> {
    if (this.refuse?.(charge))
      throw Object.assign(new Error('date/time field value out of range'), { code: '22008' });
    if (
      this.charges.some((c) => c.sessionId === charge.sessionId && c.kind === 'CHARGE' && !c.replacesChargeId)
    )
      return false;
    this.charges.push(charge);
    return true;
  }
  async insertCorrection(_db: Db, charge: ChargeRecord): Promise<void> {
    if (charge.reversesChargeId && this.charges.some((c) => c.reversesChargeId === charge.reversesChargeId))
      throw Object.assign(new Error('duplicate key'), { code: '23505' });
    this.charges.push(charge);
  }
  async appendChargeCalculated(_db: Db, charges: ChargeRecord[]): Promise<void> {
    this.published.push(...charges.map((c) => c.chargeId));
  }
  async find(_db: Db, chargeId: string) {
    return this.charges.find((c) => c.chargeId === chargeId) ?? null;
  }
  async isReversed(_db: Db, chargeId: string) {
    return this.charges.some((c) => c.reversesChargeId === chargeId);
  }
  async bySession(_db: Db, sessionId: string) {
    return this.charges.filter((c) => c.sessionId === sessionId);
  }
  async insertAnomaly(_db: Db, sourceEventId: string, anomaly: Anomaly, _event: unknown, ref: AnomalyRef) {
    if (!this.anomalyRows.some((a) => a.sourceEventId === sourceEventId))
      this.anomalyRows.push({ sourceEventId, anomaly, ref });
  }
  async guarded<T>(_db: Db, work: () => Promise<T>): Promise<{ ok: T } | { refused: Error }> {
    const restore = this.snapshot();
    try {
      return { ok: await work() };
    } catch (e) {
      if (!String((e as { code?: string }).code ?? '').startsWith('22')) throw e;
      restore();
      return { refused: e as Error };
    }
  }
  /** The queries `anomalies` was asked (what the use case made of the request). */
  anomalyQueries: AnomalyQuery[] = [];
  async anomalies(_db: Db, query: AnomalyQuery): Promise<AnomalyRecord[]> {
    this.anomalyQueries.push(query);
    return [];
  }
}

export class FakeAuditTrail implements AuditTrail {
  entries: BillingAuditEntry[] = [];
  fail = false;
  async record(entry: BillingAuditEntry): Promise<void> {
    if (this.fail) throw new Error('audit log unreachable');
    this.entries.push(entry);
  }
}

export class FakeOutbox implements OutboxSignal {
  wakes = 0;
  wake(): void {
    this.wakes++;
  }
}
