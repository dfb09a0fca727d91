import { randomUUID } from 'node:crypto';
import {
  chargerRegistryKey,
  idTagRegistryKey,
  type Actor,
  type ChargerRegistration,
  type IdTagRegistration,
} from '@app/contracts';
import { hashChargerPassword } from '@app/ocpp/charger-password';
import {
  generateChargerPassword,
  mergeEvseIds,
  type PasswordChoice,
  type RegisterChargerCommand,
  type SetIdTagCommand,
  type UpdateChargerCommand,
} from './charger-registry-input';
import {
  RegistryError,
  type ChargerRegistryRepository,
  type RegistryAudit,
  type RegistryAuditEntry,
  type RegistryCharger,
  type RegistryIdTag,
} from './charger-registry-ports';
import type { RegistryStatusOutbox, StatusBefore } from './charger-registry-status';
import type { TransactionRunner, Tx } from './ports';

export const DEFAULT_REGISTRY_APPLY_WAIT_SECONDS = 10;

/**
 * The change is stored (and published), but no gateway replica said it applied it in time: until
 * one does, a replica may still accept the old password / the deactivated charger. 504, with the
 * version to look for and, for a generated password, that password (it is stored: this is the
 * only time it can be shown).
 */
export class RegistryNotAppliedError extends RegistryError {
  constructor(
    readonly chargePointId: string,
    readonly version: number,
    waitSeconds: number,
    what: string,
    readonly password: string | null,
  ) {
    super(
      504,
      'REGISTRY_NOT_APPLIED',
      `${what} of charger ${chargePointId} is stored (version ${version}), but no gateway applied it within ${waitSeconds} s; it applies when the gateway catches up (until then the gateway may still accept the charger as before)`,
    );
  }
}

export interface ChargerRegistryOptions {
  /** Rotation and deactivation answer within this many seconds (REGISTRY_APPLY_WAIT_SECONDS). */
  applyWaitSeconds: number;
  /** How often the wait reads `applied_version` (default 100 ms). */
  pollMs?: number;
  /** Called after a change committed: wakes the registry relay. */
  published(): void;
  /**
   * Appends the charger's new picture (chargers.status.v1) in the change's transaction when a
   * register, PATCH or deactivation changed it; `statusPublished` then wakes the status relay.
   */
  status?: RegistryStatusOutbox;
  statusPublished?(): void;
  hash?(password: string): Promise<string>;
  generatePassword?(): string;
  now?(): Date;
}

export interface RegisteredCharger {
  charger: RegistryCharger;
  /** The generated password, shown this once; null when the caller gave it. */
  password: string | null;
}

export interface RotatedPassword extends RegisteredCharger {
  applied: true;
}

/** `<kind>:<id>` of the actor, as registry rows and records store it (`updatedBy`). */
export const actorRef = (actor: Actor): string => `${actor.kind}:${actor.id}`;

export function chargerRecord(c: RegistryCharger): ChargerRegistration {
  return {
    chargePointId: c.chargePointId,
    fleetId: c.fleetId,
    passwordHash: c.passwordHash,
    evseIds: c.evseIds,
    active: c.active,
    version: c.version,
    updatedAt: c.updatedAt,
    updatedBy: c.updatedBy,
  };
}

export function idTagRecord(t: RegistryIdTag, deleted: boolean): IdTagRegistration {
  return {
    fleetId: t.fleetId,
    idTag: t.idTag,
    status: t.status,
    expiryDate: t.expiryDate,
    parentIdTag: t.parentIdTag,
    deleted,
    version: t.version,
    updatedAt: t.updatedAt,
    updatedBy: t.updatedBy,
  };
}

/** What audit details say about EVSE ids: connector → EVSE id (operator data, no personal data). */
const evseDetails = (evseIds: Record<string, string>) => ({ evse_ids: evseIds });

/**
 * The charger registry (issue 12): session-service owns `charger_registry` and `registry_id_tags`;
 * every change gets the next registry version, is stored with its record in the event store's
 * outbox in one transaction (published on `chargers.registry.v1` by the registry relay), and is
 * audited before it commits. Passwords are hashed here and never returned or logged, but a
 * generated one once, in the answer that made it.
 *
 * A password rotation or a deactivation answers only once a gateway replica applied its version to
 * the gateway database that every replica reads at each handshake (`applied_version`, from
 * ChargerRegistryApplied): from then on the old password, or the charger, is refused everywhere.
 */
export class ManageChargerRegistry {
  private readonly pollMs: number;
  private readonly hash: (password: string) => Promise<string>;
  private readonly generate: () => string;
  private readonly now: () => Date;

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly store: ChargerRegistryRepository,
    private readonly options: ChargerRegistryOptions,
  ) {
    this.pollMs = options.pollMs ?? 100;
    this.hash = options.hash ?? hashChargerPassword;
    this.generate = options.generatePassword ?? generateChargerPassword;
    this.now = options.now ?? (() => new Date());
  }

  async register(
    cmd: RegisterChargerCommand,
    actor: Actor,
    audit: RegistryAudit,
  ): Promise<RegisteredCharger> {
    const { password, generated } = this.choose(cmd.password);
    const passwordHash = await this.hash(password);
    const evseIds = mergeEvseIds({}, cmd.connectors);
    const eventId = randomUUID();
    const auditId = randomUUID();
    const { charger, statusChanged } = await this.transactions.run(async (tx) => {
      await this.store.lockKey(tx, chargerRegistryKey(cmd.id));
      const status = await this.options.status?.before(tx, cmd.id);
      const version = await this.store.nextVersion(tx);
      const at = this.now().toISOString();
      const row: RegistryCharger = {
        chargePointId: cmd.id,
        fleetId: cmd.fleetId,
        passwordHash,
        evseIds,
        active: true,
        version,
        appliedVersion: 0,
        createdAt: at,
        updatedAt: at,
        updatedBy: actorRef(actor),
        deactivatedAt: null,
      };
      if (!(await this.store.insertCharger(tx, row)))
        throw new RegistryError(409, 'CHARGER_EXISTS', `charger ${cmd.id} is already registered`);
      await this.checkEvseIdsFree(tx, row);
      const statusChanged = await this.writeChargerChange(tx, row, {
        eventId,
        status,
        projection: true,
        audit,
        entry: {
          id: auditId,
          actor,
          action: 'charger.registered',
          details: { fleet: row.fleetId, version, password_generated: generated, ...evseDetails(evseIds) },
        },
      });
      return { charger: row, statusChanged };
    });
    this.options.published();
    if (statusChanged) this.options.statusPublished?.();
    return { charger, password: generated ? password : null };
  }

  async update(
    chargePointId: string,
    cmd: UpdateChargerCommand,
    actor: Actor,
    audit: RegistryAudit,
  ): Promise<RegistryCharger> {
    const eventId = randomUUID();
    const auditId = randomUUID();
    const { charger, statusChanged } = await this.transactions.run(async (tx) => {
      const current = await this.lockActive(tx, chargePointId);
      const status = await this.options.status?.before(tx, chargePointId);
      const evseIds = cmd.connectors ? mergeEvseIds(current.evseIds, cmd.connectors) : current.evseIds;
      const version = await this.store.nextVersion(tx);
      const row: RegistryCharger = {
        ...current,
        fleetId: cmd.fleetId ?? current.fleetId,
        evseIds,
        version,
        updatedAt: this.now().toISOString(),
        updatedBy: actorRef(actor),
      };
      if (row.fleetId !== current.fleetId || cmd.connectors) await this.checkEvseIdsFree(tx, row);
      await this.store.updateCharger(tx, row);
      const statusChanged = await this.writeChargerChange(tx, row, {
        eventId,
        status,
        projection: true,
        audit,
        entry: {
          id: auditId,
          actor,
          action: 'charger.updated',
          details: {
            fleet: row.fleetId,
            ...(row.fleetId !== current.fleetId ? { previous_fleet: current.fleetId } : {}),
            version,
            ...evseDetails(evseIds),
          },
        },
      });
      return { charger: row, statusChanged };
    });
    this.options.published();
    if (statusChanged) this.options.statusPublished?.();
    return charger;
  }

  /** Sets a new password; answers once a gateway applied it (else RegistryNotAppliedError). */
  async rotatePassword(
    chargePointId: string,
    choice: PasswordChoice,
    actor: Actor,
    audit: RegistryAudit,
  ): Promise<RotatedPassword> {
    const { password, generated } = this.choose(choice);
    const passwordHash = await this.hash(password);
    const eventId = randomUUID();
    const auditId = randomUUID();
    const charger = await this.transactions.run(async (tx) => {
      const current = await this.lockActive(tx, chargePointId);
      const version = await this.store.nextVersion(tx);
      const row: RegistryCharger = {
        ...current,
        passwordHash,
        version,
        updatedAt: this.now().toISOString(),
        updatedBy: actorRef(actor),
      };
      await this.store.updateCharger(tx, row);
      // A new password is no part of the picture: no status read, none appended.
      await this.writeChargerChange(tx, row, {
        eventId,
        status: undefined,
        projection: false,
        audit,
        entry: {
          id: auditId,
          actor,
          action: 'charger.password_rotated',
          details: { fleet: row.fleetId, version, password_generated: generated },
        },
      });
      return row;
    });
    this.options.published();
    const shown = generated ? password : null;
    const applied = await this.waitApplied(chargePointId, charger.version);
    if (applied === null)
      throw new RegistryNotAppliedError(
        chargePointId,
        charger.version,
        this.options.applyWaitSeconds,
        'the new password',
        shown,
      );
    return { charger: { ...charger, appliedVersion: applied }, password: shown, applied: true };
  }

  /**
   * Deactivates the charger (its connection is closed, its handshakes refused); the row and its
   * history stay. Deactivating it again changes nothing and answers the same, once applied.
   */
  async deactivate(chargePointId: string, actor: Actor, audit: RegistryAudit): Promise<RegistryCharger> {
    const eventId = randomUUID();
    const auditId = randomUUID();
    const { charger, changed, statusChanged } = await this.transactions.run(async (tx) => {
      await this.store.lockKey(tx, chargerRegistryKey(chargePointId));
      const current = await this.store.lockCharger(tx, chargePointId);
      if (!current) throw notFound(chargePointId);
      if (!current.active) return { charger: current, changed: false, statusChanged: false };
      const status = await this.options.status?.before(tx, chargePointId);
      const version = await this.store.nextVersion(tx);
      const at = this.now().toISOString();
      const row: RegistryCharger = {
        ...current,
        active: false,
        version,
        updatedAt: at,
        updatedBy: actorRef(actor),
        deactivatedAt: at,
      };
      await this.store.updateCharger(tx, row);
      // Fleet and EVSE ids stay: the projection has them already.
      const statusChanged = await this.writeChargerChange(tx, row, {
        eventId,
        status,
        projection: false,
        audit,
        entry: {
          id: auditId,
          actor,
          action: 'charger.deactivated',
          details: { fleet: row.fleetId, version },
        },
      });
      return { charger: row, changed: true, statusChanged };
    });
    if (changed) this.options.published();
    if (statusChanged) this.options.statusPublished?.();
    const applied = await this.waitApplied(chargePointId, charger.version);
    if (applied === null)
      throw new RegistryNotAppliedError(
        chargePointId,
        charger.version,
        this.options.applyWaitSeconds,
        'the deactivation',
        null,
      );
    return { ...charger, appliedVersion: applied };
  }

  /** The registry row (without applying any fleet scope: callers scope). */
  async find(chargePointId: string): Promise<RegistryCharger | null> {
    return this.store.findCharger(chargePointId);
  }

  /** Creates or replaces a fleet's id tag; `created` when it was new. */
  async setIdTag(
    cmd: SetIdTagCommand,
    actor: Actor,
    audit: RegistryAudit,
  ): Promise<{ tag: RegistryIdTag; created: boolean }> {
    const eventId = randomUUID();
    const auditId = randomUUID();
    const result = await this.transactions.run(async (tx) => {
      await this.store.lockKey(tx, idTagRegistryKey(cmd.fleetId, cmd.idTag));
      const version = await this.store.nextVersion(tx);
      const tag: RegistryIdTag = {
        fleetId: cmd.fleetId,
        idTag: cmd.idTag,
        status: cmd.status,
        expiryDate: cmd.expiryDate,
        parentIdTag: cmd.parentIdTag,
        version,
        updatedAt: this.now().toISOString(),
        updatedBy: actorRef(actor),
      };
      const created = await this.store.upsertIdTag(tx, tag);
      await this.store.outbox(
        tx,
        { eventId, type: 'IdTagRegistered', data: idTagRecord(tag, false) },
        tag.fleetId,
      );
      await audit({
        id: auditId,
        actor,
        action: 'id_tag.set',
        target: idTagTarget(tag),
        details: {
          fleet: tag.fleetId,
          version,
          created,
          status: tag.status,
          expiry_date: tag.expiryDate,
          has_parent: tag.parentIdTag !== null,
        },
      });
      return { tag, created };
    });
    this.options.published();
    return result;
  }

  /** Removes the tag (published with `deleted: true` and a new version); returns it as it was. */
  async deleteIdTag(
    fleetId: string,
    idTag: string,
    actor: Actor,
    audit: RegistryAudit,
  ): Promise<RegistryIdTag> {
    const eventId = randomUUID();
    const auditId = randomUUID();
    const removed = await this.transactions.run(async (tx) => {
      await this.store.lockKey(tx, idTagRegistryKey(fleetId, idTag));
      const current = await this.store.lockIdTag(tx, fleetId, idTag);
      if (!current) throw idTagNotFound();
      const version = await this.store.nextVersion(tx);
      const tag: RegistryIdTag = {
        ...current,
        version,
        updatedAt: this.now().toISOString(),
        updatedBy: actorRef(actor),
      };
      await this.store.deleteIdTag(tx, fleetId, idTag);
      await this.store.outbox(
        tx,
        { eventId, type: 'IdTagRegistered', data: idTagRecord(tag, true) },
        fleetId,
      );
      await audit({
        id: auditId,
        actor,
        action: 'id_tag.deleted',
        target: idTagTarget(tag),
        details: { fleet: fleetId, version },
      });
      return tag;
    });
    this.options.published();
    return removed;
  }

  async getIdTag(fleetId: string, idTag: string): Promise<RegistryIdTag> {
    const tag = await this.store.findIdTag(fleetId, idTag);
    if (!tag) throw idTagNotFound();
    return tag;
  }

  /** One page in (fleet, id tag) order; `fleetId` null: every fleet (operators). */
  async listIdTags(
    fleetId: string | null,
    page: { after?: { fleetId: string; idTag: string }; limit: number },
  ): Promise<{ tags: RegistryIdTag[]; next: { fleetId: string; idTag: string } | null }> {
    const rows = await this.store.listIdTags(fleetId, { after: page.after, limit: page.limit + 1 });
    const tags = rows.slice(0, page.limit);
    const last = tags[tags.length - 1];
    return {
      tags,
      next: rows.length > page.limit && last ? { fleetId: last.fleetId, idTag: last.idTag } : null,
    };
  }

  private choose(choice: PasswordChoice): { password: string; generated: boolean } {
    return choice.kind === 'generate'
      ? { password: this.generate(), generated: true }
      : { password: choice.password, generated: false };
  }

  private async lockActive(tx: Tx, id: string): Promise<RegistryCharger> {
    await this.store.lockKey(tx, chargerRegistryKey(id));
    const current = await this.store.lockCharger(tx, id);
    if (!current) throw notFound(id);
    if (!current.active)
      throw new RegistryError(
        409,
        'CHARGER_DEACTIVATED',
        `charger ${id} is deactivated; its registry entry is kept`,
      );
    return current;
  }

  /**
   * What every charger change writes after its registry row, in its transaction: the fleet and
   * EVSE ids on the chargers projection (`projection`: when they may have changed), the registry
   * record in the outbox, and the charger's new picture when its published part changed since
   * `status` (read by `status.before`; undefined: none), then its audit entry (target: the
   * charger), last before the commit. True when a picture was appended (wake the status relay
   * after the commit).
   */
  private async writeChargerChange(
    tx: Tx,
    row: RegistryCharger,
    change: {
      eventId: string;
      status: StatusBefore | undefined;
      projection: boolean;
      audit: RegistryAudit;
      entry: Omit<RegistryAuditEntry, 'target'>;
    },
  ): Promise<boolean> {
    const { eventId, status, projection, audit, entry } = change;
    if (projection) await this.store.syncProjection(tx, row.chargePointId, row.fleetId, row.evseIds);
    await this.store.outbox(
      tx,
      { eventId, type: 'ChargerRegistered', data: chargerRecord(row) },
      row.fleetId,
    );
    const statusChanged = (await this.options.status?.after(tx, status, eventId)) ?? false;
    await audit({ ...entry, target: { type: 'charger', id: row.chargePointId } });
    return statusChanged;
  }

  /** 409 EVSE_ID_TAKEN when another active charger of the fleet has one of these EVSE ids. */
  private async checkEvseIdsFree(tx: Tx, charger: RegistryCharger): Promise<void> {
    const evses = Object.values(charger.evseIds);
    if (evses.length === 0) return;
    await this.store.lockKey(tx, `evse/${charger.fleetId}`);
    const owner = await this.store.findEvseOwner(tx, charger.fleetId, evses, charger.chargePointId);
    if (owner)
      throw new RegistryError(
        409,
        'EVSE_ID_TAKEN',
        `EVSE id ${owner.evseId} is already charger ${owner.chargePointId}'s in fleet ${charger.fleetId}`,
      );
  }

  /** Polls `applied_version` until it reaches `version`; the applied version, or null at the deadline. */
  private async waitApplied(chargePointId: string, version: number): Promise<number | null> {
    const until = Date.now() + this.options.applyWaitSeconds * 1000;
    for (;;) {
      const applied = await this.store.appliedVersion(chargePointId);
      if (applied !== null && applied >= version) return applied;
      const left = until - Date.now();
      if (left <= 0) return null;
      await new Promise((r) => setTimeout(r, Math.min(this.pollMs, left)));
    }
  }
}

const notFound = (id: string) =>
  new RegistryError(404, 'CHARGER_NOT_FOUND', `charger ${id} is not registered`);
const idTagNotFound = () => new RegistryError(404, 'ID_TAG_NOT_FOUND', 'no such id tag in this fleet');

/** An id tag is personal data: the audit log names its fleet and registry version, never the tag. */
const idTagTarget = (t: RegistryIdTag) => ({ type: 'id_tag' as const, id: `${t.fleetId}/v${t.version}` });
