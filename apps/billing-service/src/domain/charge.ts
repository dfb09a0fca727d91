import {
  isUuid,
  nameUuidSha256,
  type Actor,
  type ChargeCalculated,
  type FinalAmount,
  type SessionCompleted,
  type TariffSnapshot,
} from '@app/contracts';
import {
  parseInstant,
  parseQuoteRequest,
  priceSession,
  PricingDecimal,
  PricingInputError,
  validateTariff,
  type ValidatedTariff,
} from '@app/pricing';

export type ChargeKind = 'CHARGE' | 'REVERSAL';

/** The exact request the calculator priced (what `npm run -s quote` takes on stdin). */
export interface PricingInputs {
  tariff: TariffSnapshot;
  meter_start: number;
  meter_stop: number;
  started_at: string;
  completed_at: string;
}

/** A stored charge: the bill of one session, or the reversal of one, with everything it came from. */
export interface ChargeRecord {
  chargeId: string;
  kind: ChargeKind;
  sessionId: string;
  reversesChargeId: string | null;
  replacesChargeId: string | null;
  reason: string | null;
  sourceEventId: string | null;
  fleetId: string;
  chargePointId: string;
  connectorId: number | null;
  evse: string;
  transactionId: number | null;
  authType: string | null;
  idTag: string | null;
  userReference: string | null;
  stopReason: string | null;
  inputs: PricingInputs;
  energyWh: number;
  durationS: number;
  finalAmount: FinalAmount;
  vatRate: string;
  flags: string[];
  signedMeterValues: string[];
  calculatedAt: string;
  /** Who booked it: set on corrections (reversal and replacement), absent on a session's original charge. */
  actor?: Actor;
}

export type AnomalyKind =
  'SESSION_INVALIDATED' | 'PRICING_INVALID' | 'MISSING_TARIFF' | 'INVALID_TARIFF' | 'MALFORMED_EVENT';

export interface Anomaly {
  kind: AnomalyKind;
  reason: string;
}

/**
 * The id of a session's original charge: the same however often SessionCompleted is redelivered,
 * and by every billing version. It is stored and published (ChargeCalculated), and session-service
 * records charges by id, so a session billed again after a restore must get the id it had: these
 * ids stay on the SHA-256 variant of the name uuid (`nameUuidSha256`) for good. The unique index
 * `charges_one_bill_per_session` is what bills a session once; the stable id keeps it once downstream.
 */
export const chargeIdForSession = (sessionId: string) => nameUuidSha256(`billing.charge|${sessionId}`);

/** RFC 3339 in UTC with every fractional digit kept: the same instant, in the form the contracts' schema accepts. */
export function rfc3339Utc(value: string): string {
  const i = parseInstant(value, 'timestamp');
  const base = new Date(i.epochSeconds * 1000).toISOString().slice(0, 19);
  return i.fraction ? `${base}.${i.fraction}Z` : `${base}Z`;
}

// The calculator accepts integer strings for Wh too; the charge keeps numbers.
const integer = (x: number | string) => (typeof x === 'string' ? Number.parseInt(x, 10) : x);
const plainDecimal = (s: string) => (/e/i.test(s) ? new PricingDecimal(s).toFixed() : s);

/**
 * Inputs the calculator accepted, in canonical form: prices as plain decimal strings (a JSON
 * number 0.88 becomes "0.88"), timestamps as RFC 3339 UTC. Same values, so the same price; this is
 * what the charge stores and ChargeCalculated carries. `validated`: the tariff as the calculator
 * already validated it (pricing passes it, so a tariff is validated once per charge).
 */
export function canonicalInputs(
  inputs: PricingInputs,
  validated: ValidatedTariff = validateTariff(inputs.tariff),
): PricingInputs {
  const t = validated.snapshot;
  const tariff: TariffSnapshot = {
    ...(t.tariff_id !== undefined ? { tariff_id: t.tariff_id } : {}),
    ...(t.version !== undefined ? { version: t.version } : {}),
    kwh_price: plainDecimal(t.kwh_price),
    session_price: plainDecimal(t.session_price),
    time_tariffs: t.time_tariffs.map((x) => ({
      starting_at_minute: x.starting_at_minute,
      minute_price: plainDecimal(x.minute_price),
    })),
    vat: plainDecimal(t.vat),
    currency: t.currency,
    max_charging_time: t.max_charging_time,
  };
  return {
    tariff,
    meter_start: integer(inputs.meter_start),
    meter_stop: integer(inputs.meter_stop),
    started_at: rfc3339Utc(inputs.started_at),
    completed_at: rfc3339Utc(inputs.completed_at),
  };
}

type Priced = {
  ok: true;
  energyWh: number;
  durationS: number;
  elapsedS: number;
  finalAmount: FinalAmount;
  vatRate: string;
  inputs: PricingInputs;
};
type NotPriced = { ok: false; anomaly: Anomaly };

/** Prices inputs with the calculator `npm run -s quote` uses; what cannot be billed is an anomaly. */
export function priceInputs(inputs: PricingInputs): Priced | NotPriced {
  try {
    // Validated once: the same tariff prices the session and becomes the charge's canonical inputs.
    const request = parseQuoteRequest(inputs);
    const result = priceSession(request.tariff, request.readings);
    if (result.status === 'INVALID')
      return { ok: false, anomaly: { kind: 'PRICING_INVALID', reason: result.reason } };
    return {
      ok: true,
      energyWh: result.energy_wh,
      durationS: result.duration_s,
      elapsedS: result.elapsed_s,
      finalAmount: result.final_amount,
      vatRate: new PricingDecimal(String(inputs.tariff.vat)).toFixed(),
      inputs: canonicalInputs(inputs, request.tariff),
    };
  } catch (e) {
    if (!(e instanceof PricingInputError)) throw e;
    const kind: AnomalyKind = e.path.startsWith('tariff') ? 'INVALID_TARIFF' : 'PRICING_INVALID';
    return { ok: false, anomaly: { kind, reason: e.message } };
  }
}

/** What is wrong with a SessionCompleted's data, or null when billing can use it. */
export function malformedSessionCompleted(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return 'data is not an object';
  const d = data as Record<string, unknown>;
  if (!isUuid(d.sessionId)) return 'sessionId is not a uuid';
  for (const f of ['fleetId', 'chargePointId', 'evse', 'startedAt', 'completedAt'] as const) {
    if (typeof d[f] !== 'string' || d[f] === '') return `${f} is missing or not a string`;
  }
  if (
    d.signedMeterValues !== undefined &&
    (!Array.isArray(d.signedMeterValues) || d.signedMeterValues.some((s) => typeof s !== 'string'))
  ) {
    return 'signedMeterValues is not an array of strings';
  }
  if (d.flags !== undefined && (!Array.isArray(d.flags) || d.flags.some((s) => typeof s !== 'string')))
    return 'flags is not an array of strings';
  return null;
}

/**
 * A SessionCompleted (already checked by `malformedSessionCompleted`) as a charge, or the anomaly
 * that keeps it from being one: no tariff, a tariff the calculator rejects, an INVALID session.
 */
export function chargeForCompletedSession(
  s: SessionCompleted,
  sourceEventId: string,
  calculatedAt: string,
): { charge: ChargeRecord } | { anomaly: Anomaly } {
  if (s.tariff === null || s.tariff === undefined) {
    return { anomaly: { kind: 'MISSING_TARIFF', reason: 'SessionCompleted carries no tariff snapshot' } };
  }
  const inputs: PricingInputs = {
    tariff: s.tariff,
    meter_start: s.meterStartWh,
    meter_stop: s.meterStopWh,
    started_at: s.startedAt,
    completed_at: s.completedAt,
  };
  const priced = priceInputs(inputs);
  if (!priced.ok) return { anomaly: priced.anomaly };
  const flags = [...(s.flags ?? [])] as string[];
  if (priced.elapsedS > priced.durationS && !flags.includes('MAX_CHARGING_TIME_REACHED'))
    flags.push('MAX_CHARGING_TIME_REACHED');
  return {
    charge: {
      chargeId: chargeIdForSession(s.sessionId),
      kind: 'CHARGE',
      sessionId: s.sessionId,
      reversesChargeId: null,
      replacesChargeId: null,
      reason: null,
      sourceEventId,
      fleetId: s.fleetId,
      chargePointId: s.chargePointId,
      connectorId: s.connectorId ?? null,
      evse: s.evse,
      transactionId: s.transactionId ?? null,
      authType: s.authType ?? null,
      idTag: s.idTag ?? null,
      userReference: s.userReference ?? null,
      stopReason: s.stopReason ?? null,
      inputs: priced.inputs,
      energyWh: priced.energyWh,
      durationS: priced.durationS,
      finalAmount: priced.finalAmount,
      vatRate: priced.vatRate,
      flags,
      signedMeterValues: s.signedMeterValues ?? [],
      calculatedAt,
    },
  };
}

function negate(amount: string): string {
  const d = new PricingDecimal(amount);
  if (d.isZero()) return amount;
  const places = amount.includes('.') ? amount.length - amount.indexOf('.') - 1 : 0;
  return d.neg().toFixed(places);
}

/** The reversal of a charge: the same inputs, every amount and quantity negated, with a reason. */
export function reversalOf(
  charge: ChargeRecord,
  reversalId: string,
  reason: string,
  calculatedAt: string,
): ChargeRecord {
  const a = charge.finalAmount;
  return {
    ...charge,
    chargeId: reversalId,
    kind: 'REVERSAL',
    reversesChargeId: charge.chargeId,
    replacesChargeId: null,
    reason,
    sourceEventId: null,
    energyWh: -charge.energyWh,
    durationS: -charge.durationS,
    finalAmount: {
      energy: negate(a.energy),
      session: negate(a.session),
      time: negate(a.time),
      net: negate(a.net),
      vat: negate(a.vat),
      gross: negate(a.gross),
      currency: a.currency,
    },
    calculatedAt,
  };
}

export function toChargeCalculated(c: ChargeRecord): ChargeCalculated {
  const event: ChargeCalculated = {
    chargeId: c.chargeId,
    sessionId: c.sessionId,
    fleetId: c.fleetId,
    chargePointId: c.chargePointId,
    evse: c.evse,
    kind: c.kind,
    finalAmount: c.finalAmount,
    inputs: c.inputs,
    energyWh: c.energyWh,
    durationS: c.durationS,
    flags: c.flags,
    calculatedAt: c.calculatedAt,
  };
  if (c.reversesChargeId) event.reversesChargeId = c.reversesChargeId;
  if (c.replacesChargeId) event.replacesChargeId = c.replacesChargeId;
  if (c.reason) event.reason = c.reason;
  if (c.actor) event.actor = c.actor;
  return event;
}
