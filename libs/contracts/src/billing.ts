/**
 * `billing.session-charges.v1` (key sessionId) and `billing.tariffs.v1` (key tariffId, compacted),
 * producer billing-service.
 */
import type { Envelope } from './envelope';
import type { FinalAmount, TariffSnapshot } from './money';

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
  versions: { version: number; effective_from: string; tariff: TariffSnapshot }[];
  assignments: TariffAssignment[];
  publishedAt: string;
}

export const BILLING_SOURCE = 'billing-service';
export const CHARGE_CALCULATED_SCHEMA = 'billing.charge-calculated/v1';
export const TARIFF_PUBLISHED_SCHEMA = 'billing.tariff/v1';
export type ChargeCalculatedEnvelope = Envelope<ChargeCalculated, 'ChargeCalculated'>;
export type TariffPublishedEnvelope = Envelope<TariffPublished, 'TariffVersionPublished'>;
