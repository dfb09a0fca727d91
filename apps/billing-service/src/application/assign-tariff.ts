import type { Pool } from 'pg';
import type { TariffAssignment } from '@app/contracts';
import { inTransactionWithRetry } from '@app/event-store';
import { badRequest, notFound } from '../domain/errors';
import { readRef, readScope } from '../domain/tariff';
import { isUuid, readBodyObject } from '../domain/values';
import { tariffRepository } from '../infrastructure/tariff-repository';
import { newAuditId, type ChangeContext } from './change-context';

export interface AssignmentView extends TariffAssignment {
  tariff_id: string;
}

/** `PUT /v1/tariff-assignments/:scope/:ref { "tariff_id" }`: assigns (or moves) a fleet, charge point or EVSE. */
export async function assignTariff(
  pool: Pool,
  scope: string,
  ref: string,
  body: unknown,
  change: ChangeContext,
): Promise<AssignmentView> {
  const assignment = { scope: readScope(scope, 'scope'), ref: readRef(ref, 'ref') };
  const tariffId = readBodyObject(body).tariff_id;
  if (!isUuid(tariffId)) throw badRequest('tariff_id must be the uuid of a tariff');
  const auditId = newAuditId();
  return inTransactionWithRetry(pool, async (c) => {
    if (!(await tariffRepository.lockTariff(c, tariffId))) throw notFound(`tariff ${tariffId} not found`);
    const previous = await tariffRepository.assign(c, assignment, tariffId, change.actor);
    if (previous) await tariffRepository.publish(c, previous, change.actor);
    await tariffRepository.publish(c, tariffId, change.actor);
    await change.audit.record({
      id: auditId,
      actor: change.actor,
      action: 'tariff.assigned',
      target: { type: 'tariff_assignment', id: `${assignment.scope}/${assignment.ref}` },
      details: { ...assignment, tariff_id: tariffId, previous_tariff_id: previous },
    });
    return { ...assignment, tariff_id: tariffId };
  });
}

/** `DELETE /v1/tariff-assignments/:scope/:ref`. */
export async function unassignTariff(
  pool: Pool,
  scope: string,
  ref: string,
  change: ChangeContext,
): Promise<void> {
  const assignment = { scope: readScope(scope, 'scope'), ref: readRef(ref, 'ref') };
  const auditId = newAuditId();
  await inTransactionWithRetry(pool, async (c) => {
    const previous = await tariffRepository.unassign(c, assignment);
    if (!previous) throw notFound(`no tariff is assigned to ${assignment.scope} ${assignment.ref}`);
    await tariffRepository.publish(c, previous, change.actor);
    await change.audit.record({
      id: auditId,
      actor: change.actor,
      action: 'tariff.unassigned',
      target: { type: 'tariff_assignment', id: `${assignment.scope}/${assignment.ref}` },
      details: { ...assignment, previous_tariff_id: previous },
    });
  });
}

export async function listAssignments(pool: Pool): Promise<AssignmentView[]> {
  return (await tariffRepository.listAssignments(pool)).map((a) => ({
    ...a.assignment,
    tariff_id: a.tariffId,
  }));
}
