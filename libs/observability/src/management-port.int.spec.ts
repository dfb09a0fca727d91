import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import {
  REPO_ROOT,
  createTestDatabase,
  createTestKafka,
  freePort,
  migrateApp,
  type TestDatabase,
} from '@app/testing';

/** Runs the gateway until it exits (or 60 s pass) and returns its exit code and stderr. */
function runGateway(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'scripts/run-ts.mjs'), path.join(REPO_ROOT, 'apps/ocpp-gateway/src/main.ts')],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the management port', () => {
  let db: TestDatabase;
  let prefix: string;

  beforeAll(async () => {
    db = await createTestDatabase('management_port');
    await migrateApp('ocpp-gateway', db.url);
    prefix = (await createTestKafka('management-port')).prefix;
  });
  afterAll(async () => db.drop());

  it('may not be the public port: the app stops with one line naming MANAGEMENT_PORT', async () => {
    const port = String(await freePort());
    const { code, stderr } = await runGateway({ PORT: port, MANAGEMENT_PORT: port, DATABASE_URL: db.url });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `invalid configuration: MANAGEMENT_PORT must differ from PORT (${port})`,
    ]);
  });

  it('taken by another process: the app stops with one line saying so, not a stack trace', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '0.0.0.0', r));
    const busy = (taken.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runGateway({
        PORT: String(await freePort()),
        MANAGEMENT_PORT: String(busy),
        DATABASE_URL: db.url,
        KAFKA_TOPIC_PREFIX: prefix,
        OCPP_COMMANDS_ENABLED: 'false',
      });
      expect(code).toBe(1);
      expect(stderr).toContain(`ocpp-gateway: MANAGEMENT_PORT ${busy} is already in use`);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});
