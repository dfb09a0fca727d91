import Decimal from 'decimal.js';
import type { ExportFormatter, ExportRow } from './export-row';

/** Accounts and identifiers of the DATEV import (env DATEV_*; defaults follow SKR03). */
export interface DatevSettings {
  consultantNumber: string;
  clientNumber: string;
  accountLength: number;
  fiscalYearStartMonth: number;
  /** Debit side of every booking: receivables or a clearing account of the payment provider. */
  receivableAccount: string;
  revenueAccount: string;
  /** VAT account by rate in percent ("19", "7", "7.5"); env DATEV_VAT_19_ACCOUNT, DATEV_VAT_7_ACCOUNT, DATEV_VAT_7_5_ACCOUNT. */
  vatAccounts: Record<string, string>;
  exportedBy: string;
}

export class DatevConfigError extends Error {}

/** A booking period: one calendar month in the books' time zone. */
export interface DatevPeriod {
  year: number;
  month: number;
}

export const periodKey = (p: DatevPeriod) => `${p.year}${String(p.month).padStart(2, '0')}`;
export const periodOfLocalDate = (yyyymmdd: string): DatevPeriod => ({
  year: Number(yyyymmdd.slice(0, 4)),
  month: Number(yyyymmdd.slice(4, 6)),
});

const COLUMNS = [
  'Umsatz (ohne Soll/Haben-Kz)',
  'Soll/Haben-Kennzeichen',
  'WKZ Umsatz',
  'Kurs',
  'Basis-Umsatz',
  'WKZ Basis-Umsatz',
  'Konto',
  'Gegenkonto (ohne BU-Schlüssel)',
  'BU-Schlüssel',
  'Belegdatum',
  'Belegfeld 1',
  'Belegfeld 2',
  'Skonto',
  'Buchungstext',
];

// DATEV reads ANSI (Windows-1252): characters it cannot hold become "?" rather than mojibake.
const text = (s: string) => `"${s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?').replace(/"/g, '""')}"`;
/** DATEV amounts: positive, decimal comma, no thousands separator ("1234,50"). */
const amount = (d: Decimal, places: number) => d.abs().toFixed(places).replace('.', ',');
const pad2 = (n: number) => String(n).padStart(2, '0');

function lastDayOfMonth(p: DatevPeriod): number {
  return new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
}

/** The env variables missing for these VAT rates (of charges with VAT), e.g. ["DATEV_VAT_16_ACCOUNT"]. */
export function missingVatAccounts(settings: DatevSettings, rates: string[]): string[] {
  return rates
    .map(vatPercentKey)
    .filter((key) => !settings.vatAccounts[key])
    .map((key) => `DATEV_VAT_${key}_ACCOUNT`);
}

export function vatPercentKey(rate: string): string {
  return new Decimal(rate).times(100).toFixed().replace('.', '_');
}

/**
 * DATEV-Format EXTF 700 "Buchungsstapel" (format version 13) of one booking period: the header
 * line, the column line, then per charge one booking of the net amount to the revenue account and
 * one of the VAT to the VAT account of its rate, both against the receivable account. A reversal
 * books the same with Soll/Haben swapped. Semicolons, decimal commas, CRLF.
 */
export function datevFormatter(
  settings: DatevSettings,
  period: DatevPeriod,
  createdAt: Date,
): ExportFormatter {
  const fyStart = settings.fiscalYearStartMonth;
  const fyYear = period.month >= fyStart ? period.year : period.year - 1;
  const created =
    `${createdAt.getUTCFullYear()}${pad2(createdAt.getUTCMonth() + 1)}${pad2(createdAt.getUTCDate())}` +
    `${pad2(createdAt.getUTCHours())}${pad2(createdAt.getUTCMinutes())}${pad2(createdAt.getUTCSeconds())}${String(createdAt.getUTCMilliseconds()).padStart(3, '0')}`;
  const ym = `${period.year}${pad2(period.month)}`;
  const header = [
    text('EXTF'),
    '700',
    '21',
    text('Buchungsstapel'),
    '13',
    created,
    '',
    text('RE'),
    text(settings.exportedBy),
    text(''),
    settings.consultantNumber,
    settings.clientNumber,
    `${fyYear}${pad2(fyStart)}01`,
    String(settings.accountLength),
    `${ym}01`,
    `${ym}${pad2(lastDayOfMonth(period))}`,
    text(`Ladevorgaenge ${period.year}-${pad2(period.month)}`),
    text(''),
    '1',
    '0',
    '0',
    text('EUR'),
    '',
    text(''),
    '',
    '',
    text(''),
    '',
    '',
    '',
    text(''),
  ].join(';');

  const vatAccount = (rate: string): string => {
    const key = vatPercentKey(rate);
    const account = settings.vatAccounts[key];
    if (!account)
      throw new DatevConfigError(
        `no VAT account for ${key.replace('_', '.')} %: set DATEV_VAT_${key}_ACCOUNT`,
      );
    return account;
  };

  return {
    contentType: 'text/csv; charset=windows-1252',
    fileExtension: 'csv',
    encoding: 'latin1',
    fields: [
      'charge_id',
      'kind',
      'booked_local_date',
      'charge_point_id',
      'energy_wh',
      'net',
      'vat',
      'vat_rate',
      'currency',
    ],
    header: () => `${header}\r\n${COLUMNS.join(';')}\r\n`,
    row: (r: ExportRow) => {
      const date = r.booked_local_date;
      if (date.slice(0, 6) !== ym)
        throw new Error(`charge ${r.charge_id} is booked on ${date}, outside period ${ym}`);
      const belegdatum = date.slice(6, 8) + date.slice(4, 6);
      const places = Math.max(0, (r.net.split('.')[1] ?? '').length);
      const kwh = new Decimal(r.energy_wh).abs().div(1000).toFixed().replace('.', ',');
      const label = `${r.kind === 'REVERSAL' ? 'Storno ' : ''}Laden ${r.charge_point_id} ${kwh} kWh`.slice(
        0,
        60,
      );
      const reference = text(r.charge_id.toUpperCase());
      const lines: string[] = [];
      const book = (value: string, counterAccount: string, what: string) => {
        const d = new Decimal(value);
        if (d.isZero()) return;
        // Positive amounts debit the receivable; a reversal (negative) credits it.
        const side = d.isNegative() ? 'H' : 'S';
        lines.push(
          [
            amount(d, places),
            text(side),
            text(r.currency),
            '',
            '',
            '',
            settings.receivableAccount,
            counterAccount,
            '',
            belegdatum,
            reference,
            text(what),
            '',
            text(label),
          ].join(';'),
        );
      };
      book(r.net, settings.revenueAccount, 'NETTO');
      book(r.vat, new Decimal(r.vat).isZero() ? '' : vatAccount(r.vat_rate), 'UST');
      return lines.length ? lines.join('\r\n') + '\r\n' : '';
    },
    footer: () => '',
  };
}
