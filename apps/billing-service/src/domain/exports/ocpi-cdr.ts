import Decimal from 'decimal.js';
import type { ExportFormatter, ExportRow } from './export-row';
import { JsonNumber, stringifyWithNumbers } from './json-number';

/** The CPO's identity and the location data a CDR needs (we model no charger addresses yet). */
export interface OcpiSettings {
  countryCode: string;
  partyId: string;
  location: {
    address: string;
    city: string;
    postalCode: string;
    country: string;
    latitude: string;
    longitude: string;
    connectorStandard: string;
    connectorFormat: string;
    connectorPowerType: string;
  };
}

const HoursDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** OCPI 2.2.1 CDR object (mod_cdrs) of one charge. A reversal is a credit CDR referring to the charge it cancels. */
export function toOcpiCdr(r: ExportRow, s: OcpiSettings) {
  const kwh = new HoursDecimal(r.energy_wh).div(1000).toFixed();
  const hours = new HoursDecimal(r.duration_s).div(3600).toDecimalPlaces(6).toFixed();
  const price = (net: string, gross?: string) =>
    gross === undefined
      ? { excl_vat: new JsonNumber(net) }
      : { excl_vat: new JsonNumber(net), incl_vat: new JsonNumber(gross) };
  const cdr: Record<string, unknown> = {
    country_code: s.countryCode,
    party_id: s.partyId,
    id: r.charge_id,
    start_date_time: r.started_at_utc,
    end_date_time: r.completed_at_utc,
    session_id: r.session_id,
    cdr_token: {
      country_code: s.countryCode,
      party_id: s.partyId,
      uid: (r.id_tag ?? r.user_reference ?? 'UNKNOWN').slice(0, 36),
      type: r.auth_type === 'REMOTE' ? 'APP_USER' : 'RFID',
      contract_id: (r.user_reference ?? r.id_tag ?? 'UNKNOWN').slice(0, 36),
    },
    auth_method: r.auth_type === 'REMOTE' ? 'COMMAND' : 'WHITELIST',
    cdr_location: {
      id: r.charge_point_id.slice(0, 36),
      address: s.location.address,
      city: s.location.city,
      postal_code: s.location.postalCode,
      country: s.location.country,
      coordinates: { latitude: s.location.latitude, longitude: s.location.longitude },
      evse_uid: r.evse.slice(0, 36),
      evse_id: r.evse.slice(0, 48),
      connector_id: r.connector_id ?? '1',
      connector_standard: s.location.connectorStandard,
      connector_format: s.location.connectorFormat,
      connector_power_type: s.location.connectorPowerType,
    },
    currency: r.currency,
    charging_periods: [
      {
        start_date_time: r.started_at_utc,
        dimensions: [
          { type: 'ENERGY', volume: new JsonNumber(kwh) },
          { type: 'TIME', volume: new JsonNumber(hours) },
        ],
        ...(r.tariff_id ? { tariff_id: r.tariff_id.slice(0, 36) } : {}),
      },
    ],
    total_cost: price(r.net, r.gross),
    total_fixed_cost: price(r.session_amount),
    total_energy: new JsonNumber(kwh),
    total_energy_cost: price(r.energy_amount),
    total_time: new JsonNumber(hours),
    total_time_cost: price(r.time_amount),
    last_updated: r.booked_at_utc,
  };
  const signed = JSON.parse(r.signed_meter_values_json) as string[];
  if (signed.length > 0) {
    cdr.signed_data = {
      encoding_method: signed.some((v) => v.includes('OCMF')) ? 'OCMF' : 'UNKNOWN',
      signed_values: signed.map((v, i, all) => ({
        nature: i === 0 ? 'Start' : i === all.length - 1 ? 'End' : 'Intermediate',
        plain_data: '',
        signed_data: v.slice(0, 5000),
      })),
    };
  }
  if (r.flags !== '' || r.reason)
    cdr.remark = [r.reason, ...r.flags.split('|')].filter(Boolean).join('; ').slice(0, 255);
  if (r.kind === 'REVERSAL') {
    cdr.credit = true;
    cdr.credit_reference_id = r.reverses_charge_id!.slice(0, 39);
  }
  return cdr;
}

/** A JSON array of CDRs (the `data` of an OCPI GET /cdrs page), streamed element by element. */
export function ocpiCdrFormatter(settings: OcpiSettings): ExportFormatter {
  return {
    contentType: 'application/json; charset=utf-8',
    fileExtension: 'json',
    // What toOcpiCdr reads: the reader selects only these.
    fields: [
      'charge_id',
      'kind',
      'session_id',
      'reverses_charge_id',
      'reason',
      'charge_point_id',
      'evse',
      'connector_id',
      'auth_type',
      'id_tag',
      'user_reference',
      'started_at_utc',
      'completed_at_utc',
      'booked_at_utc',
      'energy_wh',
      'duration_s',
      'tariff_id',
      'energy_amount',
      'session_amount',
      'time_amount',
      'net',
      'gross',
      'currency',
      'flags',
      'signed_meter_values_json',
    ],
    header: () => '[',
    row: (r, i) => (i === 0 ? '\n' : ',\n') + stringifyWithNumbers(toOcpiCdr(r, settings)),
    footer: () => '\n]\n',
  };
}
