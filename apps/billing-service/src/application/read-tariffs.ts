import type { TariffAssignment, TariffSnapshot } from '@app/contracts';
import { badRequest, notFound } from '../domain/errors';
import { mostSpecificAssignment, versionInForce, type Tariff } from '../domain/tariff';
import { isUuid } from '../domain/values';
import { parseQuery, query as param } from '@app/http';
import type { Database, TariffStore } from './ports';

export class GetTariff {
  constructor(
    private readonly db: Database,
    private readonly tariffs: TariffStore,
  ) {}

  async execute(id: string): Promise<Tariff> {
    const tariff = isUuid(id) ? await this.tariffs.find(this.db.reader, id) : null;
    if (!tariff) throw notFound(`tariff ${id} not found`);
    return tariff;
  }
}

/** Cursor: the id of the last tariff of the previous page (opaque to clients). */
export const LIST_TARIFFS_QUERY = {
  limit: param.int(1, 500).default(50),
  cursor: param.cursor((text) => (isUuid(text) ? text : undefined)),
};

export class ListTariffs {
  constructor(
    private readonly db: Database,
    private readonly tariffs: TariffStore,
  ) {}

  async execute(raw: Record<string, unknown>): Promise<{ tariffs: Tariff[]; next_cursor: string | null }> {
    const { limit, cursor } = parseQuery(LIST_TARIFFS_QUERY, raw);
    const tariffs = await this.tariffs.list(this.db.reader, limit, cursor);
    const next_cursor = tariffs.length === limit ? tariffs[tariffs.length - 1].id : null;
    return { tariffs, next_cursor };
  }
}

export const RESOLVE_TARIFF_QUERY = {
  fleet_id: param.string(255),
  charge_point_id: param.string(255),
  evse: param.string(255),
  at: param.instant(),
};

export interface ResolvedTariff {
  tariff: TariffSnapshot;
  effective_from: string;
  assignment: TariffAssignment;
}

export class ResolveTariff {
  constructor(
    private readonly db: Database,
    private readonly tariffs: TariffStore,
  ) {}

  /**
   * The tariff that prices a session starting at `at` at this location: the most specific
   * assignment (EVSE over CHARGE_POINT over FLEET), its version in force then.
   */
  async execute(raw: Record<string, unknown>): Promise<ResolvedTariff> {
    const query = parseQuery(RESOLVE_TARIFF_QUERY, raw);
    const at = query.at ?? new Date();
    const location = { fleetId: query.fleet_id, chargePointId: query.charge_point_id, evse: query.evse };
    const refs = [location.fleetId, location.chargePointId, location.evse].filter((r): r is string => !!r);
    if (refs.length === 0) throw badRequest('give at least one of fleet_id, charge_point_id, evse');
    const hit = mostSpecificAssignment(location, await this.tariffs.assignmentsFor(this.db.reader, refs));
    if (!hit) throw notFound(`no tariff is assigned to ${refs.join(' / ')}`, 'NO_TARIFF');
    const tariff = (await this.tariffs.find(this.db.reader, hit.tariffId))!;
    const version = versionInForce(tariff.versions, at);
    if (!version)
      throw notFound(`tariff ${tariff.id} has no version in force at ${at.toISOString()}`, 'NO_TARIFF');
    return { tariff: version.tariff, effective_from: version.effective_from, assignment: hit.assignment };
  }
}
