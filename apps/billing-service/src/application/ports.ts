import type { Actor, Envelope, TariffAssignment, TariffPublished } from '@app/contracts';
import type { Queryable } from '@app/event-store';
import type { Anomaly, ChargeRecord } from '../domain/charge';
import type { ExportRow } from '../domain/exports/export-row';
import type { AssignedTariff, Tariff, TariffPrices } from '../domain/tariff';

/**
 * What billing's use cases need from the outside world. Adapters in infrastructure/ implement
 * these (Postgres, the audit log, the outbox relay); unit tests implement them with fakes.
 *
 * `Db` is a connection or an open transaction: the use case gets it from `Database` and hands it
 * back to the stores, so everything one use case writes commits (or rolls back) together. Use
 * cases never run statements on it themselves.
 */
export type Db = Queryable;

export interface Database {
  /** Runs `work` in one transaction, retried whole on serialization failures and deadlocks. */
  transaction<T>(work: (db: Db) => Promise<T>): Promise<T>;
  /** For reads outside a transaction. */
  readonly reader: Db;
}

export interface AnomalyQuery {
  from: Date;
  to: Date;
  limit: number;
}

export interface AnomalyRecord {
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

export interface AnomalyRef {
  sessionId?: string;
  fleetId?: string;
  chargePointId?: string;
  evse?: string;
}

/** Charges and anomalies. Idempotency lives in the store's unique keys, not in the use cases. */
export interface ChargeStore {
  /** A session's original charge; false when the session is already billed (redelivery). */
  insertSessionCharge(db: Db, charge: ChargeRecord): Promise<boolean>;
  /** A reversal or a replacing charge; a second correction of one charge fails. */
  insertCorrection(db: Db, charge: ChargeRecord): Promise<void>;
  /** ChargeCalculated for each charge into the outbox, in the same transaction. */
  appendChargeCalculated(db: Db, charges: ChargeRecord[]): Promise<void>;
  find(db: Db, chargeId: string): Promise<ChargeRecord | null>;
  isReversed(db: Db, chargeId: string): Promise<boolean>;
  bySession(db: Db, sessionId: string): Promise<ChargeRecord[]>;
  /** Once per source event (a redelivery adds nothing). */
  insertAnomaly(
    db: Db,
    sourceEventId: string,
    anomaly: Anomaly,
    event: unknown,
    ref: AnomalyRef,
  ): Promise<void>;
  /**
   * Runs `work` so that a data error of the store (a value it cannot hold) rolls back only what
   * `work` wrote and comes back as `{ refused }`; anything else fails the transaction.
   */
  guarded<T>(db: Db, work: () => Promise<T>): Promise<{ ok: T } | { refused: Error }>;
  anomalies(db: Db, query: AnomalyQuery): Promise<AnomalyRecord[]>;
}

export interface TariffStore {
  insertTariff(db: Db, id: string, name: string): Promise<void>;
  insertVersion(
    db: Db,
    id: string,
    version: number,
    effectiveFrom: Date,
    prices: TariffPrices,
    actor: Actor,
  ): Promise<void>;
  latestVersion(db: Db, id: string): Promise<{ version: number; effective_from: Date } | null>;
  /** Locks the tariff so concurrent changes of it queue up; false when it does not exist. */
  lockTariff(db: Db, id: string): Promise<boolean>;
  find(db: Db, id: string): Promise<Tariff | null>;
  /** A page by creation order, after the tariff `afterId`. */
  list(db: Db, limit: number, afterId?: string): Promise<Tariff[]>;
  /** Returns the tariff the assignment pointed at before (if another). */
  assign(db: Db, assignment: TariffAssignment, tariffId: string, actor: Actor): Promise<string | null>;
  unassign(db: Db, assignment: TariffAssignment): Promise<string | null>;
  listAssignments(db: Db): Promise<AssignedTariff[]>;
  assignmentsFor(db: Db, refs: string[]): Promise<AssignedTariff[]>;
  /** The tariff's whole current state into the outbox (compacted topic), in the same transaction. */
  publish(db: Db, tariffId: string, actor: Actor): Promise<TariffPublished>;
}

export interface ExportRange {
  from: Date;
  to: Date;
}

export interface ExportTotals {
  currency: string;
  rows: number;
  energy_wh: string;
  net: string;
  vat: string;
  gross: string;
}

/** Per currency booked in a range: how many charges, and the VAT rates of those with VAT. */
export interface CurrencyMix {
  currency: string;
  charges: number;
  vatRates: string[];
}

/** The booked charges as export rows (its own connections: an export streams for long). */
export interface ChargeExportSource {
  /** In booking order, `batchRows` at a time, in bounded memory; only the `fields` asked for. */
  rows(
    range: ExportRange,
    timeZone: string,
    batchRows: number,
    fields?: readonly (keyof ExportRow)[],
  ): AsyncIterable<ExportRow[]>;
  totals(range: ExportRange): Promise<ExportTotals[]>;
  currencyMix(range: ExportRange): Promise<CurrencyMix[]>;
}

/** The outbox relay: told when a use case committed events, so it publishes them at once. */
export interface OutboxSignal {
  wake(): void;
}

/** One record of `charging.sessions.v1` as the consumer hands it over. */
export interface SessionRecord {
  /** `topic:partition:offset`: the anomaly key of a record that is not an envelope. */
  position: string;
  envelope: Envelope | null;
  /** Why `envelope` is null. */
  unreadable?: string;
  value: Buffer | null;
}
