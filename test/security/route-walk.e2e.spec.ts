import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROLES, type Role } from '@app/auth';
import { keysPerRole, provisionApiKeys } from '@app/auth/testing';
import {
  APPS,
  createTestDatabase,
  createTestKafka,
  migrateApp,
  startAppProcess,
  testBrokers,
  type AppProcess,
  type TestDatabase,
} from '@app/testing';

/**
 * The access model, proven route by route: every operation of every app's OpenAPI document (read
 * from its management port, as an operator sees it) refuses a request without a credential (401)
 * and with each role it does not list (403), and lets each listed role through. Routes added later
 * are walked too; one without @Roles is closed to every role and fails the walk here.
 */

/** The README's app names in the roles × routes table. */
const README_APPS: Record<string, string> = {
  sessions: 'session-service',
  billing: 'billing-service',
  gateway: 'ocpp-gateway',
};

/**
 * README "Security model", the roles × routes table: `app name: METHOD /path/{param}` → roles.
 * Rows name routes in backticks (`GET /v1/charges/:id`); parentheses in the roles column explain.
 */
function readmeRoutes(): Map<string, Role[]> {
  const text = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const section = text.slice(text.indexOf('\n## Security model'));
  // The header row, however Prettier pads the columns.
  const header = section.search(/\|\s*app\s*\|\s*route\s*\|\s*roles\s*\|/);
  expect({ rolesTableFound: header >= 0 }).toEqual({ rolesTableFound: true });
  const table = section.slice(header);
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  const routes = new Map<string, Role[]>();
  for (const row of rows) {
    const [apps, cell, rolesCell] = row
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (apps === 'all') continue; // the probes, which the OpenAPI documents leave out
    const roles = rolesCell
      .replace(/\([^)]*\)/g, '')
      .split(',')
      .map((r) => r.trim());
    for (const r of roles)
      expect({ row, role: r, known: (ROLES as readonly string[]).includes(r) }).toMatchObject({
        known: true,
      });
    const ops = [...cell.matchAll(/`([A-Z]+ \/[^`\s]*)`/g)].map((m) => m[1].replace(/:(\w+)/g, '{$1}'));
    expect({ row, ops: ops.length > 0 }).toEqual({ row, ops: true });
    for (const app of apps.split(',').map((a) => README_APPS[a.trim()])) {
      expect({ row, app: app ?? null }).not.toEqual({ row, app: null });
      for (const op of ops) {
        expect({ listedTwice: `${app}: ${op}`, twice: routes.has(`${app}: ${op}`) }).toMatchObject({
          twice: false,
        });
        routes.set(`${app}: ${op}`, roles as Role[]);
      }
    }
  }
  return routes;
}

interface Operation {
  'x-roles'?: Role[];
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

describe('route walk: every route of every app needs the right role', () => {
  const procs: AppProcess[] = [];
  const dbs: TestDatabase[] = [];
  const keys = keysPerRole(`sk_walk_${randomUUID().slice(0, 8)}`, 'fleet-walk');
  const EXPECTED = readmeRoutes();

  beforeAll(async () => {
    const { prefix } = await createTestKafka('walk');
    const creds = await createTestDatabase('walk_access');
    dbs.push(creds);
    await provisionApiKeys(creds.url, Object.values(keys));
    for (const app of APPS) {
      const db = await createTestDatabase(`walk_${app.database}`);
      dbs.push(db);
      await migrateApp(app.name, db.url);
    }
    const started = await Promise.allSettled(
      APPS.map((app, i) =>
        startAppProcess(
          app.name,
          {
            DATABASE_URL: dbs[i + 1].url,
            AUTH_DATABASE_URL: creds.url,
            KAFKA_BROKERS: testBrokers().join(','),
            KAFKA_TOPIC_PREFIX: prefix,
            CONSUMER_GROUP: `${prefix}session-service`,
            // The walk sends many refused requests from one address on purpose.
            RATE_LIMIT_PER_IP: '0',
            RATE_LIMIT_PER_CREDENTIAL: '0',
            RATE_LIMIT_AUTH_FAILURES: '0',
          },
          { readyTimeoutMs: 120_000 },
        ),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(dbs.map((d) => d.drop()));
  }, 60_000);

  it('401 without a credential, 403 for each other role, through for each listed role; only /health/* is open', async () => {
    const walked: string[] = [];
    for (const p of procs) {
      const docRes = await fetch(`${p.managementUrl}/docs/json`);
      expect({ app: p.name, docs: docRes.status }).toEqual({ app: p.name, docs: 200 });
      const doc = (await docRes.json()) as OpenApi;
      for (const [template, operations] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(operations)) {
          const route = `${method.toUpperCase()} ${template}`;
          const roles = op['x-roles'] ?? [];
          walked.push(`${p.name}: ${route} [${roles.join(', ')}]`);
          // Declared roles, exactly those the README lists for this app's route (a route it does not list fails).
          expect({ route, declares: roles.length > 0 }).toEqual({ route, declares: true });
          const listed = EXPECTED.get(`${p.name}: ${route}`);
          expect({ app: p.name, route, roles: [...roles].sort() }).toEqual({
            app: p.name,
            route,
            roles: listed ? [...listed].sort() : 'not in the README table',
          });

          const url =
            p.baseUrl +
            template.replace(/\{(\w+)\}/g, (_, name: string) =>
              name === 'scope' ? 'FLEET' : name === 'id' ? randomUUID() : 'x',
            );
          const send = async (key: string | null) => {
            const res = await fetch(url, {
              method: method.toUpperCase(),
              headers: {
                ...(key ? { 'x-api-key': key } : {}),
                ...(['post', 'put', 'patch'].includes(method) ? { 'content-type': 'application/json' } : {}),
              },
              body: ['post', 'put', 'patch'].includes(method) ? '{}' : undefined,
            });
            const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
            return { status: res.status, code: body?.error?.code };
          };
          expect({ route, as: 'nobody', ...(await send(null)) }).toEqual({
            route,
            as: 'nobody',
            status: 401,
            code: 'UNAUTHENTICATED',
          });
          expect({ route, as: 'unknown key', ...(await send('sk_not_a_key_0123456789abcdef')) }).toEqual({
            route,
            as: 'unknown key',
            status: 401,
            code: 'UNAUTHENTICATED',
          });
          for (const role of ROLES) {
            const got = await send(keys[role].key);
            if (roles.includes(role)) {
              expect({
                route,
                role,
                refused: [401, 403].includes(got.status),
                crashed: got.status === 500,
              }).toEqual({
                route,
                role,
                refused: false,
                crashed: false,
              });
            } else {
              expect({ route, role, ...got }).toEqual({ route, role, status: 403, code: 'FORBIDDEN' });
            }
          }
        }
      }
      // Open without a credential: the probes, nothing else.
      expect((await fetch(`${p.baseUrl}/health/live`)).status).toBe(200);
      expect((await fetch(`${p.baseUrl}/health/ready`)).status).toBe(200);
    }
    process.stdout.write(`route walk: ${walked.length} operations\n  ${walked.join('\n  ')}\n`);
    // Every route the README lists is served by the app it names (the table is not stale).
    const seen = new Set(walked.map((w) => w.replace(/ \[.*$/, '')));
    for (const route of EXPECTED.keys())
      expect({ route, walked: seen.has(route) }).toEqual({ route, walked: true });
    expect(EXPECTED.size).toBeGreaterThanOrEqual(26);
  });
});
