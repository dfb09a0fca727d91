import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BAD_REQUEST_EXIT_CODE, runQuoteCommand } from '@app/pricing';

const REPO_ROOT = path.resolve(__dirname, '../../..');

// Worked example A of ARCHITECTURE.md, as finance would paste it.
const EXAMPLE_A = {
  tariff: {
    kwh_price: 0.88,
    session_price: 0,
    time_tariffs: [{ starting_at_minute: 45, minute_price: 0.12 }],
    vat: 0.19,
    currency: 'EUR',
    max_charging_time: 4320,
  },
  meter_start: 120000,
  meter_stop: 135000,
  started_at: '2024-05-01T10:00:00Z',
  completed_at: '2024-05-01T10:50:00Z',
};
const EXAMPLE_A_AMOUNT = {
  energy: '13.2000',
  session: '0.0000',
  time: '0.6000',
  net: '13.80',
  vat: '2.62',
  gross: '16.42',
  currency: 'EUR',
};

describe('runQuoteCommand', () => {
  it('prints the priced session as JSON and exits 0', () => {
    const outcome = runQuoteCommand(JSON.stringify(EXAMPLE_A));
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stderr).toBe('');
    expect(JSON.parse(outcome.stdout)).toMatchObject({
      status: 'PRICED',
      final_amount: EXAMPLE_A_AMOUNT,
      energy_wh: 15000,
      duration_s: 3000,
    });
  });

  it('prints INVALID for negative energy and still exits 0', () => {
    const outcome = runQuoteCommand(JSON.stringify({ ...EXAMPLE_A, meter_stop: 100000 }));
    expect(outcome.exitCode).toBe(0);
    expect(JSON.parse(outcome.stdout)).toEqual({
      status: 'INVALID',
      reason: 'meter_stop (100000 Wh) is below meter_start (120000 Wh)',
      energy_wh: -20000,
    });
  });

  it.each([
    ['empty input', '', 'request: stdin is empty, expected a JSON quote request'],
    ['not JSON', '{"tariff":', 'request: is not valid JSON'],
    [
      'a missing field',
      JSON.stringify({ ...EXAMPLE_A, completed_at: undefined }),
      'completed_at: is required',
    ],
    [
      'a bad tariff',
      JSON.stringify({ ...EXAMPLE_A, tariff: { ...EXAMPLE_A.tariff, vat: 19 } }),
      'tariff.vat: must be a rate between 0 and 1',
    ],
  ])('rejects %s with one line on stderr and exit 2', (_case, stdin, message) => {
    const outcome = runQuoteCommand(stdin);
    expect(outcome.exitCode).toBe(BAD_REQUEST_EXIT_CODE);
    expect(outcome.stderr).toMatch(/^quote: [^\n]*\n$/);
    expect(outcome.stderr).toContain(message);
    expect(JSON.parse(outcome.stdout)).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });
});

describe('npm run -s quote (the real process)', () => {
  const runCli = (stdin: string) =>
    spawnSync(process.execPath, ['scripts/run-ts.mjs', 'apps/billing-service/src/cli/quote.ts'], {
      cwd: REPO_ROOT,
      input: stdin,
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('prices worked example A', () => {
    const child = runCli(JSON.stringify(EXAMPLE_A));
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject({ status: 'PRICED', final_amount: EXAMPLE_A_AMOUNT });
  }, 30_000);

  it('exits 2 with a clear error for a bad request', () => {
    const child = runCli(JSON.stringify({ ...EXAMPLE_A, tariff: { ...EXAMPLE_A.tariff, currency: 'XYZ' } }));
    expect(child.status).toBe(BAD_REQUEST_EXIT_CODE);
    expect(child.stderr).toBe(
      'quote: tariff.currency: is not an ISO 4217 currency with a minor unit: "XYZ"\n',
    );
  }, 30_000);
});
