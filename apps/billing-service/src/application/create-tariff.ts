import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { inTransactionWithRetry } from '@app/event-store';
import { badRequest } from '../domain/errors';
import { readAssignment, readTariffPrices, type Tariff } from '../domain/tariff';
import { readBodyObject, readText, readTimestamp } from '../domain/values';
import { tariffRepository } from '../infrastructure/tariff-repository';
import { newAuditId, type ChangeContext } from './change-context';

/**
 * `{ "name", "effective_from"?, "tariff": { prices }, "assignments"?: [{ "scope", "ref" }] }`:
 * a tariff with its version 1 (effective now unless said otherwise), published in the same transaction,
 * with who created it on the version, in the published record and in the audit log.
 */
export async function createTariff(pool: Pool, body: unknown, change: ChangeContext): Promise<Tariff> {
  const input = readBodyObject(body);
  const name = readText(input.name, 'name');
  const effectiveFrom =
    input.effective_from === undefined ? new Date() : readTimestamp(input.effective_from, 'effective_from');
  const prices = readTariffPrices(input.tariff);
  if (input.assignments !== undefined && !Array.isArray(input.assignments))
    throw badRequest('assignments must be an array');
  const assignments = ((input.assignments as unknown[]) ?? []).map((a, i) =>
    readAssignment(a, `assignments[${i}]`),
  );

  const id = randomUUID();
  const auditId = newAuditId();
  const { actor } = change;
  return inTransactionWithRetry(pool, async (c) => {
    await tariffRepository.insertTariff(c, id, name);
    await tariffRepository.insertVersion(c, id, 1, effectiveFrom, prices, actor);
    const moved = new Set<string>();
    for (const a of assignments) {
      const previous = await tariffRepository.assign(c, a, id, actor);
      if (previous) moved.add(previous);
    }
    // A tariff that lost an assignment to this one is republished too, so the topic stays true.
    for (const other of moved) await tariffRepository.publish(c, other, actor);
    await tariffRepository.publish(c, id, actor);
    await change.audit.record({
      id: auditId,
      actor,
      action: 'tariff.created',
      target: { type: 'tariff', id },
      details: {
        name,
        version: 1,
        effective_from: effectiveFrom.toISOString(),
        prices,
        assignments,
        moved_from: [...moved],
      },
    });
    return (await tariffRepository.find(c, id))!;
  });
}
