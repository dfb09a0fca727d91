/**
 * `npm run bench:billing`: (1) quotes per second on one core, the calculator path billing-service
 * and `npm run -s quote` take (bench/billing-quote.ts); (2) finance export rows per second and
 * peak RSS for 1,000,000 charges (BENCH_QUICK=1: 100,000) generated into a scratch database,
 * exported as CSV (BENCH_EXPORT_FORMATS=csv,jsonl,ocpi-cdr,datev: each of those, one child each)
 * through the same code as GET /v1/exports/charges and the export:charges CLI, in a
 * child process whose peak RSS (getrusage maxrss) is the figure. The child runs compiled JavaScript
 * (tsc of this file's import closure into .data/bench-billing, ~10 s) like the deployed service,
 * so the figure is the export's memory, not the on-the-fly TypeScript compiler's (~150 MB).
 * Last line: {"bench":"billing","quotes_per_s":..,"export_rows_per_s":..,"export_peak_rss_mb":..}
 */
// Only built-ins at the top: the export child must load nothing but the export's own code.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Client } from 'pg';

const QUICK = process.env.BENCH_QUICK === '1';
const report = (line: string) => process.stdout.write(`${line}\n`);
const CHARGES = QUICK ? 100_000 : 1_000_000;
const QUOTE_MS = QUICK ? 3000 : 10_000;
/** BENCH_EXPORT_FORMATS=csv,jsonl,ocpi-cdr,datev measures those too (default: csv, the headline figure). */
const FORMATS = (process.env.BENCH_EXPORT_FORMATS ?? 'csv')
  .split(',')
  .map((f) => f.trim())
  .filter(Boolean);

/** Inserts `count` realistic charges booked over May 2024 (amounts computed in numeric, so gross = net + vat holds). */
async function generateCharges(db: Client, count: number): Promise<void> {
  const chunk = 100_000;
  for (let first = 1; first <= count; first += chunk) {
    const last = Math.min(count, first + chunk - 1);
    await db.query(
      `insert into charges (charge_id, kind, session_id, fleet_id, charge_point_id, connector_id, evse, transaction_id, auth_type, id_tag,
         stop_reason, tariff, tariff_id, tariff_version, meter_start, meter_stop, started_at, completed_at, inputs, energy_wh, duration_s,
         energy_amount, session_amount, time_amount, net, vat, gross, vat_rate, currency, flags, signed_meter_values, calculated_at)
       select gen_random_uuid(), 'CHARGE', gen_random_uuid(), 'fleet-' || (i % 50), cp, 1, cp || '*1', i, 'LOCAL', 'TAG' || (i % 100000),
         'Local', tariff, 'tariff-b', 1, m0, m0 + wh, st, st + make_interval(secs => dur), 
         jsonb_build_object('tariff', tariff, 'meter_start', m0, 'meter_stop', m0 + wh, 'started_at', st, 'completed_at', st + make_interval(secs => dur)),
         wh, dur, energy, 0.3500, time_cost, net, round(net * 0.19, 2), net + round(net * 0.19, 2), 0.19, 'EUR',
         case when i % 97 = 0 then '{INFERRED_STOP}'::text[] else '{}'::text[] end,
         jsonb_build_array('OCMF|{"FV":"1.0","GI":"SEAL AG","RD":[{"TM":"' || st || '","RV":' || m0 || '}]}|{"SA":"ECDSA-secp256r1-SHA256","SD":"3045022100' || md5(i::text) || '"}'),
         timestamptz '2024-05-01 00:00:00+02' + make_interval(secs => (i::bigint * 2678400 / $2))
       from (
         select i, 'CP' || (i % 5000) as cp, (i::bigint * 7919) % 50000000 as m0, (i::bigint * 104729) % 80000 as wh,
                300 + (i::bigint * 15485863) % 36000 as dur, timestamptz '2024-04-30 20:00:00+00' + make_interval(secs => (i::bigint * 2678400 / $2)) as st,
                '{"kwh_price":"0.59","session_price":"0.35","time_tariffs":[{"starting_at_minute":60,"minute_price":"0.10"}],"vat":"0.19","currency":"EUR","max_charging_time":1440}'::jsonb as tariff
         from generate_series($1::int, $3::int) as i
       ) s,
       lateral (select round(0.59 * s.wh / 1000, 4) as energy, round(greatest(0, least(s.dur, 86400) - 3600) * 0.10 / 60, 4) as time_cost) a,
       lateral (select round(a.energy + 0.35 + a.time_cost, 2) as net) n`,
      [first, count, last],
    );
    report(`generated ${last.toLocaleString('en')} / ${count.toLocaleString('en')} charges`);
  }
  await db.query('analyze charges');
}

interface ExportChildResult {
  rows: number;
  seconds: number;
  bytes: number;
  max_rss_mb: number;
  /** CPU seconds (user + system) the export process spent: a figure the machine's load does not skew. */
  cpu_s: number;
}

/** Child mode: export everything in `format` (default CSV) to a counting sink, report rows, time and own peak RSS. */
async function exportChild(url: string, format = 'csv'): Promise<void> {
  const { runExportCli } = await import('../apps/billing-service/src/cli/export-charges-command');
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  let errText = '';
  const err = new Writable({
    write(chunk: Buffer, _enc, cb) {
      errText += chunk.toString();
      cb();
    },
  });
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  // DATEV writes one file per month: into a scratch directory (not counted in `bytes`).
  const outDir = format === 'datev' ? fs.mkdtempSync(path.join(tmpdir(), 'bench-billing-datev-')) : undefined;
  const args = [
    '--from',
    '2024-04-01',
    '--to',
    '2024-07-01',
    '--format',
    format,
    ...(outDir ? ['--out-dir', outDir] : []),
  ];
  const code = await runExportCli(args, { ...process.env, DATABASE_URL: url }, sink, err);
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (code !== 0) throw new Error(`export failed: ${errText}`);
  const rows = Number(/exported (\d+) charges/.exec(errText)?.[1] ?? NaN);
  const result: ExportChildResult = {
    rows,
    seconds,
    bytes,
    max_rss_mb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    cpu_s: (cpu.user + cpu.system) / 1e6,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

const ROOT = path.resolve(__dirname, '..');

/** Compiles this file's import closure to .data/bench-billing/dist (tsc + tsc-alias); returns the compiled bench. */
function compileForChild(): string {
  const dir = path.join(ROOT, '.data', 'bench-billing');
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'tsconfig.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      extends: '../../tsconfig.build.json',
      compilerOptions: { outDir: './dist', rootDir: '../..', sourceMap: false },
      include: [],
      files: ['../../bench/billing.bench.ts'],
    }),
  );
  const run = (script: string) =>
    spawnSync(process.execPath, [path.join(ROOT, script), '-p', config], { cwd: ROOT, encoding: 'utf8' });
  const tsc = run('node_modules/typescript/bin/tsc');
  const out = path.join(dir, 'dist', 'bench', 'billing.bench.js');
  // tsc emits despite type errors elsewhere in the tree; only a missing output is fatal.
  if (!fs.existsSync(out)) throw new Error(`compiling the export child failed: ${tsc.stdout}${tsc.stderr}`);
  const alias = run('node_modules/tsc-alias/dist/bin/index.js');
  if (alias.status !== 0) throw new Error(`tsc-alias failed: ${alias.stdout}${alias.stderr}`);
  return out;
}

function runExportChild(compiled: string, url: string, format: string): Promise<ExportChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [compiled, '--export-child', url, format], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`export child exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ExportChildResult);
    });
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--export-child') return exportChild(process.argv[3], process.argv[4]);

  const { benchQuotes } = await import('./billing-quote');
  const { finish } = await import('./lib/stats');
  const { Client: PgClient } = await import('pg');
  const { createDatabase, databaseUrl, dropDatabase, ensurePostgres, migrateApp } =
    await import('@app/testing/stack');
  const { uniqueSuffix } = await import('@app/testing');

  report(
    `bench:billing${QUICK ? ' (BENCH_QUICK)' : ''}: quotes for ${QUOTE_MS / 1000} s, then an export of ${CHARGES.toLocaleString('en')} charges`,
  );
  const compiled = compileForChild();
  const quotes = await benchQuotes(QUOTE_MS);
  report(
    `quotes (validate tariff + parse + price, one core): ${quotes.quotes_per_s.toLocaleString('en')} /s; with a cached validated tariff: ${quotes.prevalidated_quotes_per_s.toLocaleString('en')} /s`,
  );

  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const pg = await ensurePostgres(serverUrl, () => undefined);
  const name = `bench_billing_${uniqueSuffix()}`;
  await createDatabase(serverUrl, name);
  const url = databaseUrl(serverUrl, name);
  try {
    await migrateApp('billing-service', url);
    const db = new PgClient({ connectionString: url });
    await db.connect();
    const t0 = Date.now();
    try {
      await generateCharges(db, CHARGES);
    } finally {
      await db.end();
    }
    report(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const figures: Record<string, number> = {};
    for (const format of FORMATS) {
      const exp = await runExportChild(compiled, url, format);
      if (exp.rows !== CHARGES) throw new Error(`exported ${exp.rows} ${format} rows, expected ${CHARGES}`);
      const rowsPerS = Math.round(exp.rows / exp.seconds);
      const rowsPerCpuS = Math.round(exp.rows / exp.cpu_s);
      report(
        `export ${format}: ${exp.rows.toLocaleString('en')} rows, ${(exp.bytes / 1e6).toFixed(0)} MB in ${exp.seconds.toFixed(1)} s = ${rowsPerS.toLocaleString('en')} rows/s; peak RSS ${exp.max_rss_mb} MB`,
      );
      report(
        `export process CPU: ${exp.cpu_s.toFixed(1)} s = ${rowsPerCpuS.toLocaleString('en')} rows per CPU second (load average now ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`,
      );
      // CSV keeps the historical keys; other formats get their name in theirs.
      const key = format === 'csv' ? 'export' : `export_${format.replace(/-/g, '_')}`;
      if (format === 'csv') figures.export_rows = exp.rows;
      figures[`${key}_rows_per_s`] = rowsPerS;
      figures[`${key}_peak_rss_mb`] = exp.max_rss_mb;
      figures[`${key}_rows_per_cpu_s`] = rowsPerCpuS;
    }
    finish({
      bench: 'billing',
      quotes_per_s: quotes.quotes_per_s,
      prevalidated_quotes_per_s: quotes.prevalidated_quotes_per_s,
      ...figures,
    });
  } finally {
    await dropDatabase(serverUrl, name).catch(() => undefined);
    await pg.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`bench:billing failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
