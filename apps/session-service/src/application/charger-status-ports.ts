import type { ChargerStatus } from '@app/contracts';
import type { ChargerProjection, RegistryEntry } from './charger-status';
import type { ConnectorRow, Tx } from './ports';

/** A charger picture to publish on `chargers.status.v1` (through the event store's outbox). */
export interface ChargerStatusEvent {
  eventId: string;
  status: ChargerStatus;
  /** The version of the charger's status stream the batch loaded (0: none yet). */
  expectedVersion: number;
}

/**
 * The charger side of ingest: the `chargers` projection rows, the registry entries it reads, the
 * outbox of `ChargerStatusChanged`, and `charger_registry.applied_version`. Writes run in the
 * caller's transaction (with the session appends and the Kafka offsets).
 */
export interface ChargerStatusRepository {
  loadChargers(tx: Tx, chargePointIds: string[]): Promise<ChargerProjection[]>;
  loadRegistryEntries(tx: Tx, chargePointIds: string[]): Promise<RegistryEntry[]>;
  /** The version of each charger's status stream (absent: none yet). */
  loadStatusVersions(tx: Tx, chargePointIds: string[]): Promise<Map<string, number>>;
  /**
   * Writes the rows ingest folded: connection, boot, firmware, diagnostics, lastMessageAt. The
   * fleet and EVSE ids only when a ChargerConnected of the batch reported them (the operator API
   * writes them too).
   */
  saveChargers(tx: Tx, rows: ChargerProjection[]): Promise<void>;
  /** lastMessageAt = the later of the stored and this, for chargers whose state was not loaded. */
  touchLastMessages(tx: Tx, rows: { chargePointId: string; fleetId: string; at: string }[]): Promise<void>;
  /** Appends one ChargerStatusChanged per charger to its status stream (published by the status relay). */
  appendStatuses(tx: Tx, events: ChargerStatusEvent[]): Promise<void>;
  /** charger_registry.applied_version = the greater of the stored and this (ChargerRegistryApplied). */
  recordRegistryApplied(tx: Tx, applied: { chargePointId: string; version: number }[]): Promise<void>;
}

/** One row of the chargers list or a single charger: everything the view is built from. */
export interface ChargerRecord {
  chargePointId: string;
  charger: ChargerProjection | null;
  connectors: ConnectorRow[];
  registry: RegistryEntry | null;
  /** Registered at (the registry's created_at), else first seen. */
  createdAt: string;
  /** The later of the registry's and the projection's last change. */
  updatedAt: string;
}

/** The filters of a chargers list page (already parsed). */
export interface ChargerListFilter {
  /** Only this fleet's chargers (a fleet credential always sets it). */
  fleetId?: string;
  online?: boolean;
  /** Ids strictly after this one, ascending. */
  after?: string;
  limit: number;
}

/** The read side: registry entries joined with the chargers/connectors projection. */
export interface ChargerStatusQueries {
  /** One charger, registered or only seen (null: neither); in `tx` when given (a write's own answer). */
  find(chargePointId: string, tx?: Tx): Promise<ChargerRecord | null>;
  /** Up to `limit` chargers by id, one query. */
  list(filter: ChargerListFilter): Promise<ChargerRecord[]>;
}
