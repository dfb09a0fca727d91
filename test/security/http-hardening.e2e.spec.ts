import { randomUUID } from 'node:crypto';
import { provisionApiKeys } from '@app/auth/testing';
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
 * The HTTP attacks of issue 10 against the three apps running as processes, as an attacker on the
 * same network would try them: each of these failed on main before the hardening.
 */
describe('HTTP hardening of every app', () => {
  const procs: AppProcess[] = [];
  const dbs: TestDatabase[] = [];
  const demoKey = `sk_demo_${randomUUID()}`;
  const financeKey = `sk_finance_${randomUUID()}`;
  const AUTH_FAILURES = 5;
  const app = (name: string) => procs.find((p) => p.name === name)!;

  beforeAll(async () => {
    const { prefix } = await createTestKafka('security');
    for (const a of APPS) {
      const db = await createTestDatabase(`security_${a.database}`);
      dbs.push(db);
      await migrateApp(a.name, db.url);
    }
    // The credentials every app verifies against; dropped with the others.
    const access = await createTestDatabase('security_access');
    dbs.push(access);
    await provisionApiKeys(access.url, [
      { key: demoKey, name: 'demo fleet', roles: ['fleet'], fleet: 'demo' },
      { key: financeKey, name: 'finance', roles: ['finance'], fleet: null },
    ]);
    const started = await Promise.all(
      APPS.map((a, i) =>
        startAppProcess(a.name, {
          DATABASE_URL: dbs[i].url,
          KAFKA_BROKERS: testBrokers().join(','),
          KAFKA_TOPIC_PREFIX: prefix,
          AUTH_DATABASE_URL: access.url,
          OCPP_ALLOW_UNREGISTERED: 'true',
          DEMO_API_KEY: demoKey,
          // info: the access log lines are what one test reads.
          LOG_LEVEL: 'info',
          RATE_LIMIT_AUTH_FAILURES: String(AUTH_FAILURES),
          RATE_LIMIT_AUTH_BLOCK_S: '120',
          // One proxy hop is believed, so the flood below can come from its own (forwarded) address.
          HTTP_TRUST_PROXY_HOPS: '1',
        }),
      ),
    );
    procs.push(...started);
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await Promise.all(dbs.map((d) => d.drop()));
  });

  it('answers a flood of invalid keys with 429 and Retry-After once authentication failed too often', async () => {
    const attacker = { 'x-forwarded-for': '203.0.113.7' };
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 3 * AUTH_FAILURES && !limited; i++) {
      const res = await fetch(`${app('session-service').baseUrl}/v1/sessions`, {
        headers: { ...attacker, 'x-api-key': `sk_guess_${i}_${randomUUID()}` },
      });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(statuses.slice(0, AUTH_FAILURES)).toEqual(Array(AUTH_FAILURES).fill(401));
    expect(limited).toBeDefined();
    const retryAfter = Number(limited!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(await limited!.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    // The blocked address stays blocked, even with a real key; other addresses are not affected.
    const blocked = await fetch(`${app('session-service').baseUrl}/v1/sessions`, {
      headers: { ...attacker, 'x-api-key': demoKey },
    });
    expect(blocked.status).toBe(429);
    const other = await fetch(`${app('session-service').baseUrl}/v1/sessions`, {
      headers: { 'x-api-key': demoKey },
    });
    expect(other.status).toBe(200);
    // Operators see the refusals on the management port.
    const metrics = await (await fetch(`${app('session-service').managementUrl}/metrics`)).text();
    const refused = /^http_rate_limited_total\{[^}]*reason="auth_failures"[^}]*\} (\d+)$/m.exec(metrics);
    expect(Number(refused?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('answers ?from=999999999999 with a 400 naming from (was a 500), on sessions and billing alike', async () => {
    const endpoints = [
      { url: `${app('session-service').baseUrl}/v1/sessions`, key: demoKey, extra: '' },
      { url: `${app('billing-service').baseUrl}/v1/anomalies`, key: financeKey, extra: '' },
      {
        url: `${app('billing-service').baseUrl}/v1/exports/charges/totals`,
        key: financeKey,
        extra: '&to=2024-06-01',
      },
    ];
    for (const { url, key, extra } of endpoints) {
      for (const from of ['999999999999', '99999999999999999999999', '2024-02-30', '1e12']) {
        const res = await fetch(`${url}?from=${from}${extra}`, { headers: { 'x-api-key': key } });
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect({ url, from, status: res.status, code: body.error.code }).toEqual({
          url,
          from,
          status: 400,
          code: 'INVALID_QUERY',
        });
        expect(body.error.message).toMatch(/^from /);
      }
    }
  });

  it('refuses query parameters on routes that read none, instead of ignoring them', async () => {
    const id = randomUUID();
    for (const { url, key } of [
      { url: `${app('session-service').baseUrl}/v1/sessions/${id}?fleet=other`, key: demoKey },
      { url: `${app('billing-service').baseUrl}/v1/charges/${id}?fleet=other`, key: financeKey },
    ]) {
      const res = await fetch(url, { headers: { 'x-api-key': key } });
      expect({ url, status: res.status, body: await res.json() }).toEqual({
        url,
        status: 400,
        body: {
          error: {
            code: 'INVALID_QUERY',
            message: 'unknown query parameter "fleet" (this route takes none)',
          },
        },
      });
      // Without the parameter the same route answers as before (404: no such session or charge).
      expect((await fetch(url.split('?')[0], { headers: { 'x-api-key': key } })).status).toBe(404);
    }
    // Probes keep working whatever a load balancer appends.
    expect((await fetch(`${app('billing-service').baseUrl}/health/live?probe=1`)).status).toBe(200);
  });

  it('answers a 5 MB body with 413 JSON on every app, declared or chunked, and bad JSON with 400', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) });
    const paths: Record<string, string> = {
      'ocpp-gateway': '/v1/anything',
      'session-service': '/v1/sessions/start',
      'billing-service': '/v1/tariffs',
    };
    for (const p of procs) {
      const res = await fetch(p.baseUrl + paths[p.name], {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': demoKey },
        body: big,
      });
      expect({ app: p.name, status: res.status, body: await res.json() }).toMatchObject({
        app: p.name,
        status: 413,
        body: { error: { code: 'PAYLOAD_TOO_LARGE' } },
      });
      // Without a Content-Length the parser counts the bytes as they come.
      const chunks = [Buffer.from(big.slice(0, 1024 * 1024)), Buffer.from(big.slice(1024 * 1024))];
      const chunked = await fetch(p.baseUrl + paths[p.name], {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new ReadableStream({
          pull(controller) {
            const next = chunks.shift();
            if (next) controller.enqueue(next);
            else controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect({ app: p.name, chunked: chunked.status }).toEqual({ app: p.name, chunked: 413 });
      await chunked.arrayBuffer();
      const malformed = await fetch(p.baseUrl + paths[p.name], {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': demoKey },
        body: '{"evse": ',
      });
      expect({ app: p.name, status: malformed.status, body: await malformed.json() }).toMatchObject({
        app: p.name,
        status: 400,
        body: { error: { code: 'INVALID_JSON' } },
      });
    }
  });

  it('sends security headers and no X-Powered-By on every app', async () => {
    for (const p of procs) {
      for (const path of ['/health/live', '/v1/no-such-route']) {
        const res = await fetch(p.baseUrl + path);
        await res.arrayBuffer();
        const h = res.headers;
        expect({ app: p.name, path, poweredBy: h.get('x-powered-by') }).toEqual({
          app: p.name,
          path,
          poweredBy: null,
        });
        expect(h.get('x-content-type-options')).toBe('nosniff');
        expect(h.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(h.get('strict-transport-security')).toMatch(/max-age=\d+/);
        expect(h.get('content-security-policy')).toContain("default-src 'self'");
      }
    }
  });

  it('serves /metrics and /docs on the management port only, never on the public or charger port', async () => {
    for (const p of procs) {
      for (const path of ['/metrics', '/docs', '/docs/json']) {
        const res = await fetch(p.baseUrl + path, { headers: { 'x-api-key': demoKey } });
        await res.arrayBuffer();
        expect({ app: p.name, path, status: res.status }).toEqual({ app: p.name, path, status: 404 });
      }
      const metrics = await fetch(`${p.managementUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain(`service="${p.name}"`);
      const docs = await fetch(`${p.managementUrl}/docs/json`);
      expect(docs.status).toBe(200);
      const doc = (await docs.json()) as {
        info: { title: string };
        components: { securitySchemes: Record<string, unknown> };
        security: unknown[];
      };
      // Either credential, on every route the document lists.
      expect(doc.security).toEqual([{ 'api-key': [] }, { bearer: [] }]);
      expect(doc.info.title).toBe(p.name);
      expect(doc.components.securitySchemes).toMatchObject({
        'api-key': { type: 'apiKey', in: 'header', name: 'x-api-key' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      });
      expect((await fetch(`${p.managementUrl}/docs`)).status).toBe(200);
      // Health stays where the probes go.
      expect((await fetch(`${p.baseUrl}/health/live`)).status).toBe(200);
    }
  });

  it('logs requests without their query string, user_reference or credentials', async () => {
    const s = app('session-service');
    const secret = `alice-${randomUUID()}`;
    const res = await fetch(`${s.baseUrl}/v1/sessions?user_reference=${secret}&limit=5`, {
      headers: { 'x-api-key': demoKey },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    let line: { req?: { path?: string; method?: string }; res?: { statusCode?: number } } | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      line = s
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as typeof line)
        .find((l) => l?.req?.path === '/v1/sessions' && l.res?.statusCode === 200);
      if (!line) await new Promise((r) => setTimeout(r, 100));
    }
    expect(line).toMatchObject({ req: { method: 'GET', path: '/v1/sessions' }, res: { statusCode: 200 } });
    // Nothing but these: no headers, no query, no client address.
    expect(Object.keys(line!.req!).sort()).toEqual(['id', 'method', 'path']);
    expect(Object.keys(line!.res!)).toEqual(['statusCode']);
    const log = s.output();
    expect(log).not.toContain(secret);
    expect(log).not.toContain(demoKey);
    expect(log).not.toContain('user_reference=');
    expect(log).not.toContain('"remoteAddress"');
  });
});
