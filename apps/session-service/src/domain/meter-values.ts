/**
 * Reading OCPP 1.6 MeterValues into integer Wh without a float: the charger sends decimal strings
 * ("12345.6", "12.3456" kWh); we convert with decimal.js and round half up to a whole Wh.
 */
import Decimal from 'decimal.js';

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

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
  const rounded = d.toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  if (!rounded.abs().lte(Number.MAX_SAFE_INTEGER)) return null;
  return rounded.toNumber(); // an integer within the safe range: exact
}

/** Energy.Active.Import.Register readings (the default measurand) of a MeterValues/StopTransaction `meterValue` array. */
export function parseMeterValues(meterValue: unknown): ParsedMeterValues {
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
      if (s.format === 'SignedData') {
        if (typeof s.value === 'string') signed.push(s.value);
        continue;
      }
      const measurand = s.measurand ?? 'Energy.Active.Import.Register';
      if (measurand !== 'Energy.Active.Import.Register') continue;
      if (s.phase !== undefined) continue; // per-phase values would double count
      const wh = toWh(s.value, s.unit);
      if (wh === null) continue;
      readings.push({
        wh,
        measuredAt: timestamp,
        context: typeof s.context === 'string' ? s.context : 'Sample.Periodic',
      });
    }
  }
  return { readings, signed };
}
