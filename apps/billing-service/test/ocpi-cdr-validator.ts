/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * The required fields of the OCPI 2.2.1 CDR object (mod_cdrs.asciidoc, "CDR Object"), with their
 * types, lengths and enums. Returns every violation, so a failure names them all.
 */
export function ocpiCdrViolations(cdr: Record<string, any>): string[] {
  const errors: string[] = [];
  const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$/;
  const str = (v: unknown, p: string, max: number, min = 1) => {
    if (typeof v !== 'string' || v.length < min || v.length > max)
      errors.push(`${p}: string(${max}) required, got ${JSON.stringify(v)}`);
  };
  const dt = (v: unknown, p: string) => {
    if (typeof v !== 'string' || v.length > 25 || !dateTime.test(v))
      errors.push(`${p}: DateTime (UTC, string(25)) required, got ${JSON.stringify(v)}`);
  };
  const num = (v: unknown, p: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      errors.push(`${p}: number required, got ${JSON.stringify(v)}`);
  };
  const oneOf = (v: unknown, p: string, values: string[]) => {
    if (!values.includes(v as string))
      errors.push(`${p}: one of ${values.join('|')} required, got ${JSON.stringify(v)}`);
  };
  const price = (v: any, p: string) => {
    if (typeof v !== 'object' || v === null) return errors.push(`${p}: Price required`);
    num(v.excl_vat, `${p}.excl_vat`);
    if (v.incl_vat !== undefined) num(v.incl_vat, `${p}.incl_vat`);
  };
  str(cdr.country_code, 'country_code', 2, 2);
  str(cdr.party_id, 'party_id', 3, 3);
  str(cdr.id, 'id', 39);
  dt(cdr.start_date_time, 'start_date_time');
  dt(cdr.end_date_time, 'end_date_time');
  const t = cdr.cdr_token ?? {};
  str(t.country_code, 'cdr_token.country_code', 2, 2);
  str(t.party_id, 'cdr_token.party_id', 3, 3);
  str(t.uid, 'cdr_token.uid', 36);
  oneOf(t.type, 'cdr_token.type', ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID']);
  str(t.contract_id, 'cdr_token.contract_id', 36);
  oneOf(cdr.auth_method, 'auth_method', ['AUTH_REQUEST', 'COMMAND', 'WHITELIST']);
  const l = cdr.cdr_location ?? {};
  str(l.id, 'cdr_location.id', 36);
  str(l.address, 'cdr_location.address', 45);
  str(l.city, 'cdr_location.city', 45);
  if (l.postal_code !== undefined) str(l.postal_code, 'cdr_location.postal_code', 10);
  str(l.country, 'cdr_location.country', 3, 3);
  if (!/^-?[0-9]{1,2}\.[0-9]{5,7}$/.test(l.coordinates?.latitude))
    errors.push('cdr_location.coordinates.latitude');
  if (!/^-?[0-9]{1,3}\.[0-9]{5,7}$/.test(l.coordinates?.longitude))
    errors.push('cdr_location.coordinates.longitude');
  str(l.evse_uid, 'cdr_location.evse_uid', 36);
  str(l.evse_id, 'cdr_location.evse_id', 48);
  str(l.connector_id, 'cdr_location.connector_id', 36);
  oneOf(l.connector_format, 'cdr_location.connector_format', ['SOCKET', 'CABLE']);
  oneOf(l.connector_power_type, 'cdr_location.connector_power_type', [
    'AC_1_PHASE',
    'AC_2_PHASE',
    'AC_2_PHASE_SPLIT',
    'AC_3_PHASE',
    'DC',
  ]);
  str(l.connector_standard, 'cdr_location.connector_standard', 40);
  str(cdr.currency, 'currency', 3, 3);
  if (!Array.isArray(cdr.charging_periods) || cdr.charging_periods.length === 0)
    errors.push('charging_periods: at least one required');
  for (const [i, p] of (cdr.charging_periods ?? []).entries()) {
    dt(p.start_date_time, `charging_periods[${i}].start_date_time`);
    if (!Array.isArray(p.dimensions) || p.dimensions.length === 0)
      errors.push(`charging_periods[${i}].dimensions: at least one required`);
    for (const [j, d] of (p.dimensions ?? []).entries()) {
      oneOf(d.type, `charging_periods[${i}].dimensions[${j}].type`, [
        'CURRENT',
        'ENERGY',
        'ENERGY_EXPORT',
        'ENERGY_IMPORT',
        'MAX_CURRENT',
        'MIN_CURRENT',
        'MAX_POWER',
        'MIN_POWER',
        'PARKING_TIME',
        'POWER',
        'RESERVATION_TIME',
        'STATE_OF_CHARGE',
        'TIME',
      ]);
      num(d.volume, `charging_periods[${i}].dimensions[${j}].volume`);
    }
  }
  price(cdr.total_cost, 'total_cost');
  num(cdr.total_energy, 'total_energy');
  num(cdr.total_time, 'total_time');
  dt(cdr.last_updated, 'last_updated');
  for (const opt of ['total_fixed_cost', 'total_energy_cost', 'total_time_cost'] as const)
    if (cdr[opt] !== undefined) price(cdr[opt], opt);
  if (cdr.credit === true) str(cdr.credit_reference_id, 'credit_reference_id', 39);
  if (cdr.signed_data !== undefined) {
    str(cdr.signed_data.encoding_method, 'signed_data.encoding_method', 36);
    for (const [i, v] of (cdr.signed_data.signed_values ?? []).entries()) {
      str(v.nature, `signed_data.signed_values[${i}].nature`, 32);
      str(v.signed_data, `signed_data.signed_values[${i}].signed_data`, 5000);
    }
  }
  return errors;
}
