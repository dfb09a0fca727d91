import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { HandshakeRefusedError, OcppClient } from '@app/testing/simulator';
import { hashChargerPassword } from '@app/ocpp/charger-password';
import { startGateway, type RunningGateway } from './harness';

/** Guessing a charger's Basic-auth password: after RATE_LIMIT_AUTH_FAILURES the address gets 429. */
describe('ocpp-gateway handshake under password guessing', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let gw: RunningGateway;
  const PASSWORD = 'correct-horse-battery';
  const FAILURES = 3;

  const attempt = async (password: string): Promise<number> => {
    try {
      const c = await OcppClient.connect({
        url: gw.url,
        chargePointId: 'CP-G',
        password,
        callTimeoutMs: 5000,
      });
      c.terminate();
      return 101;
    } catch (e) {
      if (e instanceof HandshakeRefusedError) return e.status;
      throw e;
    }
  };

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('gw_guess'), createTestKafka('gw-guess')]);
    await migrateApp('ocpp-gateway', db.url);
    gw = await startGateway({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      OCPP_COMMANDS_ENABLED: 'false',
      RATE_LIMIT_AUTH_FAILURES: String(FAILURES),
      RATE_LIMIT_AUTH_BLOCK_S: '120',
    });
    await gw.gateway.chargers.upsert({
      id: 'CP-G',
      fleetId: 'fleet-a',
      passwordHash: await hashChargerPassword(PASSWORD),
      evseIds: {},
    });
  });

  afterAll(async () => {
    await gw?.stop();
    await db?.drop();
  });

  it('answers 401 to the first guesses, then 429 to every handshake from that address, the right password too', async () => {
    expect(await attempt(PASSWORD)).toBe(101);
    const statuses: number[] = [];
    for (let i = 0; i <= FAILURES + 1; i++) statuses.push(await attempt(`guess-${i}-0123456789`));
    expect(statuses).toEqual([...Array(FAILURES + 1).fill(401), 429]);
    expect(await attempt(PASSWORD)).toBe(429);
  });
});
