import type { ChargerRegistration, IdTagRegistration } from '@app/contracts';
import type { OcppEventSink } from './ports';

/** A record of `chargers.registry.v1` that passed the edge check. */
export type RegistryRecord =
  | { type: 'ChargerRegistered'; data: ChargerRegistration }
  | { type: 'IdTagRegistered'; data: IdTagRegistration };

/** The gateway database's copy of the registry (shared by every replica). */
export interface RegistryCopyStore {
  /**
   * Writes each registration whose version is newer than its row's (inserting unknown chargers);
   * returns the chargePointIds whose row this call changed. At most one record per charger.
   */
  applyChargers(records: ChargerRegistration[]): Promise<Set<string>>;
  /** The same for id tags; `deleted` marks the row removed (kept as the version to compare with). */
  applyIdTags(records: IdTagRegistration[]): Promise<void>;
}

/** This replica's open connections. */
export interface LocalRegistryEnforcement {
  /**
   * Closes this replica's connection of the charger if the registration is newer than what the
   * connection was authenticated with and deactivates it or changes its password (1008); true if
   * it closed one. Otherwise the connection takes the new fleet.
   */
  enforceRegistration(registration: ChargerRegistration): boolean;
}

/**
 * One batch of registry records, in topic order. Every replica reads every record:
 * 1. the copy is written, each row only from a newer version (idempotent, so the replicas writing
 *    the same record concurrently, a redelivery or a replay from the topic's beginning change
 *    nothing twice and never undo a later change);
 * 2. this replica closes its own connection of a charger the record deactivates or whose password
 *    it changes (whichever replica wrote the row);
 * 3. for each charger whose row this replica changed, or whose connection it closed,
 *    `ChargerRegistryApplied` goes to `ocpp.v16.events`: the operator API answers a rotation or a
 *    deactivation once it sees it, and by then every replica's next handshake reads the new row.
 * The batch resolves once those records are acknowledged; if publishing fails the batch is
 * retried, and the announcements this process still owes are made then (the row no longer changes).
 */
export class ApplyRegistryRecords {
  /** chargePointId → version applied (or enforced) by this process and not yet announced. */
  private readonly unannounced = new Map<string, number>();

  constructor(
    private readonly deps: {
      store: RegistryCopyStore;
      local: LocalRegistryEnforcement;
      sink: Pick<OcppEventSink, 'chargerRegistryApplied'>;
      gatewayId: string;
      now?(): Date;
    },
  ) {}

  async execute(records: RegistryRecord[]): Promise<{ chargersChanged: number; announced: number }> {
    const chargers = latestPerKey(
      records.flatMap((r) => (r.type === 'ChargerRegistered' ? [r.data] : [])),
      (c) => c.chargePointId,
    );
    const idTags = latestPerKey(
      records.flatMap((r) => (r.type === 'IdTagRegistered' ? [r.data] : [])),
      (t) => `${t.fleetId}\u0000${t.idTag}`,
    );
    const [changed] = await Promise.all([
      chargers.length > 0 ? this.deps.store.applyChargers(chargers) : Promise.resolve(new Set<string>()),
      idTags.length > 0 ? this.deps.store.applyIdTags(idTags) : Promise.resolve(),
    ]);
    const announcements: Array<{ chargePointId: string; version: number; closed: boolean }> = [];
    for (const charger of chargers) {
      const closed = this.deps.local.enforceRegistration(charger);
      const owed = this.unannounced.get(charger.chargePointId) === charger.version;
      if (changed.has(charger.chargePointId) || closed || owed) {
        announcements.push({ chargePointId: charger.chargePointId, version: charger.version, closed });
        this.unannounced.set(charger.chargePointId, charger.version);
      }
    }
    const appliedAt = (this.deps.now?.() ?? new Date()).toISOString();
    await Promise.all(
      announcements.map(async (a) => {
        await this.deps.sink.chargerRegistryApplied({
          chargePointId: a.chargePointId,
          version: a.version,
          gatewayId: this.deps.gatewayId,
          appliedAt,
          closedConnection: a.closed,
        });
        if (this.unannounced.get(a.chargePointId) === a.version) this.unannounced.delete(a.chargePointId);
      }),
    );
    return { chargersChanged: changed.size, announced: announcements.length };
  }
}

/** The highest version of each key (per key the topic is in order; a replay may repeat older ones). */
function latestPerKey<T extends { version: number }>(items: T[], key: (item: T) => string): T[] {
  const latest = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const seen = latest.get(k);
    if (!seen || item.version >= seen.version) latest.set(k, item);
  }
  // A fixed order: replicas writing the same rows concurrently lock them in the same order.
  return [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}
