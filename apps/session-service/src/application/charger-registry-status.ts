import { nameUuid } from '@app/contracts';
import { publishedPart } from './charger-status';
import type { ChargerStatusQueries, ChargerStatusRepository } from './charger-status-ports';
import { chargerStatusOfRecord } from './charger-view';
import type { Tx } from './ports';

/** A charger's status stream and published picture as they were before a registry change. */
export interface StatusBefore {
  chargePointId: string;
  /** The version of the charger's status stream, read before the picture (0: none yet). */
  expectedVersion: number;
  /** publishedPart of the picture before the change (null: no picture: neither registered nor seen). */
  before: string | null;
}

/** What the registry's status outbox reads and writes: the view's loader and ingest's status stream. */
export interface RegistryStatusPorts {
  queries: Pick<ChargerStatusQueries, 'find'>;
  statuses: Pick<ChargerStatusRepository, 'loadStatusVersions' | 'appendStatuses'>;
}

/**
 * The registry's side of `chargers.status.v1`: a registry change of a charger (register, PATCH,
 * deactivate) changes its picture (fleet, active, connectors' EVSE ids, a registered charger that
 * never connected) as much as a report of the charger does, so it appends the new whole picture to
 * the charger's status stream in the registry change's own transaction; the status relay publishes
 * it. The picture is the one GET /v1/chargers/:id shows (the view's loader and builder), and it is
 * appended only when its published part changed, as ingest decides.
 *
 * Against a concurrent ingest batch of the same charger (it appends to the same stream): the
 * stream's version is read BEFORE the picture and the append expects exactly that version, so if
 * the batch committed a picture after the version was read, the append fails with
 * WrongExpectedVersionError and the transaction runner re-runs the whole registry change on fresh
 * reads; ingest reads the version first too and is retried the same way. Neither picture is built
 * on the other's stale rows.
 */
export class RegistryStatusOutbox {
  constructor(private readonly ports: RegistryStatusPorts) {}

  /** Call in the registry change's transaction, after its locks and before any write. */
  async before(tx: Tx, chargePointId: string): Promise<StatusBefore> {
    // The version first (see above): a picture committed after this read fails the append.
    const versions = await this.ports.statuses.loadStatusVersions(tx, [chargePointId]);
    const record = await this.ports.queries.find(chargePointId, tx);
    return {
      chargePointId,
      expectedVersion: versions.get(chargePointId) ?? 0,
      before: record ? publishedPart(chargerStatusOfRecord(record)) : null,
    };
  }

  /**
   * Call after the registry change's writes (registry row and projection sync), in the same
   * transaction: appends the new picture when it differs from `before`. `changeId`: the registry
   * record's event id (the status event's id derives from it). True when a picture was appended
   * (wake the status relay after the commit).
   */
  async after(tx: Tx, before: StatusBefore | undefined, changeId: string): Promise<boolean> {
    if (!before) return false;
    const record = await this.ports.queries.find(before.chargePointId, tx);
    if (!record) return false;
    // updatedAt: the view's (the later of the registry change and the charger's last picture change).
    const status = { ...chargerStatusOfRecord(record), updatedAt: record.updatedAt };
    if (publishedPart(status) === before.before) return false;
    await this.ports.statuses.appendStatuses(tx, [
      {
        eventId: nameUuid('charger-status', before.chargePointId, 'registry', changeId),
        status,
        expectedVersion: before.expectedVersion,
      },
    ]);
    return true;
  }
}
