import type { Pool } from 'pg';
import { inTransactionWithRetry } from '@app/event-store';
import { conflict, notFound } from '../domain/errors';
import { readTariffPrices, type Tariff } from '../domain/tariff';
import { isUuid, readBodyObject, readTimestamp } from '../domain/values';
import { tariffRepository } from '../infrastructure/tariff-repository';

/**
 * `{ "effective_from", "tariff": { prices } }`: the next version of a tariff. Versions are never
 * edited; a new one must take effect after the latest, so the history of what applied when is
 * only ever appended to.
 */
export async function addTariffVersion(pool: Pool, tariffId: string, body: unknown): Promise<Tariff> {
  if (!isUuid(tariffId)) throw notFound(`tariff ${tariffId} not found`);
  const input = readBodyObject(body);
  const effectiveFrom = readTimestamp(input.effective_from, 'effective_from');
  const prices = readTariffPrices(input.tariff);
  return inTransactionWithRetry(pool, async (c) => {
    if (!(await tariffRepository.lockTariff(c, tariffId))) throw notFound(`tariff ${tariffId} not found`);
    const latest = await tariffRepository.latestVersion(c, tariffId);
    if (latest && effectiveFrom.getTime() <= latest.effective_from.getTime()) {
      throw conflict(
        `effective_from must be after ${latest.effective_from.toISOString()}, when version ${latest.version} took effect`,
        'VERSION_NOT_AFTER_LATEST',
      );
    }
    await tariffRepository.insertVersion(c, tariffId, (latest?.version ?? 0) + 1, effectiveFrom, prices);
    await tariffRepository.publish(c, tariffId);
    return (await tariffRepository.find(c, tariffId))!;
  });
}
