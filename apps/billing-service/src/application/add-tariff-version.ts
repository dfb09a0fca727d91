import type { Pool } from 'pg';
import { inTransactionWithRetry } from '@app/event-store';
import { conflict, notFound } from '../domain/errors';
import { readTariffPrices, type Tariff } from '../domain/tariff';
import { isUuid, readBodyObject, readTimestamp } from '../domain/values';
import { tariffRepository } from '../infrastructure/tariff-repository';
import { newAuditId, type ChangeContext } from './change-context';

/**
 * `{ "effective_from", "tariff": { prices } }`: the next version of a tariff. Versions are never
 * edited; a new one must take effect after the latest, so the history of what applied when is
 * only ever appended to. The version names who created it (row, published record, audit log).
 */
export async function addTariffVersion(
  pool: Pool,
  tariffId: string,
  body: unknown,
  change: ChangeContext,
): Promise<Tariff> {
  if (!isUuid(tariffId)) throw notFound(`tariff ${tariffId} not found`);
  const input = readBodyObject(body);
  const effectiveFrom = readTimestamp(input.effective_from, 'effective_from');
  const prices = readTariffPrices(input.tariff);
  const auditId = newAuditId();
  return inTransactionWithRetry(pool, async (c) => {
    if (!(await tariffRepository.lockTariff(c, tariffId))) throw notFound(`tariff ${tariffId} not found`);
    const latest = await tariffRepository.latestVersion(c, tariffId);
    if (latest && effectiveFrom.getTime() <= latest.effective_from.getTime()) {
      throw conflict(
        `effective_from must be after ${latest.effective_from.toISOString()}, when version ${latest.version} took effect`,
        'VERSION_NOT_AFTER_LATEST',
      );
    }
    const version = (latest?.version ?? 0) + 1;
    await tariffRepository.insertVersion(c, tariffId, version, effectiveFrom, prices, change.actor);
    await tariffRepository.publish(c, tariffId, change.actor);
    await change.audit.record({
      id: auditId,
      actor: change.actor,
      action: 'tariff.versioned',
      target: { type: 'tariff', id: tariffId },
      details: { version, effective_from: effectiveFrom.toISOString(), prices },
    });
    return (await tariffRepository.find(c, tariffId))!;
  });
}
