/**
 * `billing.session-charges.v1` (key sessionId) and `billing.tariffs.v1` (key tariffId, compacted),
 * producer billing-service.
 */
import type { Envelope } from './envelope';
import type { FinalAmount, TariffSnapshot } from './money';

/**
 * Who made a change, as events carry it (GoBD: who booked a reversal): an API key's id, a
 * token's subject, the operating-system user of a CLI run, or the service itself.
 */
export interface Actor {
  kind: 'api_key' | 'jwt' | 'system' | 'cli';
  id: string;
}

/** type `ChargeCalculated`, schema `billing.charge-calculated/v1`. A charge is never changed. */
export interface ChargeCalculated {
  chargeId: string;
  sessionId: string;
  fleetId: string;
  chargePointId: string;
  evse: string;
  /** CHARGE: a session's bill; REVERSAL: cancels `reversesChargeId` (amounts negated). */
  kind: 'CHARGE' | 'REVERSAL';
  reversesChargeId?: string;
  /** A CHARGE that corrects an earlier one (booked after the REVERSAL of `replacesChargeId`). */
  replacesChargeId?: string;
  /** For a correction: why (GoBD requires it). */
  reason?: string;
  /** Who booked a correction (its REVERSAL and replacing CHARGE); absent on a session's original charge. */
  actor?: Actor;
  finalAmount: FinalAmount;
  /** Every input the amount was computed from. */
  inputs: {
    tariff: TariffSnapshot;
    meter_start: number;
    meter_stop: number;
    started_at: string;
    completed_at: string;
  };
  energyWh: number;
  /** Billed seconds (capped at max_charging_time). */
  durationS: number;
  flags: string[];
  calculatedAt: string;
}

export type TariffAssignmentScope = 'FLEET' | 'CHARGE_POINT' | 'EVSE';
export interface TariffAssignment {
  scope: TariffAssignmentScope;
  /** fleetId, chargePointId or EVSE id. */
  ref: string;
}

/**
 * type `TariffVersionPublished`, schema `billing.tariff/v1`: the current versions of a tariff and
 * where it applies. A session takes the version whose `effective_from` is the latest not after its
 * start, from the most specific assignment (EVSE over CHARGE_POINT over FLEET).
 */
export interface TariffPublished {
  tariffId: string;
  name: string;
  /** `created_by` is absent on versions created before actors were recorded. */
  versions: { version: number; effective_from: string; tariff: TariffSnapshot; created_by?: Actor }[];
  assignments: TariffAssignment[];
  /** Who made the change this record publishes (absent on records from before actors were recorded). */
  publishedBy?: Actor;
  publishedAt: string;
}

export const BILLING_SOURCE = 'billing-service';
export const CHARGE_CALCULATED_SCHEMA = 'billing.charge-calculated/v1';
export const TARIFF_PUBLISHED_SCHEMA = 'billing.tariff/v1';
export type ChargeCalculatedEnvelope = Envelope<ChargeCalculated, 'ChargeCalculated'>;
export type TariffPublishedEnvelope = Envelope<TariffPublished, 'TariffVersionPublished'>;
