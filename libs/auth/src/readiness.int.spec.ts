import net from 'node:net';
import { migrateAuthDatabase } from './database/data-source';
import {
  createTestDatabase,
  createTestKafka,
  freePort,
  migrateApp,
  startAppProcess,
  type AppProcess,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';

/**
 * A TCP relay in front of Postgres that can be cut and restored on the same port, so the app's
 * credentials database goes away while its own database (direct) stays reachable.
 */
class CuttableRelay {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

async function readiness(app: AppProcess): Promise<{ status: number; body: string }> {
  const res = await fetch(`${app.baseUrl}/health/ready`);
  return { status: res.status, body: await res.text() };
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The apps that authenticate HTTP requests: their readiness follows the credentials database. */
describe.each(['session-service', 'billing-service'] as const)(
  '%s readiness and the credentials database',
  (app) => {
    let db: TestDatabase;
    let access: TestDatabase;
    let tk: TestKafka;
    let relay: CuttableRelay;
    let proc: AppProcess | undefined;

    beforeAll(async () => {
      [db, access, tk] = await Promise.all([
        createTestDatabase(`ready_${app.split('-')[0]}`),
        createTestDatabase(`ready_access_${app.split('-')[0]}`),
        createTestKafka(`ready-${app}`),
      ]);
      await Promise.all([migrateApp(app, db.url), migrateAuthDatabase(access.url)]);
      const direct = new URL(access.url);
      relay = new CuttableRelay(await freePort(), {
        host: direct.hostname,
        port: Number(direct.port || 5432),
      });
      await relay.open();
    });
    afterAll(async () => {
      await proc?.kill();
      await relay?.cut().catch(() => undefined);
      await Promise.all([db?.drop(), access?.drop()]);
    });

    it('is 503 naming `credentials` while that database is unreachable, and ready again once it is back', async () => {
      const viaRelay = new URL(access.url);
      viaRelay.hostname = '127.0.0.1';
      viaRelay.port = String(relay.port);
      proc = await startAppProcess(app, {
        DATABASE_URL: db.url,
        AUTH_DATABASE_URL: viaRelay.toString(),
        KAFKA_BROKERS: tk.brokers.join(','),
        KAFKA_TOPIC_PREFIX: tk.prefix,
        KAFKA_CLIENT_ID: `ready-${tk.prefix}`,
        CONSUMER_GROUP: `${tk.prefix}${app}`,
      });
      const up = await readiness(proc);
      expect(up.status).toBe(200);
      expect(JSON.parse(up.body).checks.credentials).toBe('ok');

      await relay.cut();
      const down = await until(
        async () => {
          const r = await readiness(proc!);
          return r.status === 503 ? r : undefined;
        },
        15_000,
        '503 on /health/ready',
      );
      const checks = (JSON.parse(down.body) as { checks?: Record<string, string> }).checks ?? {};
      expect(checks.credentials).toMatch(/^down: /);
      // Only the credentials database is gone: the app's own database still answers.
      expect(checks.postgres).toBe('ok');

      await relay.open();
      await until(
        async () => ((await readiness(proc!)).status === 200 ? true : undefined),
        15_000,
        '200 again',
      );
      expect(await proc.stop()).toBe(0);
      proc = undefined;
    });
  },
);
