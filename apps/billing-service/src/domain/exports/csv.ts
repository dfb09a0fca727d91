import type { ExportFormatter, ExportRow } from './export-row';

/** Columns of ARCHITECTURE.md "Finance exports", plus the links of corrections and the signed meter values. */
export const CSV_COLUMNS = [
  'charge_id',
  'kind',
  'session_id',
  'reverses_charge_id',
  'replaces_charge_id',
  'reason',
  'booked_at',
  'fleet_id',
  'charge_point_id',
  'evse',
  'connector_id',
  'transaction_id',
  'auth_type',
  'id_tag',
  'user_reference',
  'started_at',
  'completed_at',
  'stop_reason',
  'meter_start_wh',
  'meter_stop_wh',
  'energy_wh',
  'duration_s',
  'tariff_id',
  'tariff_version',
  'kwh_price',
  'session_price',
  'time_tariffs',
  'vat_rate',
  'max_charging_time',
  'energy',
  'session',
  'time',
  'net',
  'vat',
  'gross',
  'currency',
  'flags',
  'signed_meter_values',
] as const;

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA = /^[=+\-@\t\r]/;
const SPECIAL = /[",\r\n]|^[=+\-@\t]/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * RFC 4180 field; text that a spreadsheet would run as a formula (=, +, -, @ at the start, unless
 * it is a plain number) gets a leading apostrophe (OWASP CSV injection).
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (!SPECIAL.test(s)) return s; // the common case, one regex
  if (FORMULA.test(s) && !NUMERIC.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_FIELDS: (keyof ExportRow)[] = [
  'csv_ids',
  'reason',
  'booked_at',
  'fleet_id',
  'charge_point_id',
  'evse',
  'csv_connector',
  'id_tag',
  'user_reference',
  'started_at',
  'completed_at',
  'stop_reason',
  'csv_meter',
  'tariff_id',
  'tariff_version',
  'kwh_price',
  'session_price',
  'csv_time_tariffs_vat',
  'max_charging_time',
  'csv_amounts',
  'flags',
  'signed_meter_values_csv',
];

/** Free text (ids a fleet or charger chose, reasons, JSON): escaped. The other columns are uuids, numbers, timestamps, enums. */
const f = csvField;

export function csvFormatter(): ExportFormatter {
  return {
    contentType: 'text/csv; charset=utf-8',
    fileExtension: 'csv',
    fields: CSV_FIELDS,
    header: () => CSV_COLUMNS.join(',') + '\r\n',
    // One template per row: this runs a million times per export. The columns that never need
    // quoting arrive joined in runs (csv_*, see ExportRow), so the row is 22 pieces, not 38.
    row: (r: ExportRow) =>
      `${r.csv_ids},${f(r.reason)},${r.booked_at},${f(r.fleet_id)},${f(r.charge_point_id)},${f(r.evse)},${r.csv_connector},` +
      `${f(r.id_tag)},${f(r.user_reference)},${f(r.started_at)},${f(r.completed_at)},${f(r.stop_reason)},${r.csv_meter},` +
      `${f(r.tariff_id)},${r.tariff_version ?? ''},${f(r.kwh_price)},${f(r.session_price)},${r.csv_time_tariffs_vat},${f(r.max_charging_time)},` +
      `${r.csv_amounts},${f(r.flags)},${r.signed_meter_values_csv}\r\n`,
    footer: () => '',
  };
}

/** Splits one CSV line of this export back into fields (for tests and reconciliation tools). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quote');
        s += line.slice(i, q);
        if (line[q + 1] === '"') {
          s += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(s);
      i++; // the comma
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}
