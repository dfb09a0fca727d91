import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { migrateAuthDatabase } from '@app/auth/database/data-source';
import { REPO_ROOT } from './stack/paths';
import type { AppSpec } from './stack/apps';

export interface AppProcess {
  name: string;
  port: number;
  baseUrl: string;
  /** Where /metrics and /docs are (MANAGEMENT_PORT), never on `baseUrl`. */
  managementUrl: string;
  child: ChildProcess;
  /** Everything the app wrote to stdout/stderr so far. */
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (crash) and wait for exit. */
  kill(): Promise<void>;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Polls `<baseUrl>/health/ready` until it answers 200. Rejects as soon as `child` exits, or after
 * `timeoutMs`, with `detail()` (its output, or where its log is) in the message.
 */
export async function waitUntilReady(
  name: string,
  baseUrl: string,
  child: ChildProcess,
  timeoutMs: number,
  detail: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode} during start: ${detail()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/health/ready`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs / 1000} s: ${detail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const migratedAuthDatabases = new Map<string, Promise<unknown>>();

/**
 * Without AUTH_DATABASE_URL an app would open the default credentials database (the dev stack's
 * `access`, or none), and its readiness depends on that database: the test's own database gets
 * the credentials tables instead. Once per URL, so replicas started together do not race.
 */
async function authDatabaseFor(env: Record<string, string>): Promise<Record<string, string>> {
  if (env.AUTH_DATABASE_URL || !env.DATABASE_URL) return {};
  const url = env.DATABASE_URL;
  if (!migratedAuthDatabases.has(url)) migratedAuthDatabases.set(url, migrateAuthDatabase(url));
  await migratedAuthDatabases.get(url);
  return { AUTH_DATABASE_URL: url };
}

/**
 * Starts an app from source (or from dist/, see TEST_APPS_FROM below) as a child process, like a deployment would run it,
 * and waits until /health/ready answers 200. Pass PORT, DATABASE_URL, KAFKA_BROKERS,
 * KAFKA_TOPIC_PREFIX... in `env`; AUTH_DATABASE_URL defaults to DATABASE_URL (migrated for it).
 */
export async function startAppProcess(
  name: AppSpec['name'],
  env: Record<string, string>,
  options: { readyTimeoutMs?: number; waitReady?: boolean } = {},
): Promise<AppProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  // A free port of its own: the default (PORT + 1000) may be taken when PORT came from the OS.
  const managementPort = Number(env.MANAGEMENT_PORT ?? (await freePort()));
  const auth = await authDatabaseFor(env);
  // `npm test` builds first and sets TEST_APPS_FROM=dist: the apps then start from the compiled
  // JavaScript, as the image runs them (and as fast: no TypeScript to transpile at start, which on
  // a loaded two-core machine took longer than the 3 s start budget the restart tests hold).
  // By hand (no build needed) they start from source.
  const entry =
    process.env.TEST_APPS_FROM === 'dist'
      ? [path.join(REPO_ROOT, 'dist/apps', name, 'src/main.js')]
      : [path.join(REPO_ROOT, 'scripts/run-ts.mjs'), path.join(REPO_ROOT, 'apps', name, 'src/main.ts')];
  const child = spawn(process.execPath, entry, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      // Tests send many unauthenticated requests from one address on purpose; test/security sets its own limit.
      RATE_LIMIT_AUTH_FAILURES: '0',
      ...auth,
      ...env,
      PORT: String(port),
      MANAGEMENT_PORT: String(managementPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: AppProcess = {
    name,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    managementUrl: `http://127.0.0.1:${managementPort}`,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  if (options.waitReady === false) return proc;
  try {
    await waitUntilReady(name, proc.baseUrl, child, options.readyTimeoutMs ?? 60_000, () => `\n${out}`);
  } catch (e) {
    await proc.kill();
    throw e;
  }
  return proc;
}
