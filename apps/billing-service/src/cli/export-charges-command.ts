/** The export:charges command as a function (tests call it; `export-charges.ts` runs it). */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ConfigError } from '@app/config';
import {
  ExportCharges,
  isProvisional,
  parseExportQuery,
  periodsOf,
  type ExportFile,
} from '../application/export-charges';
import { exportSettingsOf } from '../composition';
import { loadBillingServiceConfig } from '../config';
import { PostgresChargeExportSource } from '../infrastructure/exports/charge-export-reader';
import { BillingError } from '../domain/errors';
import { createPool } from '../infrastructure/database/pool';

export class UsageError extends Error {}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--(from|to|format|out|out-dir)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unknown argument "${arg}"`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${m[1]} needs a value`);
    out[m[1]] = value;
  }
  return out;
}

async function writeTo(stream: Writable, chunk: string | Buffer, encoding: BufferEncoding): Promise<void> {
  if (chunk.length > 0 && !stream.write(chunk, encoding)) await once(stream, 'drain');
}

/** Runs the export; returns the exit code (0 ok, 2 bad usage or request, 1 failure). */
export async function runExportCli(
  argv: string[],
  env: Record<string, string | undefined>,
  stdout: Writable,
  stderr: Writable,
): Promise<number> {
  try {
    const args = parseArgs(argv);
    const config = loadBillingServiceConfig(env);
    const req = parseExportQuery(
      { from: args.from, to: args.to, format: args.format },
      config.BILLING_TIMEZONE,
    );
    if (isProvisional(req)) {
      stderr.write(
        'export:charges: warning: the range ends less than a minute ago or in the future; charges still committing may be missing (provisional export)\n',
      );
    }
    if (args.out && args['out-dir']) throw new UsageError('give --out or --out-dir, not both');
    const multi = req.format === 'datev' && periodsOf(req, config.BILLING_TIMEZONE).length > 1;
    if (multi && !args['out-dir'])
      throw new UsageError(
        'the range spans several booking periods: DATEV needs --out-dir DIR for one file per month',
      );
    if (args['out-dir']) fs.mkdirSync(args['out-dir'], { recursive: true });

    const pool = createPool(config.DATABASE_URL, 2, false);
    try {
      const exporter = new ExportCharges(new PostgresChargeExportSource(pool), exportSettingsOf(config, env));
      const result = await exporter.run(req, async (name, _contentType, encoding): Promise<ExportFile> => {
        const target = args['out-dir'] ? path.join(args['out-dir'], name) : args.out;
        if (!target) return { write: (c) => writeTo(stdout, c, encoding), end: async () => undefined };
        const file = fs.createWriteStream(target);
        return {
          write: (c) => writeTo(file, c, encoding),
          end: async () => {
            file.end();
            await once(file, 'finish');
          },
        };
      });
      stderr.write(
        `exported ${result.rows} charges${args.out || args['out-dir'] ? ` to ${result.files.join(', ')}` : ''}\n`,
      );
      return 0;
    } finally {
      await pool.end();
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof BillingError) {
      stderr.write(`export:charges: ${e.message}\n`);
      return 2;
    }
    stderr.write(`export:charges failed: ${(e as Error).message}\n`);
    return 1;
  }
}
