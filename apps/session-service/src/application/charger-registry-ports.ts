import type { Actor, ChargerRegistration, IdTagRegistration, IdTagStatus } from '@app/contracts';
import type { Tx } from './ports';

/** A charger's registry row (`charger_registry`). `passwordHash` never leaves the service but on the registry topic. */
export interface RegistryCharger {
  chargePointId: string;
  fleetId: string;
  passwordHash: string | null;
  /** connectorId (as text) → EVSE id. */
  evseIds: Record<string, string>;
  active: boolean;
  version: number;
  /** The newest version a gateway replica said it applied (ChargerRegistryApplied). */
  appliedVersion: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
  deactivatedAt: string | null;
}

/** One fleet's id tag (`registry_id_tags`). */
export interface RegistryIdTag {
  fleetId: string;
  idTag: string;
  status: IdTagStatus;
  expiryDate: string | null;
  parentIdTag: string | null;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/** A registry record to publish on `chargers.registry.v1` (through the event store's outbox). */
export type RegistryRecord =
  | { eventId: string; type: 'ChargerRegistered'; data: ChargerRegistration }
  | { eventId: string; type: 'IdTagRegistered'; data: IdTagRegistration };

/**
 * The registry tables and their outbox. Writes run in the caller's transaction; `outbox` appends
 * the record to the event store in that same transaction, so a committed change is published
 * (by the registry relay) even if the process dies right after the commit.
 */
export interface ChargerRegistryRepository {
  /**
   * Serializes changes of one record key (`charger/<id>`, `id-tag/<fleet>/<tag>`) until the
   * transaction ends, taken before the version is drawn: so versions of one key increase in commit
   * order, also for a key whose row does not exist yet.
   */
  lockKey(tx: Tx, key: string): Promise<void>;
  /** The next value of the one registry sequence (chargers and id tags share it). */
  nextVersion(tx: Tx): Promise<number>;
  /** Inserts a new charger; false (nothing written) when the id is already registered. */
  insertCharger(tx: Tx, charger: RegistryCharger): Promise<boolean>;
  /** The charger's row, locked until the transaction ends (changes of one charger are serialized). */
  lockCharger(tx: Tx, chargePointId: string): Promise<RegistryCharger | null>;
  /** Writes fleet, hash, EVSE ids, active, version, updated_*, deactivated_at (not applied_version). */
  updateCharger(tx: Tx, charger: RegistryCharger): Promise<void>;
  /**
   * Brings session-service's own `chargers`/`connectors` projection rows of this charger to the
   * registry's fleet and EVSE ids, so the next session shows them before the charger reconnects.
   * Rows the charger does not have yet (never connected) are left to ingest.
   */
  syncProjection(
    tx: Tx,
    chargePointId: string,
    fleetId: string,
    evseIds: Record<string, string>,
  ): Promise<void>;
  /**
   * The first of these EVSE ids another active charger of the fleet already has (sessions start by
   * EVSE id within a fleet, so one EVSE id names one connector). Run under `lockKey` of
   * `evse/<fleet>` so two changes cannot both take the same id.
   */
  findEvseOwner(
    tx: Tx,
    fleetId: string,
    evseIds: string[],
    exceptChargePointId: string,
  ): Promise<{ evseId: string; chargePointId: string } | null>;
  findCharger(chargePointId: string): Promise<RegistryCharger | null>;
  /** `applied_version` now (null: no such charger). */
  appliedVersion(chargePointId: string): Promise<number | null>;

  lockIdTag(tx: Tx, fleetId: string, idTag: string): Promise<RegistryIdTag | null>;
  /** Inserts or replaces; true when it was new. */
  upsertIdTag(tx: Tx, tag: RegistryIdTag): Promise<boolean>;
  deleteIdTag(tx: Tx, fleetId: string, idTag: string): Promise<void>;
  findIdTag(fleetId: string, idTag: string): Promise<RegistryIdTag | null>;
  /** Ordered by (fleet, id tag); strictly after `after` when given; `fleetId` null: every fleet. */
  listIdTags(
    fleetId: string | null,
    page: { after?: { fleetId: string; idTag: string }; limit: number },
  ): Promise<RegistryIdTag[]>;

  /** Appends the record to the registry's outbox stream (event store) in this transaction. */
  outbox(tx: Tx, record: RegistryRecord, tenantId: string): Promise<void>;
}

export type RegistryAuditAction =
  | 'charger.registered'
  | 'charger.updated'
  | 'charger.password_rotated'
  | 'charger.deactivated'
  | 'id_tag.set'
  | 'id_tag.deleted';

/**
 * One audit entry of a registry change. No secrets and no id tags (personal data): an id tag's
 * target is its fleet and registry version, which resolve to the tag only inside this service.
 */
export interface RegistryAuditEntry {
  /** Fixed per request: a retried transaction records the entry once. */
  id: string;
  actor: Actor;
  action: RegistryAuditAction;
  target: { type: 'charger' | 'id_tag'; id: string };
  details: Record<string, unknown>;
}

/**
 * Writes an entry to the shared audit log. Called inside the change's transaction just before it
 * commits: a change whose entry cannot be written is rolled back, never made unaudited.
 */
export type RegistryAudit = (entry: RegistryAuditEntry) => Promise<void>;

/**
 * A registry request refused: 400 INVALID_BODY / INVALID_QUERY, 404 CHARGER_NOT_FOUND /
 * ID_TAG_NOT_FOUND, 409 CHARGER_EXISTS / CHARGER_DEACTIVATED / EVSE_ID_TAKEN, 504 REGISTRY_NOT_APPLIED.
 */
export class RegistryError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 504,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}
