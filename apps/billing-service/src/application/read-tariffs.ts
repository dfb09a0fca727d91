import type { Pool } from 'pg';
import type { TariffAssignment, TariffSnapshot } from '@app/contracts';
import { badRequest, notFound } from '../domain/errors';
import { mostSpecificAssignment, versionInForce, type Tariff } from '../domain/tariff';
import { isUuid, readTimestamp } from '../domain/values';
import { tariffRepository } from '../infrastructure/tariff-repository';

export async function getTariff(pool: Pool, id: string): Promise<Tariff> {
  const tariff = isUuid(id) ? await tariffRepository.find(pool, id) : null;
  if (!tariff) throw notFound(`tariff ${id} not found`);
  return tariff;
}

/** Cursor: the id of the last tariff of the previous page (opaque to clients). */
export async function listTariffs(pool: Pool, query: { limit?: string; cursor?: string }): Promise<{ tariffs: Tariff[]; next_cursor: string | null }> {
  const limitText = query.limit ?? '50';
  const limit = Number.parseInt(limitText, 10);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 500) throw badRequest('limit must be an integer 1..500');
  if (query.cursor !== undefined && !isUuid(query.cursor)) throw badRequest('cursor is not one this API returned');
  const tariffs = await tariffRepository.list(pool, limit, query.cursor);
  const next_cursor = tariffs.length === limit ? tariffs[tariffs.length - 1].id : null;
  return { tariffs, next_cursor };
}

export interface ResolvedTariff {
  tariff: TariffSnapshot;
  effective_from: string;
  assignment: TariffAssignment;
}

/**
 * The tariff that prices a session starting at `at` at this location: the most specific
 * assignment (EVSE over CHARGE_POINT over FLEET), its version in force then.
 */
export async function resolveTariff(
  pool: Pool,
  query: { fleet_id?: string; charge_point_id?: string; evse?: string; at?: string },
): Promise<ResolvedTariff> {
  const at = query.at === undefined ? new Date() : readTimestamp(query.at, 'at');
  const location = { fleetId: query.fleet_id, chargePointId: query.charge_point_id, evse: query.evse };
  const refs = [location.fleetId, location.chargePointId, location.evse].filter((r): r is string => !!r);
  if (refs.length === 0) throw badRequest('give at least one of fleet_id, charge_point_id, evse');
  const hit = mostSpecificAssignment(location, await tariffRepository.assignmentsFor(pool, refs));
  if (!hit) throw notFound(`no tariff is assigned to ${refs.join(' / ')}`, 'NO_TARIFF');
  const tariff = (await tariffRepository.find(pool, hit.tariffId))!;
  const version = versionInForce(tariff.versions, at);
  if (!version) throw notFound(`tariff ${tariff.id} has no version in force at ${at.toISOString()}`, 'NO_TARIFF');
  return { tariff: version.tariff, effective_from: version.effective_from, assignment: hit.assignment };
}
