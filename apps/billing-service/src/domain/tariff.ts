import type { Actor, TariffAssignment, TariffAssignmentScope, TariffSnapshot } from '@app/contracts';
import { PricingDecimal, PricingInputError, validateTariff } from '@app/pricing';
import { badRequest } from './errors';

export const ASSIGNMENT_SCOPES: readonly TariffAssignmentScope[] = ['EVSE', 'CHARGE_POINT', 'FLEET'];

export interface TariffVersion {
  version: number;
  effective_from: string;
  tariff: TariffSnapshot;
  /** Who created it; absent on versions created before actors were recorded. */
  created_by?: Actor;
}

export interface Tariff {
  id: string;
  name: string;
  created_at: string;
  versions: TariffVersion[];
  assignments: TariffAssignment[];
}

/** The price part of a tariff version, checked by the same rules the calculator applies. */
export type TariffPrices = Omit<TariffSnapshot, 'tariff_id' | 'version'>;

/**
 * Validates a tariff's prices (strings or JSON numbers) with the calculator's own validation, so
 * a tariff the API accepts can always be priced, and normalises every price to a plain decimal
 * string ("1e-7" → "0.0000001").
 */
export function readTariffPrices(input: unknown): TariffPrices {
  let snapshot: TariffSnapshot;
  try {
    snapshot = validateTariff(input, 'tariff').snapshot;
  } catch (e) {
    if (e instanceof PricingInputError) throw badRequest(e.message, 'INVALID_TARIFF');
    throw e;
  }
  // Keep what was written ("1.00" stays "1.00"); only exponent notation becomes plain digits.
  const plain = (s: string) => (/e/i.test(s) ? new PricingDecimal(s).toFixed() : s);
  return {
    kwh_price: plain(snapshot.kwh_price),
    session_price: plain(snapshot.session_price),
    time_tariffs: snapshot.time_tariffs.map((t) => ({
      starting_at_minute: t.starting_at_minute,
      minute_price: plain(t.minute_price),
    })),
    vat: plain(snapshot.vat),
    currency: snapshot.currency,
    max_charging_time: snapshot.max_charging_time,
  };
}

export function readAssignment(input: unknown, field: string): TariffAssignment {
  if (typeof input !== 'object' || input === null)
    throw badRequest(`${field} must be an object { "scope", "ref" }`);
  const { scope, ref } = input as Record<string, unknown>;
  return { scope: readScope(scope, `${field}.scope`), ref: readRef(ref, `${field}.ref`) };
}

export function readScope(value: unknown, field: string): TariffAssignmentScope {
  if (!ASSIGNMENT_SCOPES.includes(value as TariffAssignmentScope)) {
    throw badRequest(`${field} must be one of ${ASSIGNMENT_SCOPES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as TariffAssignmentScope;
}

export function readRef(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw badRequest(`${field} must be a fleet id, charge point id or EVSE id (1..255 characters)`);
  }
  return value;
}

/** Where a session charges: what an assignment can match. */
export interface ChargingLocation {
  fleetId?: string;
  chargePointId?: string;
  evse?: string;
}

export interface AssignedTariff {
  assignment: TariffAssignment;
  tariffId: string;
}

/** The most specific assignment for a location: EVSE over CHARGE_POINT over FLEET. */
export function mostSpecificAssignment(
  location: ChargingLocation,
  assigned: AssignedTariff[],
): AssignedTariff | undefined {
  const wanted: Record<TariffAssignmentScope, string | undefined> = {
    EVSE: location.evse,
    CHARGE_POINT: location.chargePointId,
    FLEET: location.fleetId,
  };
  for (const scope of ASSIGNMENT_SCOPES) {
    const ref = wanted[scope];
    if (ref === undefined) continue;
    const hit = assigned.find((a) => a.assignment.scope === scope && a.assignment.ref === ref);
    if (hit) return hit;
  }
  return undefined;
}

/** The version in force at `at`: the latest whose effective_from is not after it. */
export function versionInForce(versions: TariffVersion[], at: Date): TariffVersion | undefined {
  let best: TariffVersion | undefined;
  for (const v of versions) {
    const from = new Date(v.effective_from).getTime();
    if (from <= at.getTime() && (!best || from > new Date(best.effective_from).getTime())) best = v;
  }
  return best;
}
