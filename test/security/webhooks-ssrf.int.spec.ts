import diagnostics from 'node:diagnostics_channel';
import { promises as dns, type LookupAddress } from 'node:dns';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { webhookDelivery } from '../../apps/session-service/src/infrastructure/webhook-delivery';

/**
 * Issue 10: the old CLI accepted http://169.254.169.254/..., delivery followed redirects to
 * internal URLs and read response bodies without a limit. Here the delivery adapter itself is
 * attacked. Nothing is ever sent to a non-loopback address: the refusals must happen before a
 * socket exists, and the tests prove that by watching every client socket Node creates.
 */
describe('webhook delivery is SSRF-safe (issue 10)', () => {
  const sockets: Socket[] = [];
  const onSocket = (m: unknown) => sockets.push((m as { socket: Socket }).socket);
  let receiver: http.Server;
  let port: number;
  let connections = 0;
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end('ok');

  beforeAll(async () => {
    diagnostics.subscribe('net.client.socket', onSocket);
    receiver = http.createServer((req, res) => handler(req, res));
    receiver.on('connection', () => connections++);
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(async () => {
    diagnostics.unsubscribe('net.client.socket', onSocket);
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });
  beforeEach(() => {
    sockets.length = 0;
    connections = 0;
    handler = (_req, res) => res.end('ok');
  });

  const production = () => webhookDelivery({ timeoutMs: 2000 }).transport;
  /** The dev stack's exception: the loopback receiver (and only 127.0.0.1) is allowed. */
  const devStack = (over: Parameters<typeof webhookDelivery>[0] = {}) =>
    webhookDelivery({ allowHttp: true, allowedAddresses: ['127.0.0.1'], timeoutMs: 2000, ...over }).transport;
  const post = (t: ReturnType<typeof production>, url: string) => t.post(url, '{"object":"event"}', {});

  it.each([
    'https://127.0.0.1/hook',
    'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'https://10.0.0.1/hook',
    'https://192.168.0.1/hook',
    'https://100.64.0.1/hook',
    'https://[::1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:a9fe:a9fe]/hook',
    'https://[fd00::1]/hook',
    'https://[fe80::1]/hook',
    'https://0.0.0.0/hook',
    'https://2130706433/hook', // 127.0.0.1 as one number
    'https://0x7f.1/hook',
    'https://localhost/hook',
    'https://app.localhost/hook',
  ])('production settings refuse %s before any socket exists', async (url) => {
    const r = await post(production(), url);
    expect(r).toMatchObject({ ok: false, refused: true, statusCode: null });
    expect(r.error).toMatch(/non-public address/);
    expect(sockets).toHaveLength(0);
  });

  it('production settings refuse plain http, even to a public address', async () => {
    const r = await post(production(), 'http://93.184.216.34/hook');
    expect(r).toMatchObject({ ok: false, refused: true, error: 'url must use https' });
    expect(sockets).toHaveLength(0);
  });

  it('a host name that resolves to loopback is refused after DNS, before connecting', async () => {
    // The name check on "localhost" is not what stops this: the system resolver's real answer for
    // localhost is given to an innocent-looking name, and the address policy refuses it.
    const resolve = (): Promise<LookupAddress[]> => dns.lookup('localhost', { all: true });
    const t = webhookDelivery({ allowHttp: true, timeoutMs: 2000, resolve }).transport;
    const r = await post(t, `http://hooks.example.test:${port}/hook`);
    expect(r).toMatchObject({ ok: false, refused: true });
    expect(r.error).toMatch(/resolves to a non-public address (127\.0\.0\.1|::1) \(loopback\)/);
    expect(sockets).toHaveLength(0);
    expect(connections).toBe(0);
  });

  it('every resolved address is checked: one private address among public ones refuses the host', async () => {
    const resolve = async (): Promise<LookupAddress[]> => [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ];
    const r = await post(
      webhookDelivery({ resolve, timeoutMs: 2000 }).transport,
      'https://hooks.example.com/x',
    );
    expect(r).toMatchObject({ ok: false, refused: true });
    expect(r.error).toContain('169.254.169.254');
    expect(sockets).toHaveLength(0);
  });

  it('DNS rebinding does not get through: the host is resolved once and the socket goes to the checked address', async () => {
    const answers = ['127.0.0.1', '10.0.0.1', '10.0.0.1'];
    let calls = 0;
    // First answer passes the (dev) policy, any later one would point inside: it must never be asked.
    const resolve = async (): Promise<LookupAddress[]> => [{ address: answers[calls++], family: 4 }];
    const t = devStack({ resolve });
    const r = await post(t, `http://rebind.example.test:${port}/hook`);
    expect(r).toMatchObject({ ok: true, statusCode: 200 });
    expect(calls).toBe(1);
    expect(sockets).toHaveLength(1);
    expect(sockets[0].remoteAddress).toBe('127.0.0.1');
  });

  it('a redirect is a failed delivery and is never followed (not even to the metadata address)', async () => {
    let followed = 0;
    handler = (req, res) => {
      if (req.url === '/internal') followed++;
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    };
    const r = await post(devStack(), `http://127.0.0.1:${port}/hook`);
    expect(r).toMatchObject({ ok: false, statusCode: 302 });
    expect(r.error).toMatch(/redirects are not followed/);
    handler = (_req, res) => res.writeHead(307, { location: `http://127.0.0.1:${port}/internal` }).end();
    const r2 = await post(devStack(), `http://127.0.0.1:${port}/hook`);
    expect(r2).toMatchObject({ ok: false, statusCode: 307 });
    expect(followed).toBe(0);
    // one socket per delivery, both to the receiver; none towards 169.254.169.254
    expect(sockets.map((s) => s.remoteAddress)).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('the dev-stack allow-list is exact: 127.0.0.2 stays refused', async () => {
    const r = await post(devStack(), `http://127.0.0.2:${port}/hook`);
    expect(r).toMatchObject({ ok: false, refused: true });
    expect(sockets).toHaveLength(0);
  });

  it('a receiver that never answers is cut off at the timeout', async () => {
    handler = () => undefined; // holds the request open
    const started = Date.now();
    const r = await post(devStack({ timeoutMs: 300 }), `http://127.0.0.1:${port}/slow`);
    expect(r).toMatchObject({ ok: false, statusCode: null });
    expect(r.error).toMatch(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a receiver streaming an endless body is read up to the limit, then dropped', async () => {
    let written = 0;
    let closedEarly = false;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'a');
      const pump = () => {
        while (written < 50 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (closedEarly = !res.writableFinished));
      pump();
    };
    const started = Date.now();
    const r = await post(devStack({ maxResponseBytes: 64 * 1024 }), `http://127.0.0.1:${port}/big`);
    expect(r).toMatchObject({ ok: true, statusCode: 200, responseBytes: 64 * 1024 });
    expect(Date.now() - started).toBeLessThan(1500);
    await new Promise((res) => setTimeout(res, 100));
    expect(closedEarly).toBe(true);
    expect(written).toBeLessThan(50 * 1024 * 1024);
  });

  it('a URL with credentials or a fragment is refused at registration', () => {
    const t = production();
    expect(() => t.checkUrl('https://user:pw@hooks.example.com/')).toThrow('credentials');
    expect(() => t.checkUrl('https://hooks.example.com/#x')).toThrow('fragment');
    expect(() => t.checkUrl('ftp://hooks.example.com/')).toThrow('https');
    expect(() => t.checkUrl('not a url')).toThrow('valid absolute URL');
    expect(t.checkUrl('https://hooks.example.com/chargebill').hostname).toBe('hooks.example.com');
  });
});
