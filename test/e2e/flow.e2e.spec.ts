import { spawn } from 'node:child_process';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Decimal from 'decimal.js';
import {
  APPS,
  REPO_ROOT,
  createTestDatabase,
  createTestKafka,
  freePort,
  migrateApp,
  startAppProcess,
  testBrokers,
  type AppProcess,
  type TestDatabase,
} from '@app/testing';
import { provisionApiKeys } from '@app/auth/testing';
import { runChargingFlow, DEMO_TARIFF, type FlowResult } from '../../scripts/demo';

/** `npm run -s quote` as finance and support run it: JSON on stdin, JSON on stdout. */
function quoteCli(request: unknown): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'scripts/run-ts.mjs'),
        path.join(REPO_ROOT, 'apps/billing-service/src/cli/quote.ts'),
      ],
      {
        cwd: REPO_ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(JSON.stringify(request));
  });
}

/**
 * The whole product, as processes: gateway, session service and billing service started from
 * source on fresh databases and a fresh topic prefix; a simulated charger charges once through
 * the real gateway; the session, its bill, its ChargeCalculated record and its export row must all
 * agree with the calculator.
 */
describe('end to end: charger → gateway → sessions → billing → exports', () => {
  const procs: AppProcess[] = [];
  const dbs: TestDatabase[] = [];
  let flow: FlowResult;
  let prefix: string;
  const apiKey = 'e2e-demo-fleet-key-0001';
  const adminKey = 'e2e-demo-admin-key-0001';

  beforeAll(async () => {
    prefix = (await createTestKafka('e2e')).prefix;
    for (const app of APPS) {
      const db = await createTestDatabase(`e2e_${app.database}`);
      dbs.push(db);
      await migrateApp(app.name, db.url);
    }
    // One credentials database for the three apps, with the keys the dev stack would create.
    const access = await createTestDatabase('e2e_access');
    dbs.push(access);
    await provisionApiKeys(access.url, [
      { key: apiKey, name: 'e2e fleet', roles: ['fleet'], fleet: 'demo' },
      { key: adminKey, name: 'e2e admin', roles: ['operator', 'finance', 'admin'] },
    ]);
    const env = (i: number, port: number): Record<string, string> => ({
      PORT: String(port),
      DATABASE_URL: dbs[i].url,
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      OCPP_ALLOW_UNREGISTERED: 'true',
      AUTH_DATABASE_URL: access.url,
      CONSUMER_GROUP: `${prefix}session-service`,
    });
    const ports = await Promise.all(APPS.map(() => freePort()));
    const started = await Promise.allSettled(
      APPS.map((app, i) => startAppProcess(app.name, env(i, ports[i]), { readyTimeoutMs: 120_000 })),
    );
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason; // afterAll still stops the ones that started
  }, 180_000);

  afterAll(async () => {
    const codes = await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(dbs.map((d) => d.drop()));
    expect(codes).toEqual(procs.map(() => 0));
  }, 60_000);

  it('bills one charging session exactly as the calculator says, everywhere', async () => {
    const byName = (name: string) => procs.find((p) => p.name === name)!;
    try {
      flow = await runChargingFlow({
        gatewayUrl: `ws://127.0.0.1:${byName('ocpp-gateway').port}/ocpp`,
        sessionsUrl: byName('session-service').baseUrl,
        billingUrl: byName('billing-service').baseUrl,
        apiKey,
        adminKey,
        brokers: testBrokers().join(','),
        topicPrefix: prefix,
        sessionsConsumerGroup: `${prefix}session-service`,
      });
    } catch (e) {
      for (const p of procs) process.stderr.write(`--- ${p.name} output ---\n${p.output().slice(-4000)}\n`);
      throw e;
    }
    const { session, charge, charger, tariff, csvRow } = flow;
    const energyWh = charger.meterStop! - charger.meterStart;
    expect(energyWh).toBeGreaterThan(0);

    // The sessions API: CLOSED, the charger's energy, a duration, the tariff snapshot billing published.
    expect(session.status).toBe('CLOSED');
    expect(session.charging_station.id).toBe(flow.chargePointId);
    expect(session.energy_in_kwh).toBe(Number(new Decimal(energyWh).div(1000).toString()));
    expect(session.duration_in_minutes).not.toBeNull();
    expect(session.completed_at! - session.started_at!).toBeGreaterThanOrEqual(3);
    expect(session.tariff).toMatchObject({ ...DEMO_TARIFF, tariff_id: tariff.tariff_id, version: 1 });

    // ChargeCalculated on Kafka: the charger's readings and the session's tariff are its inputs.
    expect(charge).toMatchObject({
      sessionId: session.id,
      kind: 'CHARGE',
      energyWh,
      fleetId: 'demo',
      chargePointId: flow.chargePointId,
    });
    expect(charge.inputs).toMatchObject({
      meter_start: charger.meterStart,
      meter_stop: charger.meterStop,
      tariff: session.tariff,
    });
    expect(charge.durationS).toBe(
      Math.floor((Date.parse(charge.inputs.completed_at) - Date.parse(charge.inputs.started_at)) / 1000),
    );
    expect(charge.durationS).toBeGreaterThanOrEqual(3);

    // final_amount = the calculator's answer for those inputs = what the quote CLI prints.
    if (flow.quote.status !== 'PRICED') throw new Error(`calculator said ${flow.quote.reason}`);
    expect(session.final_amount).toEqual(flow.quote.final_amount);
    expect(charge.finalAmount).toEqual(flow.quote.final_amount);
    const cli = await quoteCli(charge.inputs);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout).final_amount).toEqual(flow.quote.final_amount);
    // Independent of the code under test: energy and time from the tariff by hand.
    expect(session.final_amount!.energy).toBe(
      new Decimal(DEMO_TARIFF.kwh_price)
        .times(energyWh)
        .div(1000)
        .toDecimalPlaces(4, Decimal.ROUND_HALF_UP)
        .toFixed(4),
    );
    expect(session.final_amount!.time).toBe(
      new Decimal('0.12')
        .times(charge.durationS)
        .div(60)
        .toDecimalPlaces(4, Decimal.ROUND_HALF_UP)
        .toFixed(4),
    );

    // The CSV export has the row, with the same money and the same inputs.
    expect(csvRow).toMatchObject({
      charge_id: charge.chargeId,
      energy_wh: String(energyWh),
      meter_start_wh: String(charger.meterStart),
      meter_stop_wh: String(charger.meterStop),
      net: charge.finalAmount.net,
      vat: charge.finalAmount.vat,
      gross: charge.finalAmount.gross,
      currency: 'EUR',
      kwh_price: DEMO_TARIFF.kwh_price,
    });

    // A correction (reversal + new charge, with a reason) reaches the session's final_amount.
    const billing = byName('billing-service').baseUrl;
    const res = await fetch(`${billing}/v1/charges/${charge.chargeId}/corrections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
      body: JSON.stringify({ reason: 'meter read 1 kWh high', meter_stop: charger.meterStop! - 1000 }),
    });
    expect(res.status).toBe(201);
    const corrected = (await res.json()) as {
      reversal: { final_amount: { gross: string } };
      charge: { final_amount: typeof charge.finalAmount };
    };
    expect(corrected.reversal.final_amount.gross).toBe(`-${charge.finalAmount.gross}`);
    const sessionsUrl = `${byName('session-service').baseUrl}/v1/sessions/${session.id}`;
    const deadline = Date.now() + 60_000;
    let after: { final_amount: unknown } | undefined;
    while (Date.now() < deadline) {
      after = (
        (await (
          await fetch(sessionsUrl, {
            headers: { 'x-api-key': apiKey, accept: 'application/json; decimals=string' },
          })
        ).json()) as {
          session: { final_amount: unknown };
        }
      ).session;
      if (isDeepStrictEqual(after.final_amount, corrected.charge.final_amount)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(after?.final_amount).toEqual(corrected.charge.final_amount);
    // By default pump's JSON numbers, each written from the decimal's exact text.
    const numbers = await (await fetch(sessionsUrl, { headers: { 'x-api-key': apiKey } })).text();
    expect(numbers).toContain(`"gross":${corrected.charge.final_amount.gross},`);
    expect(numbers).toContain(`"kwh_price":${DEMO_TARIFF.kwh_price},`);
  });
});
