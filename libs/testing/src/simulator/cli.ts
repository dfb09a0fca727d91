/**
 * npm run sim -- --url ws://127.0.0.1:9000/ocpp --chargers 10 [--v201-share 0.5] [--sessions 2]
 *   [--duration 5s] [--meter-interval 1s] [--power 11000] [--prefix SIM-] [--password ...]
 *   [--id-tag SIMTAG01] [--stay] [--verbose]
 *
 * Connects N simulated chargers (ids <prefix>0001...), a share `--v201-share` (0..1, default 0)
 * of them speaking OCPP 2.0.1 and the others 1.6J, spread evenly over the ids; runs `--sessions`
 * realistic sessions on each (Preparing → Charging → SuspendedEV → Charging → Finishing →
 * Available; 1.6: MeterValues every `--meter-interval`, StopTransaction with each reason in turn;
 * 2.0.1: TransactionEvent Started / Updated every `--meter-interval` / Ended with each 2.0.1
 * reason in turn), then disconnects, unless `--stay`: then they stay connected and answer remote
 * starts and stops until Ctrl-C. Prints one JSON summary (totals, and per protocol) as the last line.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HandshakeRefusedError } from './ocpp-client';
import type { ChargerProtocol } from '@app/contracts';
import { STOP_REASONS_201 } from './ocpp201-station';
import { SimulatedCharger, STOP_REASONS, type AnyStopReason } from './simulated-charger';

function duration(text: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`--${name} "${text}": expected e.g. 500ms, 5s, 2m`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'm' ? n * 60000 : m[2] === 'ms' ? n : n * 1000);
}

function share(text: string, name: string): number {
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(text))
    throw new Error(`--${name} "${text}": expected a share 0..1, e.g. 0.5`);
  return Number(text);
}

/** Charger i (0-based) speaks 2.0.1 when the running count of 2.0.1 chargers steps up there. */
export function protocolOf(i: number, v201Share: number): ChargerProtocol {
  return Math.floor((i + 1) * v201Share) > Math.floor(i * v201Share) ? 'ocpp2.0.1' : 'ocpp1.6';
}

function int(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new Error(`--${name} "${text}": expected an integer ${min}..${max}`);
  return Number(text);
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: 'ws://127.0.0.1:9000/ocpp' },
      chargers: { type: 'string', default: '1' },
      'v201-share': { type: 'string', default: '0' },
      sessions: { type: 'string', default: '1' },
      duration: { type: 'string', default: '5s' },
      'meter-interval': { type: 'string', default: '1s' },
      power: { type: 'string', default: '11000' },
      prefix: { type: 'string', default: 'SIM-' },
      password: { type: 'string' },
      'id-tag': { type: 'string', default: 'SIMTAG01' },
      stay: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const chargers = int(values.chargers!, 'chargers', 1, 20000);
  const sessions = int(values.sessions!, 'sessions', 0, 1000);
  const sessionMs = duration(values.duration!, 'duration');
  const meterMs = duration(values['meter-interval']!, 'meter-interval');
  const powerW = int(values.power!, 'power', 0, 1_000_000);
  const v201Share = share(values['v201-share']!, 'v201-share');
  const log = values.verbose ? (line: string) => console.log(line) : undefined;

  const sims = Array.from(
    { length: chargers },
    (_, i) =>
      new SimulatedCharger({
        url: values.url!,
        chargePointId: `${values.prefix}${String(i + 1).padStart(4, '0')}`,
        protocol: protocolOf(i, v201Share),
        password: values.password,
        meterValuesIntervalMs: meterMs,
        powerW,
        log,
      }),
  );
  const summary = { chargers, connected: 0, sessions: 0, errors: 0, energyWh: 0 };
  const perProtocol = Object.fromEntries(
    (['ocpp1.6', 'ocpp2.0.1'] as const).map((p) => [
      p,
      {
        chargers: sims.filter((s) => s.options.protocol === p).length,
        connected: 0,
        sessions: 0,
        energyWh: 0,
      },
    ]),
  ) as Record<ChargerProtocol, { chargers: number; connected: number; sessions: number; energyWh: number }>;
  const started = Date.now();

  // Connect in waves so a large fleet does not hit the gateway with one burst.
  for (let i = 0; i < sims.length; i += 100) {
    await Promise.all(
      sims.slice(i, i + 100).map(async (sim) => {
        try {
          await sim.connect();
          summary.connected++;
          perProtocol[sim.protocol].connected++;
        } catch (e) {
          summary.errors++;
          const why =
            e instanceof HandshakeRefusedError ? `refused (HTTP ${e.status})` : (e as Error).message;
          console.error(`[${sim.chargePointId}] cannot connect: ${why}`);
        }
      }),
    );
  }
  console.log(
    `${summary.connected}/${chargers} chargers connected to ${values.url} in ${Date.now() - started} ms`,
  );

  const reasonIndex = { 'ocpp1.6': 0, 'ocpp2.0.1': 0 };
  const reasons: Record<ChargerProtocol, readonly AnyStopReason[]> = {
    'ocpp1.6': STOP_REASONS,
    'ocpp2.0.1': STOP_REASONS_201,
  };
  await Promise.all(
    sims
      .filter((s) => s.client?.isOpen)
      .map(async (sim) => {
        for (let n = 0; n < sessions; n++) {
          const list = reasons[sim.protocol];
          const reason = list[reasonIndex[sim.protocol]++ % list.length];
          try {
            const s = await sim.runSession({
              idTag: values['id-tag'],
              durationMs: sessionMs,
              reason,
              suspend: true,
            });
            const energy = (s.meterStop ?? s.meterStart) - s.meterStart;
            summary.sessions++;
            summary.energyWh += energy;
            perProtocol[sim.protocol].sessions++;
            perProtocol[sim.protocol].energyWh += energy;
            console.log(
              `[${sim.chargePointId}] ${sim.protocol} session ${s.chargerTransactionId ?? s.transactionId}: ${energy} Wh, stopped ${s.reason ?? '-'}`,
            );
          } catch (e) {
            summary.errors++;
            console.error(`[${sim.chargePointId}] session failed: ${(e as Error).message}`);
          }
        }
      }),
  );

  if (values.stay) {
    console.log('staying connected and answering remote commands; Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  await Promise.all(
    sims.map((s) =>
      s
        .settle()
        .then(() => s.close())
        .catch(() => undefined),
    ),
  );
  console.log(
    JSON.stringify({
      sim: 'done',
      ...summary,
      protocols: perProtocol,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    }),
  );
  return summary.errors === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`sim: ${(e as Error).message}`);
      process.exit(2);
    },
  );
}
