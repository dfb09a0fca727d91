import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import Decimal from 'decimal.js';
import { Client } from 'pg';
import {
  makeEnvelope,
  parseEnvelope,
  SESSION_EVENT_SCHEMAS,
  topicName,
  type ChargeCalculated,
  type SessionCompleted,
} from '@app/contracts';
import { KafkaPublisher } from '@app/kafka';
import { REPO_ROOT } from '@app/testing';
import { http, readTopicUntil, startBilling, waitFor, type RunningBilling } from '../../test/billing-app';
import { ocpiCdrViolations } from '../../test/ocpi-cdr-validator';
import { runExportCli } from '../cli/export-charges-command';
import { CSV_COLUMNS, parseCsvLine } from '../domain/exports/csv';
import { chargeForCompletedSession } from '../domain/charge';
import { chargeRepository } from '../infrastructure/charge-repository';
import { TARIFF_A } from '@app/testing/fixtures';

/** Tariff A with a session fee, so every amount column has a value. */
const tariff = { ...TARIFF_A, session_price: '0.50' };

function session(wh: number, seconds: number): SessionCompleted {
  const start = Date.parse('2024-05-01T10:00:00Z');
  return {
    sessionId: randomUUID(),
    fleetId: 'fleet-1',
    chargePointId: 'CP1',
    connectorId: 1,
    evse: 'CP1*1',
    transactionId: 7,
    authType: 'LOCAL',
    userReference: null,
    idTag: 'TAG1',
    tariff,
    meterStartWh: 500,
    meterStopWh: 500 + wh,
    startedAt: new Date(start).toISOString(),
    completedAt: new Date(start + seconds * 1000).toISOString(),
    stopReason: 'Local',
    flags: wh % 2 ? ['INFERRED_STOP'] : [],
    signedMeterValues: [`OCMF|{"RD":[{"RV":${wh}}]}|{"SD":"AB"}`],
  };
}

const sum = (values: string[]) => values.reduce((s, v) => s.plus(v), new Decimal(0)).toFixed(2);

describe('finance exports reconcile with the database and the charges topic', () => {
  let b: RunningBilling;
  let db: Client;
  let publisher: KafkaPublisher;
  const from = new Date(Date.now() - 3600_000).toISOString();
  const to = new Date(Date.now() + 3600_000).toISOString();
  const q = (format: string) =>
    `${b.url}/v1/exports/charges?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&format=${format}`;

  beforeAll(async () => {
    b = await startBilling('billing_exports', { EXPORT_BATCH_ROWS: '10' });
    db = new Client({ connectionString: b.db.url });
    await db.connect();
    publisher = new KafkaPublisher(b.kafka.kafka);
    await publisher.connect();
    // 25 sessions (3 cursor batches of 10), then one correction: 25 charges + 1 reversal + 1 replacement.
    for (let i = 0; i < 25; i++) {
      const s = session(1000 + i * 777, 600 + i * 301);
      const env = makeEnvelope({
        type: 'SessionCompleted',
        source: 'session-service',
        subject: s.sessionId,
        schema: SESSION_EVENT_SCHEMAS.SessionCompleted,
        data: s,
      });
      await publisher.publish({
        topic: topicName('chargingSessions', b.kafka.prefix),
        key: s.sessionId,
        value: JSON.stringify(env),
      });
    }
    await waitFor(async () => (await db.query('select count(*)::int as n from charges')).rows[0].n === 25);
    const { rows } = await db.query(`select charge_id from charges order by seq limit 1`);
    const fix = await http('POST', `${b.url}/v1/charges/${rows[0].charge_id}/corrections`, {
      reason: 'meter replaced',
      meter_stop: 1200,
    });
    expect(fix.status).toBe(201);
  });
  afterAll(async () => {
    await publisher.disconnect();
    await db.end();
    await b.stop();
  });

  it('CSV, JSONL, OCPI and DATEV totals equal the database and the ChargeCalculated records, to the cent', async () => {
    const dbTotals = (
      await db.query(
        `select count(*)::int as n, sum(net)::text as net, sum(vat)::text as vat, sum(gross)::text as gross from charges`,
      )
    ).rows[0];
    expect(dbTotals.n).toBe(27);

    const records = await readTopicUntil(
      b.kafka,
      topicName('sessionCharges', b.kafka.prefix),
      (rs) => rs.length >= 27,
    );
    const events = records.map((r) => parseEnvelope(r.value).data as ChargeCalculated);
    expect(new Set(events.map((e) => e.chargeId)).size).toBe(27);
    const topicGross = sum(events.map((e) => e.finalAmount.gross));
    expect(topicGross).toBe(new Decimal(dbTotals.gross).toFixed(2));
    const byId = new Map(events.map((e) => [e.chargeId, e]));

    const csv = await http('GET', q('csv'));
    expect(csv.status).toBe(200);
    const lines = csv.text.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    const rows = lines
      .slice(1)
      .map(parseCsvLine)
      .map((f) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, f[i]])));
    expect(rows).toHaveLength(27);
    for (const r of rows) {
      const e = byId.get(r.charge_id)!;
      expect([r.kind, r.net, r.vat, r.gross, r.energy_wh]).toEqual([
        e.kind,
        e.finalAmount.net,
        e.finalAmount.vat,
        e.finalAmount.gross,
        String(e.energyWh),
      ]);
      expect(JSON.parse(r.signed_meter_values)).toHaveLength(1);
      expect(JSON.parse(r.time_tariffs)).toEqual([{ starting_at_minute: 45, minute_price: '0.12' }]);
    }
    expect(sum(rows.map((r) => r.gross))).toBe(topicGross);
    expect(sum(rows.map((r) => r.net))).toBe(new Decimal(dbTotals.net).toFixed(2));
    expect(rows.filter((r) => r.kind === 'REVERSAL')).toHaveLength(1);

    const jsonl = (await http('GET', q('jsonl'))).text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jsonl).toHaveLength(27);
    expect(sum(jsonl.map((o) => o.final_amount.gross))).toBe(topicGross);

    const cdrs = JSON.parse((await http('GET', q('ocpi-cdr'))).text);
    expect(cdrs).toHaveLength(27);
    for (const cdr of cdrs) expect(ocpiCdrViolations(cdr)).toEqual([]);
    expect(sum(cdrs.map((c: { total_cost: { incl_vat: number } }) => String(c.total_cost.incl_vat)))).toBe(
      topicGross,
    );

    // DATEV: this month only; Soll minus Haben over all lines is the gross of the charges.
    const month = new Date();
    const monthStart = `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, '0')}-01`;
    const dtv = await http(
      'GET',
      `${b.url}/v1/exports/charges?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&format=datev`,
    );
    if (dtv.status === 400) {
      // The hour around now straddles a month boundary in Europe/Berlin: nothing to check here.
      expect(dtv.body.error.code).toBe('DATEV_ONE_PERIOD');
    } else {
      const dl = dtv.text.split('\r\n').filter(Boolean);
      expect(dl[0].startsWith('"EXTF";700;21;"Buchungsstapel";13;')).toBe(true);
      const signed = dl.slice(2).map((l) => {
        const [amount, side] = l.split(';');
        return (side === '"H"' ? '-' : '') + amount.replace(',', '.');
      });
      expect(sum(signed)).toBe(topicGross);
    }
    const twoMonths = await http(
      'GET',
      `${b.url}/v1/exports/charges?from=${monthStart}&to=2999-03-01&format=datev`,
    );
    expect(twoMonths.status).toBe(400);
    expect(twoMonths.body.error.code).toBe('DATEV_ONE_PERIOD');

    const totals = await http(
      'GET',
      `${b.url}/v1/exports/charges/totals?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    );
    expect(totals.body.totals).toEqual([
      {
        currency: 'EUR',
        rows: 27,
        energy_wh: expect.any(String),
        net: dbTotals.net,
        vat: dbTotals.vat,
        gross: dbTotals.gross,
      },
    ]);
  });

  it('rejects a bad export request with a 400', async () => {
    for (const [query, code] of [
      ['format=csv', 'INVALID_QUERY'],
      [`from=${from}&to=2000-01-01`, 'VALIDATION_FAILED'],
      ['from=2024-05-01&to=2024-06-01&format=xml', 'INVALID_QUERY'],
      ['from=yesterday&to=2024-06-01', 'INVALID_QUERY'],
      ['from=999999999999&to=2024-06-01', 'INVALID_QUERY'],
    ]) {
      const res = await http('GET', `${b.url}/v1/exports/charges?${query}`);
      expect({ query, status: res.status, code: res.body.error.code }).toEqual({ query, status: 400, code });
    }
  });

  it('the CLI writes one DATEV file per booking period, in the books time zone', async () => {
    // Booked 2024-04-30T22:30Z = 2024-05-01 00:30 in Berlin: period 202405, Belegdatum 0105.
    // 15 kWh × 0.88 = 13.20 + session 0.50 + 5 min × 0.12 = 0.60 → net 14.30, VAT 19 % 2.717 → 2.72.
    const result = chargeForCompletedSession(session(15000, 3000), randomUUID(), '2024-04-30T22:30:00.000Z');
    if (!('charge' in result)) throw new Error('not priced');
    await chargeRepository.insertSessionCharge(db, result.charge);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datev-'));
    const out = new PassThrough();
    const err = new PassThrough();
    let errText = '';
    err.on('data', (d) => (errText += d));
    const env = { DATABASE_URL: b.db.url, DATEV_REVENUE_ACCOUNT: '8300' };
    const code = await runExportCli(
      ['--from', '2024-04-01', '--to', '2024-07-01', '--format', 'datev', '--out-dir', dir],
      env,
      out,
      err,
    );
    expect({ code, errText }).toEqual({ code: 0, errText: expect.stringContaining('exported 1 charges') });
    expect(fs.readdirSync(dir).sort()).toEqual([
      'EXTF_Buchungsstapel_202404.csv',
      'EXTF_Buchungsstapel_202405.csv',
      'EXTF_Buchungsstapel_202406.csv',
    ]);
    const may = fs
      .readFileSync(path.join(dir, 'EXTF_Buchungsstapel_202405.csv'), 'utf8')
      .split('\r\n')
      .filter(Boolean);
    expect(may[0]).toContain(';20240501;20240531;');
    expect(may.slice(2)).toEqual([
      `14,30;"S";"EUR";;;;1400;8300;;0105;"${result.charge.chargeId.toUpperCase()}";"NETTO";;"Laden CP1 15 kWh"`,
      `2,72;"S";"EUR";;;;1400;1776;;0105;"${result.charge.chargeId.toUpperCase()}";"UST";;"Laden CP1 15 kWh"`,
    ]);
    expect(
      fs.readFileSync(path.join(dir, 'EXTF_Buchungsstapel_202404.csv'), 'utf8').split('\r\n').filter(Boolean),
    ).toHaveLength(2);
    // Windows-1252 bytes, as DATEV reads them: ü is one byte 0xFC.
    const bytes = fs.readFileSync(path.join(dir, 'EXTF_Buchungsstapel_202405.csv'));
    expect(bytes.includes(Buffer.from([0xfc]))).toBe(true);
    expect(bytes.toString('latin1').split('\r\n')[1]).toContain('Gegenkonto (ohne BU-Schlüssel)');

    // A VAT rate without a DATEV account is refused before any byte is written, naming the variable.
    const r16 = chargeForCompletedSession(
      { ...session(1000, 60), tariff: { ...tariff, vat: '0.16' } },
      randomUUID(),
      '2024-06-10T10:00:00.000Z',
    );
    if (!('charge' in r16)) throw new Error('not priced');
    await chargeRepository.insertSessionCharge(db, r16.charge);
    const june = await http('GET', `${b.url}/v1/exports/charges?from=2024-06-01&to=2024-07-01&format=datev`);
    expect(june.status).toBe(422);
    expect(june.body.error).toEqual({
      code: 'DATEV_VAT_ACCOUNT_MISSING',
      message: expect.stringContaining('DATEV_VAT_16_ACCOUNT'),
    });
    const withAccount = await runExportCli(
      ['--from', '2024-06-01', '--to', '2024-07-01', '--format', 'datev', '--out-dir', dir],
      { ...env, DATEV_VAT_16_ACCOUNT: '1775' },
      out,
      err,
    );
    expect(withAccount).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'EXTF_Buchungsstapel_202406.csv'), 'utf8')).toContain(
      ';1400;1775;;1006;',
    );

    // A charge in another currency cannot go into our EUR batch: refused before any byte, by name.
    const chf = chargeForCompletedSession(
      { ...session(1000, 60), tariff: { ...tariff, currency: 'CHF' } },
      randomUUID(),
      '2024-08-10T10:00:00.000Z',
    );
    if (!('charge' in chf)) throw new Error('not priced');
    await chargeRepository.insertSessionCharge(db, chf.charge);
    const august = await http(
      'GET',
      `${b.url}/v1/exports/charges?from=2024-08-01&to=2024-09-01&format=datev`,
    );
    expect(august.status).toBe(422);
    expect(august.body.error).toEqual({
      code: 'DATEV_CURRENCY',
      message: expect.stringContaining('CHF (1 charges)'),
    });
    expect(
      (await http('GET', `${b.url}/v1/exports/charges?from=2024-08-01&to=2024-09-01&format=csv`)).status,
    ).toBe(200);

    const noDir = await runExportCli(
      ['--from', '2024-04-01', '--to', '2024-07-01', '--format', 'datev'],
      env,
      out,
      err,
    );
    expect(noDir).toBe(2);
    expect(errText).toContain('--out-dir');

    // The correction CLI books a cancellation (a reversal with the reason) of that charge.
    const cli = (args: string[], stdin: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            path.join(REPO_ROOT, 'scripts/run-ts.mjs'),
            path.join(REPO_ROOT, 'apps/billing-service/src/cli/correct-charge.ts'),
            ...args,
          ],
          {
            env: { ...process.env, DATABASE_URL: b.db.url, AUTH_DATABASE_URL: b.db.url },
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(stdin);
      });
    const cancelled = await cli(
      [result.charge.chargeId, '--actor', 'finance-desk'],
      JSON.stringify({ reason: 'duplicate session', cancel: true }),
    );
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout).reversal).toMatchObject({
      kind: 'REVERSAL',
      reverses_charge_id: result.charge.chargeId,
      reason: 'duplicate session',
      actor: { kind: 'cli', id: 'finance-desk' },
    });
    const audited = await db.query(
      `select actor_kind, actor_id, action from auth_audit_log where target_id = $1`,
      [result.charge.chargeId],
    );
    expect(audited.rows).toEqual([
      { actor_kind: 'cli', actor_id: 'finance-desk', action: 'charge.cancelled' },
    ]);
    const twice = await cli([result.charge.chargeId], JSON.stringify({ reason: 'again', cancel: true }));
    expect({ code: twice.code, stderr: twice.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining('already reversed'),
    });
  });
});
