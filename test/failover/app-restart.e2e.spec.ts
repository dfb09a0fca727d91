import { testBrokers } from '@app/testing';
import { sleep } from '@app/testing/simulator';
import {
  membersOf,
  newMembersJoined,
  settle,
  startLoad,
  startStack,
  type AppName,
  type Load,
  type RestartTimes,
  type Stack,
} from './under-load';

/**
 * Issue 9, scenario (iii): `kill -9` of each app under load and its restart at once with the same
 * configuration (the same GATEWAY_ID, so the dead member still holds the commands group for a
 * session timeout). Each app listens, and is ready, within 3 s of its start whatever its consumer
 * groups are doing; afterwards every session the chargers completed is CLOSED and billed once.
 * Reduced in `npm test`; FAILOVER_FULL=1 (`npm run test:failover`) runs more chargers and kills
 * each app twice. The 3 s include Node loading the app from TypeScript: on a saturated machine that
 * alone can take longer (seen: 5-8 s at load average 8 with 60 chargers), whatever Kafka does.
 */
const FULL = process.env.FAILOVER_FULL === '1';
const CHARGERS = FULL ? 30 : 12;
const ROUNDS = FULL ? 2 : 1;
const ORDER: AppName[] = ['billing-service', 'session-service', 'ocpp-gateway'];
const log = (line: string) => process.stderr.write(`[app-restart] ${line}\n`);

describe(`kill -9 and restart of each app under load (${FULL ? 'full' : 'reduced'})`, () => {
  let stack: Stack;
  let load: Load;
  const times: Array<{ app: AppName } & RestartTimes> = [];
  const joinMs: Record<'kill' | 'stop', number> = { kill: 0, stop: 0 };
  let result: Awaited<ReturnType<typeof settle>>;

  beforeAll(async () => {
    stack = await startStack({ brokers: testBrokers(), log });
    load = startLoad(stack, { chargers: CHARGERS, sessionMs: 2000, log });
    await sleep(4000);
    for (let round = 0; round < ROUNDS; round++) {
      for (const app of ORDER) {
        const t = await stack.killAndRestart(app);
        times.push({ app, ...t });
        log(
          `${app}: listening after ${t.listeningMs} ms${t.ocppListeningMs !== undefined ? `, OCPP after ${t.ocppListeningMs} ms` : ''}, ready after ${t.readyMs} ms`,
        );
        // A slow start says why in the app's own words (Postgres refusing connections, ...).
        if (t.readyMs > 3000) log(`${app} output:\n${stack.procs[app].output().slice(-3000)}`);
        await sleep(3000); // load flows through the restarted app
      }
    }
    // The group join itself: after SIGKILL the dead member holds session-service's group until its
    // session times out; after SIGTERM it has left, and the new process joins at once.
    const group = `${stack.prefix}session-service`;
    for (const how of ['kill', 'stop'] as const) {
      const before = await membersOf(stack.kafka, group);
      const t0 = Date.now();
      if (how === 'kill') await stack.killAndRestart('session-service');
      else await stack.stopAndRestart('session-service');
      joinMs[how] = (await newMembersJoined(stack.kafka, group, before)) - t0;
      log(
        `session-service's group joined ${joinMs[how]} ms after ${how === 'kill' ? 'kill -9' : 'SIGTERM'} and restart`,
      );
      await sleep(2000);
    }
    const before = Date.now();
    await sleep(3000);
    log(`${load.confirmedSince(before)} steps confirmed in the last 3 s of load`);
    await load.stop();
    result = await settle(stack, load, 90_000);
    log(
      `${result.completed} sessions completed, ${result.stuck.length} not CLOSED and billed once, ${result.doubled} billed twice`,
    );
    if (result.stuck.length > 0 || stack.crashed().length > 0) log(stack.logs());
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('listens within 3 s of start: HTTP on every app, the OCPP endpoint on the gateway', () => {
    expect(times).toHaveLength(ORDER.length * ROUNDS);
    for (const t of times) {
      expect({ app: t.app, listeningMs: Math.min(t.listeningMs, 3000) }).toEqual({
        app: t.app,
        listeningMs: t.listeningMs,
      });
      if (t.app === 'ocpp-gateway') expect(t.ocppListeningMs).toBeLessThanOrEqual(3000);
    }
  });

  it('is ready within 3 s of start, though the dead member still holds its consumer groups', () => {
    for (const t of times)
      expect({ app: t.app, readyMs: Math.min(t.readyMs, 3000) }).toEqual({ app: t.app, readyMs: t.readyMs });
  });

  it('rejoins at once after SIGTERM (a clean leave), while after kill -9 the dead member holds the group', () => {
    expect(joinMs.stop).toBeGreaterThan(0);
    expect(joinMs.stop).toBeLessThan(joinMs.kill);
  });

  it('loses and doubles nothing: every completed session CLOSED and billed exactly once', () => {
    expect(result.completed).toBeGreaterThan(CHARGERS);
    expect(result.stuck).toEqual([]);
    expect(result.doubled).toBe(0);
    expect(load.gaveUp()).toBe(0);
    expect(stack.crashed().map((p) => p.name)).toEqual([]);
  });
});
