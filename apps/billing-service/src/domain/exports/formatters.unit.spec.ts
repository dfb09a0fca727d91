import { CSV_COLUMNS, csvField, csvFormatter, parseCsvLine } from './csv';
import { datevFormatter, type DatevSettings } from './datev';
import type { ExportRow } from './export-row';
import { jsonlFormatter } from './jsonl';
import { ocpiCdrFormatter, type OcpiSettings } from './ocpi-cdr';
import { zonedMidnight, zonedMonth } from './zoned-time';
import { ocpiCdrViolations } from '../../../test/ocpi-cdr-validator';

/** What Postgres produces for the *_csv columns. */
const csvJson = (json: string) => `"${json.replace(/"/g, '""')}"`;

/** What Postgres produces for the csv_* runs of never-quoted columns (charge-export-reader.ts). */
const withCsvRuns = (
  r: Omit<ExportRow, 'csv_ids' | 'csv_connector' | 'csv_meter' | 'csv_time_tariffs_vat' | 'csv_amounts'>,
): ExportRow => ({
  ...r,
  csv_ids: [r.charge_id, r.kind, r.session_id, r.reverses_charge_id ?? '', r.replaces_charge_id ?? ''].join(
    ',',
  ),
  csv_connector: [r.connector_id ?? '', r.transaction_id ?? '', r.auth_type ?? ''].join(','),
  csv_meter: [r.meter_start, r.meter_stop, r.energy_wh, r.duration_s].join(','),
  csv_time_tariffs_vat: [r.time_tariffs_csv, r.vat_rate].join(','),
  csv_amounts: [r.energy_amount, r.session_amount, r.time_amount, r.net, r.vat, r.gross, r.currency].join(
    ',',
  ),
});

const row = (over: Partial<ExportRow> = {}): ExportRow =>
  withCsvRuns({
    charge_id: '0f8e4a52-6a2b-5c1d-8e3f-1234567890ab',
    kind: 'CHARGE',
    session_id: '5b0e1f7c-1111-4222-8333-444455556666',
    reverses_charge_id: null,
    replaces_charge_id: null,
    reason: null,
    booked_at: '2024-05-01T10:50:00.123456Z',
    booked_local_date: '20240501',
    fleet_id: 'fleet-1',
    charge_point_id: 'CP1',
    evse: 'DE*2GO*EMCD1311*1A*2',
    connector_id: '1',
    transaction_id: '42',
    auth_type: 'LOCAL',
    id_tag: 'TAG1',
    user_reference: null,
    stop_reason: 'Local',
    started_at: '2024-05-01T12:00:00+02:00',
    completed_at: '2024-05-01T12:50:00+02:00',
    started_at_utc: '2024-05-01T10:00:00Z',
    completed_at_utc: '2024-05-01T10:50:00Z',
    booked_at_utc: '2024-05-01T10:50:00Z',
    meter_start: '1000',
    meter_stop: '16000',
    energy_wh: '15000',
    duration_s: '3000',
    tariff_json:
      '{"vat": "0.19", "currency": "EUR", "kwh_price": "0.88", "time_tariffs": [{"minute_price": "0.12", "starting_at_minute": 45}], "session_price": "0", "max_charging_time": 4320}',
    tariff_id: null,
    tariff_version: null,
    kwh_price: '0.88',
    session_price: '0',
    time_tariffs_json: '[{"minute_price": "0.12", "starting_at_minute": 45}]',
    max_charging_time: '4320',
    time_tariffs_csv: csvJson('[{"minute_price": "0.12", "starting_at_minute": 45}]'),
    energy_amount: '13.2000',
    session_amount: '0.0000',
    time_amount: '0.6000',
    net: '13.80',
    vat: '2.62',
    gross: '16.42',
    vat_rate: '0.19',
    currency: 'EUR',
    flags: 'INFERRED_STOP',
    signed_meter_values_json: JSON.stringify([
      'OCMF|{"FV":"1.0"}|{"SD":"3045"}',
      'OCMF|{"FV":"1.0","RD":[{"RV":16.0}]}|{"SD":"3046"}',
    ]),
    signed_meter_values_csv: csvJson(
      JSON.stringify([
        'OCMF|{"FV":"1.0"}|{"SD":"3045"}',
        'OCMF|{"FV":"1.0","RD":[{"RV":16.0}]}|{"SD":"3046"}',
      ]),
    ),
    ...over,
  });

const reversal = row({
  charge_id: '7a7a7a7a-1111-4222-8333-444455556666',
  kind: 'REVERSAL',
  reverses_charge_id: '0f8e4a52-6a2b-5c1d-8e3f-1234567890ab',
  reason: 'wrong tariff; "A" applied',
  energy_wh: '-15000',
  duration_s: '-3000',
  energy_amount: '-13.2000',
  time_amount: '-0.6000',
  net: '-13.80',
  vat: '-2.62',
  gross: '-16.42',
});

const ocpi: OcpiSettings = {
  countryCode: 'DE',
  partyId: 'CBL',
  location: {
    address: 'Hauptstr. 1',
    city: 'Berlin',
    postalCode: '10115',
    country: 'DEU',
    latitude: '52.520008',
    longitude: '13.404954',
    connectorStandard: 'IEC_62196_T2',
    connectorFormat: 'SOCKET',
    connectorPowerType: 'AC_3_PHASE',
  },
};

const datev: DatevSettings = {
  consultantNumber: '1001',
  clientNumber: '1',
  accountLength: 4,
  fiscalYearStartMonth: 1,
  receivableAccount: '1400',
  revenueAccount: '8200',
  vatAccounts: { '19': '1776', '7': '1771' },
  exportedBy: 'billing-service',
};

describe('finance export formats', () => {
  it('CSV: a header of the documented columns, RFC 4180 quoting, no formula injection', () => {
    const f = csvFormatter();
    expect(f.header()).toBe(CSV_COLUMNS.join(',') + '\r\n');
    const fields = parseCsvLine(f.row(reversal, 0).replace(/\r\n$/, ''));
    expect(fields).toHaveLength(CSV_COLUMNS.length);
    const get = (c: (typeof CSV_COLUMNS)[number]) => fields[CSV_COLUMNS.indexOf(c)];
    expect(get('reason')).toBe('wrong tariff; "A" applied');
    expect(get('gross')).toBe('-16.42');
    expect(JSON.parse(get('time_tariffs'))).toEqual([{ starting_at_minute: 45, minute_price: '0.12' }]);
    expect(JSON.parse(get('signed_meter_values'))).toEqual(JSON.parse(reversal.signed_meter_values_json));
    expect(get('flags')).toBe('INFERRED_STOP');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-13.80')).toBe('-13.80');
    expect(csvField('-cmd')).toBe(`'-cmd`);
  });

  it('JSONL: one object per line, money as decimal strings', () => {
    const line = jsonlFormatter().row(row(), 0);
    expect(line.endsWith('\n')).toBe(true);
    const o = JSON.parse(line);
    expect(o.final_amount).toEqual({
      energy: '13.2000',
      session: '0.0000',
      time: '0.6000',
      net: '13.80',
      vat: '2.62',
      gross: '16.42',
      currency: 'EUR',
    });
    expect(o.energy_wh).toBe(15000);
    expect(o.tariff.time_tariffs).toEqual([{ starting_at_minute: 45, minute_price: '0.12' }]);
    expect(o.flags).toEqual(['INFERRED_STOP']);
    expect(o.signed_meter_values).toHaveLength(2);
    const odd = JSON.parse(
      jsonlFormatter().row(row({ reason: 'a "quoted"\nreason', flags: '', user_reference: null }), 1),
    );
    expect(odd).toMatchObject({ reason: 'a "quoted"\nreason', flags: [], user_reference: null });
  });

  it('OCPI 2.2.1: every CDR has the required fields of the CDR object; a reversal is a credit CDR', () => {
    const f = ocpiCdrFormatter(ocpi);
    const text =
      f.header() +
      f.row(row(), 0) +
      f.row(reversal, 1) +
      f.row(
        row({ signed_meter_values_json: '[]', flags: '', auth_type: 'REMOTE', user_reference: 'u-1' }),
        2,
      ) +
      f.footer();
    const cdrs = JSON.parse(text);
    expect(cdrs).toHaveLength(3);
    for (const cdr of cdrs) expect(ocpiCdrViolations(cdr)).toEqual([]);
    // Amounts are JSON numbers written from the decimal digits, never through a float.
    expect(text).toContain('"total_cost":{"excl_vat":13.80,"incl_vat":16.42}');
    expect(cdrs[0]).toMatchObject({
      total_energy: 15,
      total_time: 0.833333,
      start_date_time: '2024-05-01T10:00:00Z',
      auth_method: 'WHITELIST',
    });
    expect(cdrs[0].signed_data.encoding_method).toBe('OCMF');
    expect(cdrs[1]).toMatchObject({
      credit: true,
      credit_reference_id: row().charge_id,
      total_cost: { excl_vat: -13.8, incl_vat: -16.42 },
    });
    expect(cdrs[2]).toMatchObject({ auth_method: 'COMMAND', cdr_token: { type: 'APP_USER' } });
    // The validator itself catches a broken CDR.
    expect(
      ocpiCdrViolations({ ...cdrs[0], total_cost: { excl_vat: '13.80' }, cdr_token: undefined }),
    ).toEqual(
      expect.arrayContaining([
        'total_cost.excl_vat: number required, got "13.80"',
        'cdr_token.uid: string(36) required, got undefined',
      ]),
    );
  });

  it('DATEV EXTF: header, semicolons, decimal commas, net and VAT booked to their accounts, reversal on the credit side', () => {
    const f = datevFormatter(datev, { year: 2024, month: 5 }, new Date('2024-06-02T08:00:00.007Z'));
    const lines = (f.header() + f.row(row(), 0) + f.row(reversal, 1)).split('\r\n');
    expect(lines[0]).toBe(
      '"EXTF";700;21;"Buchungsstapel";13;20240602080000007;;"RE";"billing-service";"";1001;1;20240101;4;20240501;20240531;"Ladevorgaenge 2024-05";"";1;0;0;"EUR";;"";;;"";;;;""',
    );
    expect(lines[1].split(';').slice(0, 4)).toEqual([
      'Umsatz (ohne Soll/Haben-Kz)',
      'Soll/Haben-Kennzeichen',
      'WKZ Umsatz',
      'Kurs',
    ]);
    expect(lines.slice(2, 6)).toEqual([
      '13,80;"S";"EUR";;;;1400;8200;;0105;"0F8E4A52-6A2B-5C1D-8E3F-1234567890AB";"NETTO";;"Laden CP1 15 kWh"',
      '2,62;"S";"EUR";;;;1400;1776;;0105;"0F8E4A52-6A2B-5C1D-8E3F-1234567890AB";"UST";;"Laden CP1 15 kWh"',
      '13,80;"H";"EUR";;;;1400;8200;;0105;"7A7A7A7A-1111-4222-8333-444455556666";"NETTO";;"Storno Laden CP1 15 kWh"',
      '2,62;"H";"EUR";;;;1400;1776;;0105;"7A7A7A7A-1111-4222-8333-444455556666";"UST";;"Storno Laden CP1 15 kWh"',
    ]);
    expect(() => f.row(row({ vat_rate: '0.16', vat: '2.21', gross: '16.01' }), 2)).toThrow(
      'DATEV_VAT_16_ACCOUNT',
    );
    expect(f.encoding).toBe('latin1');
    expect(f.row(row({ charge_point_id: 'Köln→CP€' }), 4)).toContain('"Laden Köln?CP? 15 kWh"');
    expect(() => f.row(row({ booked_local_date: '20240601' }), 3)).toThrow('outside period 202405');
  });

  it('finds local midnight and months in the books time zone', () => {
    expect(zonedMidnight('2024-05-01', 'Europe/Berlin').toISOString()).toBe('2024-04-30T22:00:00.000Z');
    expect(zonedMidnight('2024-01-01', 'Europe/Berlin').toISOString()).toBe('2023-12-31T23:00:00.000Z');
    expect(zonedMonth(new Date('2024-04-30T22:30:00Z'), 'Europe/Berlin')).toEqual({ year: 2024, month: 5 });
  });
});
