import type { Actor, TariffAssignment } from '@app/contracts';
import { badRequest, notFound } from '../domain/errors';
import { readRef, readScope } from '../domain/tariff';
import { isUuid, readBodyObject } from '../domain/values';
import { newAuditId, type AuditTrail } from './change-context';
import type { Database, TariffStore } from './ports';

export interface AssignmentView extends TariffAssignment {
  tariff_id: string;
}

export class AssignTariff {
  constructor(
    private readonly db: Database,
    private readonly tariffs: TariffStore,
    private readonly audit: AuditTrail,
  ) {}

  /** `PUT /v1/tariff-assignments/:scope/:ref { "tariff_id" }`: assigns (or moves) a fleet, charge point or EVSE. */
  async execute(scope: string, ref: string, body: unknown, actor: Actor): Promise<AssignmentView> {
    const assignment = { scope: readScope(scope, 'scope'), ref: readRef(ref, 'ref') };
    const tariffId = readBodyObject(body).tariff_id;
    if (!isUuid(tariffId)) throw badRequest('tariff_id must be the uuid of a tariff');
    const auditId = newAuditId();
    return this.db.transaction(async (c) => {
      if (!(await this.tariffs.lockTariff(c, tariffId))) throw notFound(`tariff ${tariffId} not found`);
      const previous = await this.tariffs.assign(c, assignment, tariffId, actor);
      if (previous) await this.tariffs.publish(c, previous, actor);
      await this.tariffs.publish(c, tariffId, actor);
      await this.audit.record({
        id: auditId,
        actor: actor,
        action: 'tariff.assigned',
        target: { type: 'tariff_assignment', id: `${assignment.scope}/${assignment.ref}` },
        details: { ...assignment, tariff_id: tariffId, previous_tariff_id: previous },
      });
      return { ...assignment, tariff_id: tariffId };
    });
  }
}

export class UnassignTariff {
  constructor(
    private readonly db: Database,
    private readonly tariffs: TariffStore,
    private readonly audit: AuditTrail,
  ) {}

  /** `DELETE /v1/tariff-assignments/:scope/:ref`. */
  async execute(scope: string, ref: string, actor: Actor): Promise<void> {
    const assignment = { scope: readScope(scope, 'scope'), ref: readRef(ref, 'ref') };
    const auditId = newAuditId();
    await this.db.transaction(async (c) => {
      const previous = await this.tariffs.unassign(c, assignment);
      if (!previous) throw notFound(`no tariff is assigned to ${assignment.scope} ${assignment.ref}`);
      await this.tariffs.publish(c, previous, actor);
      await this.audit.record({
        id: auditId,
        actor: actor,
        action: 'tariff.unassigned',
        target: { type: 'tariff_assignment', id: `${assignment.scope}/${assignment.ref}` },
        details: { ...assignment, previous_tariff_id: previous },
      });
    });
  }
}

export class ListAssignments {
  constructor(
    private readonly db: Database,
    private readonly tariffs: TariffStore,
  ) {}

  async execute(): Promise<AssignmentView[]> {
    return (await this.tariffs.listAssignments(this.db.reader)).map((a) => ({
      ...a.assignment,
      tariff_id: a.tariffId,
    }));
  }
}
