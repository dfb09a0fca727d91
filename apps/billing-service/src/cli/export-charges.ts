/**
 * `npm run -s export:charges -- --from 2024-05-01 --to 2024-06-01 [--format csv|jsonl|ocpi-cdr|datev] [--out FILE | --out-dir DIR]`
 *
 * The finance export of GET /v1/exports/charges from the command line, same code, same bytes.
 * Writes to stdout unless --out/--out-dir is given; DATEV writes one file per booking period
 * (month) and needs --out-dir when the range spans more than one. Config from env (DATABASE_URL,
 * BILLING_TIMEZONE, DATEV_*, OCPI_*), as the service.
 */
import { runExportCli } from './export-charges-command';

void runExportCli(process.argv.slice(2), process.env, process.stdout, process.stderr).then((code) => {
  process.exitCode = code;
});
