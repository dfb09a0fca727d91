/**
 * Meter values into integer Wh without a float, rounded half up to a whole Wh with decimal.js:
 * - OCPP 1.6 sends decimal strings ("12345.6", "12.3456" kWh);
 * - OCPP 2.0.1 sends JSON numbers with a unit and a power-of-ten multiplier, which JSON.parse would
 *   turn into doubles: they are read from the lossless payload (`parseJsonLossless(rawFrame)[3]`,
 *   numbers as their source text), never from `payload`.
 */
import Decimal from 'decimal.js';
import { isLosslessNumber } from '@app/ocpp';

// Precision is only a cap on the digits an operation may produce: high enough that scaling a
// decimal by a power of ten is exact whatever a charger wrote, so the one rounding is ours.
const D = Decimal.clone({ precision: 1e9, rounding: Decimal.ROUND_HALF_UP });

/** `d` rounded half up to a whole Wh, or null outside the range a JSON number holds exactly. */
function wholeWh(d: Decimal): number | null {
  const rounded = d.toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  if (!rounded.abs().lte(Number.MAX_SAFE_INTEGER)) return null;
  const wh = rounded.toNumber(); // an integer within the safe range: exact
  return wh === 0 ? 0 : wh; // no -0
}

export interface EnergyReading {
  wh: number;
  measuredAt: string;
  /** OCPP ReadingContext: Sample.Periodic (default), Transaction.Begin, Transaction.End, ... */
  context: string;
}

export interface ParsedMeterValues {
  readings: EnergyReading[];
  /** `SignedData` sampled values, verbatim. */
  signed: string[];
}

/** Converts an OCPP energy value with its unit to integer Wh, or null when it is not a finite number. */
export function toWh(value: unknown, unit: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return null;
  let d = new D(text);
  if (unit === 'kWh') d = d.times(1000);
  else if (unit !== undefined && unit !== 'Wh') return null;
  return wholeWh(d);
}

/** What one sampled value gives: signed meter data to keep verbatim, and/or a register reading in Wh. */
interface SampleReading {
  signed: string | null;
  wh: number | null;
}

/**
 * The walk both protocols' `meterValue` arrays share (same shape in 1.6 and 2.0.1): every sampled
 * value of every well-formed meter value, read by `read`, its readings stamped with the meter
 * value's timestamp and context (default Sample.Periodic).
 */
function walkSampledValues(
  meterValue: unknown,
  read: (s: Record<string, unknown>) => SampleReading,
): ParsedMeterValues {
  const readings: EnergyReading[] = [];
  const signed: string[] = [];
  if (!Array.isArray(meterValue)) return { readings, signed };
  for (const mv of meterValue) {
    if (typeof mv !== 'object' || mv === null) continue;
    const { timestamp, sampledValue } = mv as { timestamp?: unknown; sampledValue?: unknown };
    if (typeof timestamp !== 'string' || !Array.isArray(sampledValue)) continue;
    for (const sv of sampledValue) {
      if (typeof sv !== 'object' || sv === null) continue;
      const s = sv as Record<string, unknown>;
      const reading = read(s);
      if (reading.signed !== null) signed.push(reading.signed);
      if (reading.wh === null) continue;
      readings.push({
        wh: reading.wh,
        measuredAt: timestamp,
        context: typeof s.context === 'string' ? s.context : 'Sample.Periodic',
      });
    }
  }
  return { readings, signed };
}

/** The energy register (the default measurand), not per phase: per-phase values would double count. */
function isEnergyRegister(s: Record<string, unknown>): boolean {
  return (
    (s.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register' &&
    s.phase === undefined
  );
}

/** Energy.Active.Import.Register readings (the default measurand) of a MeterValues/StopTransaction `meterValue` array. */
export function parseMeterValues(meterValue: unknown): ParsedMeterValues {
  return walkSampledValues(meterValue, (s) =>
    // A 1.6 signed value is a sampled value of its own (format SignedData), never a reading.
    s.format === 'SignedData'
      ? { signed: typeof s.value === 'string' ? s.value : null, wh: null }
      : { signed: null, wh: isEnergyRegister(s) ? toWh(s.value, s.unit) : null },
  );
}

/** A multiplier beyond this is no meter's: refused rather than computed (10^1e9 is a lot of digits). */
const MAX_MULTIPLIER = 100;

/**
 * An OCPP 2.0.1 energy value (a LosslessNumber of the lossless payload) with its `unitOfMeasure`
 * ({unit default "Wh", multiplier default 0}) in integer Wh: value × 10^multiplier, × 1000 for
 * kWh. Null for anything else: a plain JS number (it went through a float), another unit, a
 * multiplier that is not a small integer.
 */
export function toWh201(value: unknown, unitOfMeasure: unknown): number | null {
  if (!isLosslessNumber(value)) return null;
  let unit: unknown = 'Wh';
  let multiplier = 0;
  if (unitOfMeasure !== undefined) {
    if (typeof unitOfMeasure !== 'object' || unitOfMeasure === null) return null;
    const u = unitOfMeasure as { unit?: unknown; multiplier?: unknown };
    if (u.unit !== undefined) unit = u.unit;
    if (u.multiplier !== undefined) {
      if (!isLosslessNumber(u.multiplier)) return null;
      const m = new D(u.multiplier.text);
      if (!m.isInteger() || m.abs().gt(MAX_MULTIPLIER)) return null;
      multiplier = m.toNumber();
    }
  }
  const scale = unit === 'kWh' ? multiplier + 3 : unit === 'Wh' ? multiplier : null;
  if (scale === null) return null;
  return wholeWh(new D(value.text).times(D.pow(10, scale)));
}

/**
 * Energy.Active.Import.Register readings (the default measurand) of a 2.0.1 `meterValue` array
 * taken from the lossless payload, and the `signedMeterValue.signedMeterData` of any sampled value,
 * verbatim (in 2.0.1 the signature rides on the reading it signs). Per-phase values are skipped,
 * as in 1.6.
 */
export function parseMeterValues201(meterValue: unknown): ParsedMeterValues {
  return walkSampledValues(meterValue, (s) => {
    const sig = s.signedMeterValue as { signedMeterData?: unknown } | undefined;
    return {
      signed:
        typeof sig === 'object' && sig !== null && typeof sig.signedMeterData === 'string'
          ? sig.signedMeterData
          : null,
      wh: isEnergyRegister(s) ? toWh201(s.value, s.unitOfMeasure) : null,
    };
  });
}
