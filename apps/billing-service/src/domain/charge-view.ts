import type { ChargeRecord } from './charge';

/** A charge as the REST API shows it (snake_case like the rest of the API, money as decimal strings). */
export function toChargeView(c: ChargeRecord) {
  return {
    id: c.chargeId,
    kind: c.kind,
    session_id: c.sessionId,
    reverses_charge_id: c.reversesChargeId,
    replaces_charge_id: c.replacesChargeId,
    reason: c.reason,
    fleet_id: c.fleetId,
    charge_point_id: c.chargePointId,
    evse: c.evse,
    energy_wh: c.energyWh,
    duration_s: c.durationS,
    final_amount: c.finalAmount,
    inputs: c.inputs,
    flags: c.flags,
    signed_meter_values: c.signedMeterValues,
    calculated_at: c.calculatedAt,
    actor: c.actor ?? null,
  };
}
