/**
 * The whole product in one session per protocol, used by `npm start` (prints a 1.6J and a 2.0.1
 * session) and by the end-to-end tests (test/e2e/flow.e2e.spec.ts, test/ocpp201, assert it): a
 * simulated charger drives its protocol's messages through the real gateway (1.6: Boot,
 * StatusNotification, StartTransaction, MeterValues, StopTransaction; 2.0.1: Boot,
 * StatusNotification, TransactionEvent Started / Updated / Ended); then the session is read
 * through the sessions API, its ChargeCalculated found on Kafka, its row in the CSV export, and its
 * inputs priced again by the calculator (`npm run -s quote` runs the same code). A 2.0.1 station
 * stays connected until the bill reaches it as CostUpdated.
 */
import { randomBytes } from 'node:crypto';
import {
  parseEnvelope,
  topicName,
  type ChargerProtocol,
  type ChargeCalculated,
  type TariffPublished,
  type TariffSnapshot,
} from '@app/contracts';
import { createKafka } from '@app/kafka';
import { quote, type PricingResult } from '@app/pricing';
import { SimulatedCharger, sleep, type CostUpdate, type SessionRecord } from '@app/testing/simulator';
import type { Kafka } from 'kafkajs';

export interface FlowEnv {
  /** e.g. ws://127.0.0.1:9000/ocpp */
  gatewayUrl: string;
  sessionsUrl: string;
  billingUrl: string;
  /** The demo fleet's key (sessions API). */
  apiKey: string;
  /** A key with roles operator and finance (tariffs, anomalies, exports). */
  adminKey: string;
  /** Comma-separated host:port list. */
  brokers: string;
  topicPrefix: string;
  /** The fleet OCPP_ALLOW_UNREGISTERED chargers and DEMO_API_KEY belong to (default "demo"). */
  fleetId?: string;
  /** session-service's CONSUMER_GROUP (default `<topicPrefix>session-service`). */
  sessionsConsumerGroup?: string;
  /** The protocol the demo charger speaks (default ocpp1.6). */
  protocol?: ChargerProtocol;
  /** The demo charger's Basic-auth password, when the gateway wants registered chargers. */
  chargePointId?: string;
  password?: string;
  log?: (line: string) => void;
}

/** The tariff the demo fleet charges with, when it has none yet. Prices are net (ARCHITECTURE.md "Pricing"). */
export const DEMO_TARIFF = {
  kwh_price: '0.88',
  session_price: '0.50',
  time_tariffs: [{ starting_at_minute: 0, minute_price: '0.12' }],
  vat: '0.19',
  currency: 'EUR',
  max_charging_time: 4320,
};

/** The session as the sessions API shows it (the fields the flow checks). */
export interface ApiSession {
  id: string;
  status: string;
  evse: string;
  started_at: number | null;
  completed_at: number | null;
  energy_in_kwh: number;
  duration_in_minutes: number | null;
  final_amount: ChargeCalculated['finalAmount'] | null;
  tariff: TariffSnapshot | null;
  charging_station: { id: string };
  [k: string]: unknown;
}

export interface FlowResult {
  chargePointId: string;
  protocol: ChargerProtocol;
  /** The tariff version billing resolved for the fleet before the session. */
  tariff: TariffSnapshot;
  /** What the charger itself sent: transactionId, meterStart, meterStop. */
  charger: SessionRecord;
  session: ApiSession;
  charge: ChargeCalculated;
  /** The calculator's answer for the charge's inputs. */
  quote: PricingResult;
  /** The session's row of the CSV export (column → value). */
  csvRow: Record<string, string>;
  /** 2.0.1: the CostUpdated the station received once the session was priced. */
  costUpdate?: CostUpdate;
}

async function http<T>(
  method: string,
  url: string,
  options: { body?: unknown; apiKey?: string; accept?: string } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  if (options.accept) headers.accept = options.accept;
  const res = await fetch(url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* CSV and other text */
  }
  return { status: res.status, body: body as T };
}

async function poll<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

/** The fleet's tariff in force now; creates DEMO_TARIFF for the fleet if none is assigned. */
async function ensureFleetTariff(env: FlowEnv, fleetId: string): Promise<TariffSnapshot> {
  const resolveUrl = `${env.billingUrl}/v1/tariffs/resolve?fleet_id=${encodeURIComponent(fleetId)}`;
  const found = await http<{ tariff: TariffSnapshot }>('GET', resolveUrl, { apiKey: env.adminKey });
  if (found.status === 200) return found.body.tariff;
  const created = await http<{ tariff: { versions: { tariff: TariffSnapshot }[] } }>(
    'POST',
    `${env.billingUrl}/v1/tariffs`,
    {
      apiKey: env.adminKey,
      body: {
        name: `Demo fleet ${fleetId}`,
        effective_from: new Date(Date.now() - 60_000).toISOString(),
        tariff: DEMO_TARIFF,
        assignments: [{ scope: 'FLEET', ref: fleetId }],
      },
    },
  );
  if (created.status !== 201)
    throw new Error(`creating the demo tariff failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.tariff.versions[0].tariff;
}

/**
 * Waits until the session service has read the tariff: finds the tariff's record on the compacted
 * topic (the outbox publishes it shortly after the API answered), then waits until `groupId` has
 * committed past it. A session started earlier would carry no tariff and get no bill.
 */
async function waitTariffConsumed(
  kafka: Kafka,
  groupId: string,
  topic: string,
  tariff: TariffSnapshot,
  timeoutMs: number,
): Promise<void> {
  const consumer = kafka.consumer({ groupId: `demo-reader-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let found: { partition: number; offset: string };
  try {
    found = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `tariff ${tariff.tariff_id} v${tariff.version} not on ${topic} within ${timeoutMs / 1000} s`,
            ),
          ),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (message.key?.toString() !== tariff.tariff_id || !message.value) return;
          const published = parseEnvelope(message.value).data as TariffPublished;
          if (published.versions.some((v) => v.version === tariff.version)) {
            clearTimeout(timer);
            resolve({ partition, offset: message.offset });
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    await poll(
      `consumer group ${groupId} to read the tariff (${topic}[${found.partition}]@${found.offset})`,
      timeoutMs,
      async () => {
        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        const p = committed[0]?.partitions.find((x) => x.partition === found.partition);
        return p && BigInt(p.offset) > BigInt(found.offset) ? true : null;
      },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Reads `topic` from the beginning until a ChargeCalculated of kind CHARGE for the session appears. */
async function findChargeCalculated(
  kafka: Kafka,
  topic: string,
  sessionId: string,
  timeoutMs: number,
): Promise<ChargeCalculated> {
  const consumer = kafka.consumer({ groupId: `demo-reader-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    return await new Promise<ChargeCalculated>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no ChargeCalculated for session ${sessionId} on ${topic} within ${timeoutMs / 1000} s`,
            ),
          ),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== sessionId) return;
          const env = parseEnvelope(message.value);
          const charge = env.data as ChargeCalculated;
          if (env.type === 'ChargeCalculated' && charge.kind === 'CHARGE') {
            clearTimeout(timer);
            resolve(charge);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (ch === ',' && !quoted) {
      out.push(field);
      field = '';
    } else {
      field += ch;
    }
  }
  out.push(field);
  return out;
}

/** Runs one charging session through the whole product and collects what each part says about it. */
export async function runChargingFlow(env: FlowEnv): Promise<FlowResult> {
  const log = env.log ?? (() => undefined);
  const fleetId = env.fleetId ?? 'demo';
  const startedFlow = new Date();
  const kafka = createKafka({ brokers: env.brokers.split(','), clientId: 'demo', log: () => undefined });

  const tariff = await ensureFleetTariff(env, fleetId);
  log(
    `tariff for fleet ${fleetId}: ${tariff.kwh_price} ${tariff.currency}/kWh, ${tariff.session_price} per session, ${JSON.stringify(tariff.time_tariffs)} per minute, VAT ${tariff.vat}`,
  );
  await waitTariffConsumed(
    kafka,
    `${env.sessionsConsumerGroup ?? `${env.topicPrefix}session-service`}-billing`,
    topicName('tariffs', env.topicPrefix),
    tariff,
    60_000,
  );

  const protocol = env.protocol ?? 'ocpp1.6';
  const chargePointId =
    env.chargePointId ??
    `DEMO-${protocol === 'ocpp2.0.1' ? '201-' : ''}${randomBytes(3).toString('hex').toUpperCase()}`;
  // Time-lapse: 7.2 MW, so a few seconds deliver a realistic session's energy.
  const charger = new SimulatedCharger({
    url: env.gatewayUrl,
    chargePointId,
    password: env.password,
    protocol,
    powerW: 7_200_000,
    initialMeterWh: 1_234_567,
    log,
  });
  try {
    // 1.6: BootNotification, StatusNotification Available, Preparing, StartTransaction, Charging,
    // MeterValues, Finishing, StopTransaction, Available. 2.0.1: BootNotification,
    // StatusNotification Available, Occupied, TransactionEvent Started / Updated / Ended, Available.
    await charger.connect();
    const transactionId = await charger.startTransaction(1, 'DEMOTAG1');
    const record: SessionRecord = charger.sessions.find((s) => s.transactionId === transactionId)!;
    if (record.meterStop !== undefined)
      throw new Error(
        `the gateway did not accept idTag DEMOTAG1 (transaction ${transactionId} stopped at once)`,
      );
    for (let i = 0; i < 3; i++) {
      await sleep(1000);
      await charger.sendMeterValues(1);
    }
    await sleep(500);
    await charger.stopTransaction(1, 'Local');
    log(
      `${protocol} charger ${chargePointId}: transaction ${record.chargerTransactionId ?? record.transactionId}, meter ${record.meterStart} → ${record.meterStop} Wh` +
        (record.meterStartText ? ` (sent ${record.meterStartText} → ${record.meterStopText} kWh)` : ''),
    );

    let seen: ApiSession | undefined;
    const session = await poll('the session to be CLOSED and priced', 60_000, async () => {
      const res = await http<{ sessions: ApiSession[] }>(
        'GET',
        `${env.sessionsUrl}/v1/sessions?charging_station=${encodeURIComponent(chargePointId)}`,
        // decimal strings, as billing's records and the calculator write them (the default is JSON numbers)
        { apiKey: env.apiKey, accept: 'application/json; decimals=string' },
      );
      if (res.status !== 200)
        throw new Error(`sessions API answered ${res.status}: ${JSON.stringify(res.body)}`);
      seen = res.body.sessions[0];
      return seen && seen.status === 'CLOSED' && seen.final_amount ? seen : null;
    }).catch(async (e: Error) => {
      const anomalies = await http<unknown>('GET', `${env.billingUrl}/v1/anomalies`, {
        apiKey: env.adminKey,
      }).catch(() => null);
      throw new Error(
        `${e.message}; the sessions API shows ${JSON.stringify(seen ?? null)}; billing anomalies: ${JSON.stringify(anomalies?.body)}`,
      );
    });
    // The driver sees the bill on a 2.0.1 station: session-service sends CostUpdated once priced.
    const costUpdate =
      protocol === 'ocpp2.0.1' && charger.protocol === 'ocpp2.0.1'
        ? await charger.costUpdated(record.chargerTransactionId, 60_000)
        : undefined;
    return {
      ...(await billingView(env, kafka, startedFlow, session)),
      chargePointId,
      protocol: charger.protocol,
      tariff,
      charger: record,
      session,
      ...(costUpdate ? { costUpdate } : {}),
    };
  } finally {
    await charger.close();
  }
}

/** The session's ChargeCalculated on Kafka, the calculator's answer for its inputs, its CSV row. */
async function billingView(
  env: FlowEnv,
  kafka: Kafka,
  startedFlow: Date,
  session: ApiSession,
): Promise<Pick<FlowResult, 'charge' | 'quote' | 'csvRow'>> {
  const charge = await findChargeCalculated(
    kafka,
    topicName('sessionCharges', env.topicPrefix),
    session.id,
    60_000,
  );
  const priced = quote(charge.inputs);

  const from = new Date(startedFlow.getTime() - 60_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  const csv = await http<string>(
    'GET',
    `${env.billingUrl}/v1/exports/charges?format=csv&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    {
      apiKey: env.adminKey,
    },
  );
  if (csv.status !== 200) throw new Error(`CSV export answered ${csv.status}: ${JSON.stringify(csv.body)}`);
  const lines = String(csv.body).split('\r\n').filter(Boolean);
  const columns = parseCsvLine(lines[0]);
  const rows = lines.slice(1).map((l) => Object.fromEntries(parseCsvLine(l).map((v, i) => [columns[i], v])));
  const csvRow = rows.find((r) => r.session_id === session.id && r.kind === 'CHARGE');
  if (!csvRow) throw new Error(`session ${session.id} has no row in the CSV export of ${from} .. ${to}`);

  return { charge, quote: priced, csvRow };
}

/** `npm start`: one session of each protocol through everything, printed. */
export async function runDemo(env: Record<string, string>): Promise<void> {
  const log = (line: string) => console.log(`[demo] ${line}`);
  const flowEnv: FlowEnv = {
    gatewayUrl: env.gatewayUrl,
    sessionsUrl: env.sessionsUrl,
    billingUrl: env.billingUrl,
    apiKey: env.apiKey,
    adminKey: env.adminKey,
    brokers: env.brokers,
    topicPrefix: env.topicPrefix ?? '',
    log,
  };
  for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
    try {
      printFlow(await runChargingFlow({ ...flowEnv, protocol }), flowEnv.topicPrefix);
    } catch (e) {
      log(`the ${protocol} demo session did not complete: ${(e as Error).message}`);
    }
  }
}

function printFlow(r: FlowResult, topicPrefix: string): void {
  const a = r.session.final_amount!;
  console.log(
    [
      '',
      `[demo] the ${r.protocol} session, from GET /v1/sessions/:id:`,
      JSON.stringify({ session: r.session }, null, 2),
    ].join('\n'),
  );
  console.log(
    [
      '',
      `[demo] the bill of the ${r.protocol} session (charge ${r.charge.chargeId}, ${r.charge.energyWh} Wh, ${r.charge.durationS} s):`,
      `         energy   ${a.energy.padStart(10)} ${a.currency}`,
      `         session  ${a.session.padStart(10)} ${a.currency}`,
      `         time     ${a.time.padStart(10)} ${a.currency}`,
      `         net      ${a.net.padStart(10)} ${a.currency}`,
      `         VAT      ${a.vat.padStart(10)} ${a.currency}`,
      `         gross    ${a.gross.padStart(10)} ${a.currency}`,
      `[demo] calculator (npm run -s quote) on the same inputs: ${r.quote.status === 'PRICED' ? `gross ${r.quote.final_amount.gross}` : r.quote.reason}`,
      `[demo] ChargeCalculated on ${topicName('sessionCharges', topicPrefix)}, CSV export row gross ${r.csvRow.gross}`,
      ...(r.costUpdate
        ? [
            `[demo] the station received CostUpdated: totalCost ${r.costUpdate.totalCost} for its transaction ${r.costUpdate.transactionId} (the driver sees the bill)`,
          ]
        : []),
      '',
    ].join('\n'),
  );
}
