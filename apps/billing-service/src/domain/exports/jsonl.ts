import type { ExportFormatter, ExportRow } from './export-row';

const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
const int = (v: string | null) => (v === null ? 'null' : v);

/**
 * One JSON object per line; money as decimal strings, Wh and seconds as integers. Built as text:
 * the tariff and the signed meter values are JSON already (from Postgres) and are copied, not re-parsed.
 */
export function jsonlLine(r: ExportRow): string {
  const flags = r.flags === '' ? '[]' : JSON.stringify(r.flags.split('|'));
  return (
    `{"charge_id":"${r.charge_id}","kind":"${r.kind}","session_id":"${r.session_id}","reverses_charge_id":${str(r.reverses_charge_id)},` +
    `"replaces_charge_id":${str(r.replaces_charge_id)},"reason":${str(r.reason)},"booked_at":"${r.booked_at}",` +
    `"fleet_id":${str(r.fleet_id)},"charge_point_id":${str(r.charge_point_id)},"evse":${str(r.evse)},"connector_id":${int(r.connector_id)},` +
    `"transaction_id":${int(r.transaction_id)},"auth_type":${str(r.auth_type)},"id_tag":${str(r.id_tag)},"user_reference":${str(r.user_reference)},` +
    `"started_at":${str(r.started_at)},"completed_at":${str(r.completed_at)},"stop_reason":${str(r.stop_reason)},` +
    `"meter_start_wh":${r.meter_start},"meter_stop_wh":${r.meter_stop},"energy_wh":${r.energy_wh},"duration_s":${r.duration_s},` +
    `"tariff":${r.tariff_json},"final_amount":{"energy":"${r.energy_amount}","session":"${r.session_amount}","time":"${r.time_amount}",` +
    `"net":"${r.net}","vat":"${r.vat}","gross":"${r.gross}","currency":"${r.currency}"},"vat_rate":"${r.vat_rate}",` +
    `"flags":${flags},"signed_meter_values":${r.signed_meter_values_json}}\n`
  );
}

const JSONL_FIELDS: (keyof ExportRow)[] = [
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
  'meter_start',
  'meter_stop',
  'energy_wh',
  'duration_s',
  'tariff_json',
  'energy_amount',
  'session_amount',
  'time_amount',
  'net',
  'vat',
  'gross',
  'currency',
  'vat_rate',
  'flags',
  'signed_meter_values_json',
];

export function jsonlFormatter(): ExportFormatter {
  return {
    contentType: 'application/x-ndjson; charset=utf-8',
    fileExtension: 'jsonl',
    fields: JSONL_FIELDS,
    header: () => '',
    row: jsonlLine,
    footer: () => '',
  };
}
