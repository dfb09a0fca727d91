import type { TariffAssignmentScope, TariffPublished, TariffSnapshot } from '@app/contracts';

const RANK: Record<TariffAssignmentScope, number> = { EVSE: 3, CHARGE_POINT: 2, FLEET: 1 };

export interface TariffTarget {
  fleetId: string;
  chargePointId: string;
  evse: string;
}

/**
 * The tariff in force for a session starting at `startedAt`: from the most specific assignment
 * (EVSE over CHARGE_POINT over FLEET), the version with the latest `effective_from` not after the
 * start. Ties between tariffs at the same specificity go to the latest published, then tariffId,
 * so the choice never depends on the order tariffs were read. Null when nothing applies.
 */
export function selectTariff(
  tariffs: TariffPublished[],
  target: TariffTarget,
  startedAt: string,
): TariffSnapshot | null {
  const start = Date.parse(startedAt);
  let best: { rank: number; published: number; tariffId: string; snapshot: TariffSnapshot } | null = null;
  for (const t of tariffs) {
    let rank = 0;
    for (const a of t.assignments ?? []) {
      const match =
        (a.scope === 'EVSE' && a.ref === target.evse) ||
        (a.scope === 'CHARGE_POINT' && a.ref === target.chargePointId) ||
        (a.scope === 'FLEET' && a.ref === target.fleetId);
      if (match) rank = Math.max(rank, RANK[a.scope]);
    }
    if (rank === 0) continue;
    let version: TariffPublished['versions'][number] | null = null;
    for (const v of t.versions ?? []) {
      const from = Date.parse(v.effective_from);
      if (Number.isNaN(from) || from > start) continue;
      if (
        !version ||
        from > Date.parse(version.effective_from) ||
        (from === Date.parse(version.effective_from) && v.version > version.version)
      ) {
        version = v;
      }
    }
    if (!version) continue;
    const published = Date.parse(t.publishedAt) || 0;
    const candidate = {
      rank,
      published,
      tariffId: t.tariffId,
      snapshot: { ...version.tariff, tariff_id: t.tariffId, version: version.version },
    };
    if (
      !best ||
      rank > best.rank ||
      (rank === best.rank &&
        (published > best.published || (published === best.published && t.tariffId > best.tariffId)))
    ) {
      best = candidate;
    }
  }
  return best?.snapshot ?? null;
}
