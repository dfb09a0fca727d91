import type { Actor } from '@app/contracts';
import { conflict, notFound } from '../domain/errors';
import { readTariffPrices, type Tariff } from '../domain/tariff';
import { isUuid, readBodyObject, readTimestamp } from '../domain/values';
import { newAuditId, type AuditTrail } from './change-context';
import type { Database, TariffStore } from './ports';

export class AddTariffVersion {
  constructor(
    private readonly db: Database,
    private readonly tariffs: TariffStore,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * `{ "effective_from", "tariff": { prices } }`: the next version of a tariff. Versions are never
   * edited; a new one must take effect after the latest, so the history of what applied when is
   * only ever appended to. The version names who created it (row, published record, audit log).
   */
  async execute(tariffId: string, body: unknown, actor: Actor): Promise<Tariff> {
    if (!isUuid(tariffId)) throw notFound(`tariff ${tariffId} not found`);
    const input = readBodyObject(body);
    const effectiveFrom = readTimestamp(input.effective_from, 'effective_from');
    const prices = readTariffPrices(input.tariff);
    const auditId = newAuditId();
    return this.db.transaction(async (c) => {
      if (!(await this.tariffs.lockTariff(c, tariffId))) throw notFound(`tariff ${tariffId} not found`);
      const latest = await this.tariffs.latestVersion(c, tariffId);
      if (latest && effectiveFrom.getTime() <= latest.effective_from.getTime()) {
        throw conflict(
          `effective_from must be after ${latest.effective_from.toISOString()}, when version ${latest.version} took effect`,
          'VERSION_NOT_AFTER_LATEST',
        );
      }
      const version = (latest?.version ?? 0) + 1;
      await this.tariffs.insertVersion(c, tariffId, version, effectiveFrom, prices, actor);
      await this.tariffs.publish(c, tariffId, actor);
      await this.audit.record({
        id: auditId,
        actor: actor,
        action: 'tariff.versioned',
        target: { type: 'tariff', id: tariffId },
        details: { version, effective_from: effectiveFrom.toISOString(), prices },
      });
      return (await this.tariffs.find(c, tariffId))!;
    });
  }
}
