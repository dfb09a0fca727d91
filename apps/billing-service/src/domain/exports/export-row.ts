/** One charge as the finance exports read it: text straight from Postgres, nothing parsed (no floats, no JSON work). */
export interface ExportRow {
  charge_id: string;
  kind: 'CHARGE' | 'REVERSAL';
  session_id: string;
  reverses_charge_id: string | null;
  replaces_charge_id: string | null;
  reason: string | null;
  /** Booking time, ISO 8601 UTC with microseconds. */
  booked_at: string;
  /** Booking date in the books' time zone, YYYYMMDD (DATEV periods and Belegdatum). */
  booked_local_date: string;
  fleet_id: string;
  charge_point_id: string;
  evse: string;
  connector_id: string | null;
  transaction_id: string | null;
  auth_type: string | null;
  id_tag: string | null;
  user_reference: string | null;
  stop_reason: string | null;
  /** As the charger sent them (the pricing inputs). */
  started_at: string;
  completed_at: string;
  /** The same instants, and the booking time, in UTC to the second (OCPI DateTime, string(25)). */
  started_at_utc: string;
  completed_at_utc: string;
  booked_at_utc: string;
  meter_start: string;
  meter_stop: string;
  energy_wh: string;
  duration_s: string;
  /** The tariff snapshot the charge was priced with, as JSON text, and the fields the flat formats show. */
  tariff_json: string;
  tariff_id: string | null;
  tariff_version: string | null;
  kwh_price: string;
  session_price: string;
  time_tariffs_json: string;
  max_charging_time: string;
  energy_amount: string;
  session_amount: string;
  time_amount: string;
  net: string;
  vat: string;
  gross: string;
  vat_rate: string;
  currency: string;
  /** `|`-separated (flags are plain tokens such as INFERRED_STOP). */
  flags: string;
  /** JSON array of the signed meter values, verbatim as the charger sent them. */
  signed_meter_values_json: string;
  /** `time_tariffs_json` and `signed_meter_values_json` as quoted CSV fields. */
  time_tariffs_csv: string;
  signed_meter_values_csv: string;
  /**
   * Runs of CSV columns that are never quoted, as the CSV writes them (nulls empty, comma-separated):
   * `charge_id,kind,session_id,reverses_charge_id,replaces_charge_id`,
   * `connector_id,transaction_id,auth_type`, `meter_start,meter_stop,energy_wh,duration_s`,
   * `time_tariffs_csv,vat_rate` and `energy_amount,session_amount,time_amount,net,vat,gross,currency`.
   */
  csv_ids: string;
  csv_connector: string;
  csv_meter: string;
  csv_time_tariffs_vat: string;
  csv_amounts: string;
}

/** A formatter turns rows into the bytes of one export file (header, one chunk per row, footer). */
export interface ExportFormatter {
  contentType: string;
  fileExtension: string;
  /** How the text becomes bytes (default utf8; DATEV: latin1, the Windows-1252 letters it uses). */
  encoding?: 'utf8' | 'latin1';
  /** The fields `row` reads; the reader selects only these (the others are absent). Default: all. */
  fields?: (keyof ExportRow)[];
  header(): string;
  row(r: ExportRow, index: number): string;
  footer(): string;
}

export const EXPORT_FORMATS = ['csv', 'jsonl', 'ocpi-cdr', 'datev'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
