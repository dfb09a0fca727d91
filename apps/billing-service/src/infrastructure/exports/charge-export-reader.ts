import type { Pool } from 'pg';
import Cursor from 'pg-cursor';
import type { ExportRow } from '../../domain/exports/export-row';
import type { ChargeExportSource, CurrencyMix, ExportRange, ExportTotals } from '../../application/ports';

export type { CurrencyMix, ExportRange, ExportTotals } from '../../application/ports';

const UTC_SECONDS = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/** Every ExportRow field and the SQL that yields it as text. */
const FIELDS: Array<[keyof ExportRow, string]> = [
  ['charge_id', 'charge_id::text'],
  ['kind', 'kind'],
  ['session_id', 'session_id::text'],
  ['reverses_charge_id', 'reverses_charge_id::text'],
  ['replaces_charge_id', 'replaces_charge_id::text'],
  ['reason', 'reason'],
  ['booked_at', `to_char(calculated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`],
  ['booked_local_date', `to_char(calculated_at at time zone $3, 'YYYYMMDD')`],
  ['fleet_id', 'fleet_id'],
  ['charge_point_id', 'charge_point_id'],
  ['evse', 'evse'],
  ['connector_id', 'connector_id::text'],
  ['transaction_id', 'transaction_id::text'],
  ['auth_type', 'auth_type'],
  ['id_tag', 'id_tag'],
  ['user_reference', 'user_reference'],
  ['stop_reason', 'stop_reason'],
  ['started_at', `inputs->>'started_at'`],
  ['completed_at', `inputs->>'completed_at'`],
  ['started_at_utc', UTC_SECONDS('started_at')],
  ['completed_at_utc', UTC_SECONDS('completed_at')],
  ['booked_at_utc', UTC_SECONDS('calculated_at')],
  ['meter_start', 'meter_start::text'],
  ['meter_stop', 'meter_stop::text'],
  ['energy_wh', 'energy_wh::text'],
  ['duration_s', 'duration_s::text'],
  ['tariff_json', 'tariff::text'],
  ['tariff_id', `coalesce(tariff_id, tariff->>'tariff_id')`],
  ['tariff_version', 'tariff_version::text'],
  ['kwh_price', `tariff->>'kwh_price'`],
  ['session_price', `tariff->>'session_price'`],
  ['time_tariffs_json', `(tariff->'time_tariffs')::text`],
  ['max_charging_time', `tariff->>'max_charging_time'`],
  ['energy_amount', 'energy_amount::text'],
  ['session_amount', 'session_amount::text'],
  ['time_amount', 'time_amount::text'],
  ['net', 'net::text'],
  ['vat', 'vat::text'],
  ['gross', 'gross::text'],
  ['vat_rate', 'vat_rate::text'],
  ['currency', 'currency'],
  ['flags', `array_to_string(flags, '|')`],
  ['signed_meter_values_json', 'signed_meter_values::text'],
  // The two JSON columns of the CSV, already quoted as CSV fields (RFC 4180) by Postgres.
  ['time_tariffs_csv', `'"' || replace((tariff->'time_tariffs')::text, '"', '""') || '"'`],
  ['signed_meter_values_csv', `'"' || replace(signed_meter_values::text, '"', '""') || '"'`],
  // Runs of CSV columns that never need quoting (uuids, enums, integers, numerics), joined by
  // Postgres: the CSV reads 22 fields a row instead of 38 (each field costs a string in pg's parser).
  [
    'csv_ids',
    `charge_id::text || ',' || kind || ',' || session_id::text || ',' || coalesce(reverses_charge_id::text, '') || ',' || coalesce(replaces_charge_id::text, '')`,
  ],
  [
    'csv_connector',
    `coalesce(connector_id::text, '') || ',' || coalesce(transaction_id::text, '') || ',' || coalesce(auth_type, '')`,
  ],
  [
    'csv_meter',
    `meter_start::text || ',' || meter_stop::text || ',' || energy_wh::text || ',' || duration_s::text`,
  ],
  [
    'csv_time_tariffs_vat',
    `coalesce('"' || replace((tariff->'time_tariffs')::text, '"', '""') || '"', 'null') || ',' || vat_rate::text`,
  ],
  [
    'csv_amounts',
    `energy_amount::text || ',' || session_amount::text || ',' || time_amount::text || ',' || net::text || ',' || vat::text || ',' || gross::text || ',' || currency`,
  ],
];

/**
 * Everything as text (numerics, bigints, timestamps, even the JSON): nothing becomes a float or a
 * Date on the way, and the export spends no time parsing JSON it only copies. Postgres does the
 * field extraction on its own core while this process formats.
 */
function selectSql(fields: readonly (typeof FIELDS)[number][]): string {
  return `select ${fields.map(([, sql]) => sql).join(', ')}
  from charges where calculated_at >= $1 and calculated_at < $2 order by calculated_at, seq`;
}

/**
 * Rows arrive as arrays (pg otherwise builds an object per row by assignment, which costs about as
 * much as formatting it) and become ExportRows through one object literal of fixed shape.
 */
function rowBuilder(fields: readonly (typeof FIELDS)[number][]): (a: unknown[]) => ExportRow {
  return new Function('a', `return { ${fields.map(([name], i) => `${name}: a[${i}]`).join(', ')} };`) as (
    a: unknown[],
  ) => ExportRow;
}

/**
 * The charges booked in [from, to), in booking order, `batchRows` at a time through a server-side
 * cursor: memory stays bounded by two batches however many rows the range holds. The connection
 * is released (and the cursor closed) when the consumer stops early too.
 */
export async function* readChargesForExport(
  pool: Pool,
  range: ExportRange,
  timeZone: string,
  batchRows: number,
  only?: readonly (keyof ExportRow)[],
): AsyncGenerator<ExportRow[]> {
  // Only the columns the format reads: Postgres skips the JSON and date work of the others.
  const fields = only ? FIELDS.filter(([name]) => only.includes(name)) : FIELDS;
  const toExportRow = rowBuilder(fields);
  const params: unknown[] = [range.from, range.to];
  if (fields.some(([name]) => name === 'booked_local_date')) params.push(timeZone); // $3
  const client = await pool.connect();
  const cursor = client.query(new Cursor<unknown[]>(selectSql(fields), params, { rowMode: 'array' }));
  let failed = false;
  // Double buffering: Postgres produces the next batch while the caller formats this one.
  let next: Promise<unknown[][]> | null = cursor.read(batchRows);
  try {
    for (;;) {
      const rows: unknown[][] = await next;
      next = null;
      if (rows.length === 0) return;
      next = cursor.read(batchRows);
      yield rows.map(toExportRow);
    }
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    if (next) await next.catch(() => (failed = true)); // the caller stopped early: let the read settle first
    await cursor.close().catch(() => (failed = true));
    client.release(failed);
  }
}

/** The sums an export of the same range must add up to, per currency (for reconciliation). */
export async function exportTotals(pool: Pool, range: ExportRange): Promise<ExportTotals[]> {
  const { rows } = await pool.query<ExportTotals & { rows: string }>(
    `select currency, count(*)::text as rows, sum(energy_wh)::text as energy_wh, sum(net)::text as net, sum(vat)::text as vat, sum(gross)::text as gross
     from charges where calculated_at >= $1 and calculated_at < $2 group by currency order by currency`,
    [range.from, range.to],
  );
  return rows.map((r) => ({ ...r, rows: Number(r.rows) }));
}

/**
 * What a DATEV export must check before its first byte, in one pass over the range: the
 * currencies (a batch has one) and the VAT rates (each needs an account).
 */
export async function currencyMixIn(pool: Pool, range: ExportRange): Promise<CurrencyMix[]> {
  const { rows } = await pool.query<{ currency: string; charges: number; rates: string[] }>(
    `select currency, count(*)::int as charges,
            coalesce(array_agg(distinct vat_rate::text) filter (where vat <> 0), '{}') as rates
       from charges where calculated_at >= $1 and calculated_at < $2 group by currency order by currency`,
    [range.from, range.to],
  );
  return rows.map((r) => ({ currency: r.currency, charges: r.charges, vatRates: r.rates }));
}

/** The ChargeExportSource on its own pool (an export holds a connection while it streams). */
export class PostgresChargeExportSource implements ChargeExportSource {
  constructor(private readonly pool: Pool) {}

  rows(
    range: ExportRange,
    timeZone: string,
    batchRows: number,
    fields?: readonly (keyof ExportRow)[],
  ): AsyncIterable<ExportRow[]> {
    return readChargesForExport(this.pool, range, timeZone, batchRows, fields);
  }

  totals(range: ExportRange): Promise<ExportTotals[]> {
    return exportTotals(this.pool, range);
  }

  currencyMix(range: ExportRange): Promise<CurrencyMix[]> {
    return currencyMixIn(this.pool, range);
  }
}
