import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { RateLimitSettings } from './config';
import { addressKey, rateLimitMiddleware } from './rate-limit';

/** A loopback server behind the limiter; `x-client` plays the client address, `x-api-key: bad` gets a 401. */
async function serve(settings: Partial<RateLimitSettings>) {
  const limited: string[] = [];
  const limiter = rateLimitMiddleware(
    { windowS: 60, perIp: 0, perCredential: 0, authFailures: 0, authBlockS: 30, ...settings },
    {
      clientAddress: (req) => String(req.headers['x-client'] ?? '192.0.2.1'),
      exempt: (p) => p.startsWith('/health/'),
      onLimited: (r) => limited.push(r),
    },
  );
  const server = http.createServer((req, res) =>
    limiter(req, res, (error) => {
      if (error) return void res.writeHead(500).end();
      res.writeHead(req.headers['x-api-key'] === 'bad' ? 401 : 200).end();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (headers: Record<string, string> = {}, path = '/v1/x') => {
    const res = await fetch(base + path, { headers });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
  };
  return { get, limited, close: () => new Promise((r) => server.close(r)) };
}

describe('rate limits', () => {
  it('refuses the request after RATE_LIMIT_PER_IP with 429, Retry-After and a JSON error; other addresses go on', async () => {
    const s = await serve({ perIp: 3 });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await s.get()).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await s.get();
      expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
      expect(JSON.parse(limited.body)).toEqual({
        error: { code: 'RATE_LIMITED', message: expect.stringContaining('requests from this address') },
      });
      expect((await s.get({ 'x-client': '192.0.2.2' })).status).toBe(200);
      expect(s.limited).toEqual(['address', 'address']);
      // Probes are never limited.
      expect((await s.get({}, '/health/ready')).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('counts each credential on its own, whatever address it comes from', async () => {
    const s = await serve({ perCredential: 2 });
    try {
      expect((await s.get({ 'x-api-key': 'key-a', 'x-client': '192.0.2.10' })).status).toBe(200);
      expect((await s.get({ 'x-api-key': 'key-a', 'x-client': '192.0.2.11' })).status).toBe(200);
      const third = await s.get({ 'x-api-key': 'key-a', 'x-client': '192.0.2.12' });
      expect(third.status).toBe(429);
      expect(third.body).toContain('with this credential');
      expect((await s.get({ 'x-api-key': 'key-b' })).status).toBe(200);
      expect((await s.get({ authorization: 'Bearer t1' })).status).toBe(200);
      expect((await s.get({ authorization: 'Bearer t1' })).status).toBe(200);
      expect((await s.get({ authorization: 'Bearer t1' })).status).toBe(429);
    } finally {
      await s.close();
    }
  });

  it('blocks an address after RATE_LIMIT_AUTH_FAILURES 401s, for the block time, even with a good key', async () => {
    const s = await serve({ authFailures: 2, authBlockS: 30 });
    try {
      const attacker = { 'x-client': '198.51.100.9' };
      expect((await s.get({ ...attacker, 'x-api-key': 'bad' })).status).toBe(401);
      expect((await s.get({ ...attacker, 'x-api-key': 'bad' })).status).toBe(401);
      // The third failure crosses the limit; from then on the address is refused before the handler.
      expect((await s.get({ ...attacker, 'x-api-key': 'bad' })).status).toBe(401);
      const blocked = await s.get({ ...attacker, 'x-api-key': 'good' });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.retryAfter)).toBeGreaterThan(20);
      expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(30);
      expect(blocked.body).toContain('failed authentications');
      expect((await s.get({ 'x-client': '198.51.100.10', 'x-api-key': 'good' })).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('limits nothing when every limit is 0', async () => {
    const s = await serve({});
    try {
      for (let i = 0; i < 50; i++) expect((await s.get({ 'x-api-key': 'bad' })).status).toBe(401);
    } finally {
      await s.close();
    }
  });
});

describe('addressKey', () => {
  it('keeps IPv4 addresses and unwraps IPv4-mapped IPv6 ones', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 client by its /64, however the address is written', () => {
    expect(addressKey('2001:db8:1:2::5')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    // "::" standing for one group only: the fourth group is 3, not 0.
    expect(addressKey('2001:db8::3:4:5:6:7')).toBe('2001:db8:0:3::/64');
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }),
        (groups, otherHost) => {
          const hex = (g: number[]) => g.map((n) => n.toString(16)).join(':');
          const sameNet = [...groups.slice(0, 4), ...otherHost];
          expect(addressKey(hex(groups))).toBe(addressKey(hex(sameNet)));
          expect(addressKey(hex(groups))).toBe(`${hex(groups.slice(0, 4))}::/64`);
          // Leading zeros and capitals do not make a new bucket.
          const padded = groups.map((n) => n.toString(16).padStart(4, '0').toUpperCase()).join(':');
          expect(addressKey(padded)).toBe(addressKey(hex(groups)));
        },
      ),
    );
  });
});
