import { badRequest, unprocessable } from '../domain/errors';
import { csvFormatter } from '../domain/exports/csv';
import {
  datevFormatter,
  missingVatAccounts,
  periodKey,
  periodOfLocalDate,
  type DatevPeriod,
  type DatevSettings,
} from '../domain/exports/datev';
import { EXPORT_FORMATS, type ExportFormat, type ExportFormatter } from '../domain/exports/export-row';
import { jsonlFormatter } from '../domain/exports/jsonl';
import { ocpiCdrFormatter, type OcpiSettings } from '../domain/exports/ocpi-cdr';
import { zonedMidnight, zonedMonth } from '../domain/exports/zoned-time';
import { parseQuery, query as param } from '@app/http';
import type { ChargeExportSource, ExportTotals } from './ports';

export interface ExportRequest {
  from: Date;
  to: Date;
  format: ExportFormat;
}

export interface ExportSettings {
  timeZone: string;
  batchRows: number;
  datev: DatevSettings;
  ocpi: OcpiSettings;
  now?: () => Date;
}

/** An export file being written; `write` resolves when the sink can take more (backpressure). */
export interface ExportFile {
  /** A Buffer holds bytes already encoded in the file's encoding. */
  write(chunk: string | Buffer): Promise<void>;
  end(): Promise<void>;
}
export type OpenExportFile = (
  name: string,
  contentType: string,
  encoding: 'utf8' | 'latin1',
) => Promise<ExportFile>;

/** `from`/`to`: unix seconds, an ISO instant with offset, or a date (midnight in the books' time zone); `to` is exclusive. */
export function exportQuery(timeZone: string) {
  const bound = param.instant({ midnightOf: (date) => zonedMidnight(date, timeZone) }).required();
  return { from: bound, to: bound, format: param.enumOf(EXPORT_FORMATS).default('csv') };
}

export function parseExportQuery(q: Record<string, unknown>, timeZone: string): ExportRequest {
  const { from, to, format } = parseQuery(exportQuery(timeZone), q);
  if (to.getTime() <= from.getTime()) throw badRequest('to must be after from');
  return { from, to, format };
}

/**
 * A charge's booking time (`calculated_at`) is stamped before its transaction commits, and billing's
 * transactions are capped at 30 s (createPool). So a range is final only once its `to` lies this far
 * in the past; an export of a more recent range is provisional: a charge booked just before `to`
 * may still be committing, and would then be in neither this export nor the next one.
 */
export const EXPORT_SETTLE_MS = 60_000;

export function isProvisional(req: ExportRequest, now: Date = new Date()): boolean {
  return req.to.getTime() > now.getTime() - EXPORT_SETTLE_MS;
}

/** The booking periods (months) a range touches, in the books' time zone. */
export function periodsOf(req: ExportRequest, timeZone: string): DatevPeriod[] {
  const first = zonedMonth(req.from, timeZone);
  const last = zonedMonth(new Date(req.to.getTime() - 1), timeZone);
  const out: DatevPeriod[] = [];
  for (
    let y = first.year, m = first.month;
    y < last.year || (y === last.year && m <= last.month);
    m === 12 ? (y++, (m = 1)) : m++
  ) {
    out.push({ year: y, month: m });
  }
  return out;
}

function formatterFor(format: ExportFormat, s: ExportSettings): ExportFormatter {
  if (format === 'csv') return csvFormatter();
  if (format === 'jsonl') return jsonlFormatter();
  if (format === 'ocpi-cdr') return ocpiCdrFormatter(s.ocpi);
  throw new Error('datev has one formatter per period');
}

/** UTF-8 bytes of one batch, in buffers of BATCH_BUFFER_BYTES (a longer row gets one of its own). */
const BATCH_BUFFER_BYTES = 512 * 1024;
class Utf8Batch {
  private readonly full: Buffer[] = [];
  private buf = Buffer.allocUnsafe(BATCH_BUFFER_BYTES);
  private used = 0;

  add(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (this.buf.length - this.used < text.length * 3) {
      if (this.used > 0) this.full.push(this.buf.subarray(0, this.used));
      this.buf = Buffer.allocUnsafe(Math.max(BATCH_BUFFER_BYTES, text.length * 3));
      this.used = 0;
    }
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  chunks(): Buffer[] {
    return this.used > 0 ? [...this.full, this.buf.subarray(0, this.used)] : this.full;
  }
}

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * Streams the charges booked in [from, to) into export files, a cursor batch at a time, in
 * constant memory. DATEV gets one file per booking period (month), every period of the range
 * even when it booked nothing; the other formats one file.
 */
/** The currency of our DATEV batches (header field WKZ); charges in other currencies are refused. */
export const DATEV_CURRENCY = 'EUR';

export class ExportCharges {
  constructor(
    private readonly source: ChargeExportSource,
    readonly settings: ExportSettings,
  ) {}

  /** Parses `from`, `to`, `format` in the books' time zone. */
  parse(query: Record<string, unknown>): ExportRequest {
    return parseExportQuery(query, this.settings.timeZone);
  }

  /** The sums an export of the same range adds up to, per currency (for reconciliation). */
  totals(req: ExportRequest): Promise<ExportTotals[]> {
    return this.source.totals(req);
  }

  async run(req: ExportRequest, open: OpenExportFile): Promise<{ rows: number; files: string[] }> {
    const s = this.settings;
    const now = s.now?.() ?? new Date();
    const files: string[] = [];
    let rows = 0;

    if (req.format !== 'datev') {
      const f = formatterFor(req.format, s);
      const name = `charges_${stamp(req.from)}_${stamp(req.to)}.${req.format === 'ocpi-cdr' ? 'cdrs.json' : f.fileExtension}`;
      const file = await open(name, f.contentType, f.encoding ?? 'utf8');
      files.push(name);
      await file.write(f.header());
      const utf8 = (f.encoding ?? 'utf8') === 'utf8';
      for await (const batch of this.source.rows(req, s.timeZone, s.batchRows, f.fields)) {
        if (utf8) {
          // Each row is encoded into the batch's buffer as it is made: cheaper than joining the rows
          // into one string (flattening a rope per row) and encoding that again.
          const out = new Utf8Batch();
          for (let i = 0; i < batch.length; i++) out.add(f.row(batch[i], rows++));
          for (const chunk of out.chunks()) await file.write(chunk);
        } else {
          // join() builds one flat string; `+=` would build a deep rope that costs more to encode.
          const parts = new Array<string>(batch.length);
          for (let i = 0; i < batch.length; i++) parts[i] = f.row(batch[i], rows++);
          await file.write(parts.join(''));
        }
      }
      await file.write(f.footer());
      await file.end();
      return { rows, files };
    }

    // Checked before the first byte: a missing account found mid-stream could only cut the file short.
    // The batch header declares EUR and we write no exchange rates, so other currencies cannot go in.
    const mix = await this.source.currencyMix(req);
    const foreign = mix
      .filter((m) => m.currency !== DATEV_CURRENCY)
      .map((m) => `${m.currency} (${m.charges} charges)`);
    if (foreign.length > 0) {
      throw unprocessable(
        `a DATEV Buchungsstapel here is in ${DATEV_CURRENCY}; the range also has ${foreign.join(', ')}: export those as csv, jsonl or ocpi-cdr`,
        'DATEV_CURRENCY',
      );
    }
    const missing = missingVatAccounts(
      s.datev,
      mix.flatMap((m) => m.vatRates),
    );
    if (missing.length > 0) {
      throw unprocessable(
        `the range has VAT rates without a DATEV account: set ${missing.join(', ')}`,
        'DATEV_VAT_ACCOUNT_MISSING',
      );
    }
    const periods = periodsOf(req, s.timeZone);
    let current: { key: string; formatter: ExportFormatter; file: ExportFile } | null = null;
    const openPeriod = async (p: DatevPeriod) => {
      if (current) await current.file.end();
      const formatter = datevFormatter(s.datev, p, now);
      const name = `EXTF_Buchungsstapel_${periodKey(p)}.csv`;
      const file = await open(name, formatter.contentType, formatter.encoding ?? 'utf8');
      files.push(name);
      await file.write(formatter.header());
      current = { key: periodKey(p), formatter, file };
    };
    let next = 0; // index into periods of the next file to open
    const datevFields = datevFormatter(s.datev, periods[0], now).fields;
    for await (const batch of this.source.rows(req, s.timeZone, s.batchRows, datevFields)) {
      let chunk = '';
      for (const r of batch) {
        const key = periodKey(periodOfLocalDate(r.booked_local_date));
        if (!current || (current as { key: string }).key !== key) {
          if (chunk) await current!.file.write(chunk);
          chunk = '';
          while (next < periods.length && periodKey(periods[next]) <= key) await openPeriod(periods[next++]);
        }
        chunk += current!.formatter.row(r, rows++);
      }
      if (chunk) await current!.file.write(chunk);
    }
    while (next < periods.length) await openPeriod(periods[next++]);
    if (current) await (current as { file: ExportFile }).file.end();
    return { rows, files };
  }
}
