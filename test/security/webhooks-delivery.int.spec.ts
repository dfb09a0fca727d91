import { randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, waitFor, type Harness } from '../../apps/session-service/src/testing/harness';

/**
 * Issue 10, end to end through the dispatcher with production settings: a URL that passed its
 * registration (a public-looking host name) whose DNS later points inside (rebinding) is refused
 * at delivery, recorded as a failed attempt, and the receiver is never contacted.
 */
describe('webhook dispatcher with production settings (issue 10)', () => {
  let h: Harness;
  let receiver: http.Server;
  let port: number;
  let connections = 0;
  // Never a public address: whatever happens, nothing is sent off this machine.
  let answer = '127.0.0.1';
  const lookups: string[] = [];

  beforeAll(async () => {
    receiver = http.createServer((_req, res) => res.end('ok'));
    receiver.on('connection', () => connections++);
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    port = (receiver.address() as AddressInfo).port;
    h = await startHarness('sec_hook_dispatch', {
      poolSize: 3,
      webhooks: {
        secretKey: randomBytes(32),
        baseBackoffMs: 100,
        pollMs: 50,
        // production: https only, no allow-list; only DNS is faked (nothing leaves this machine)
        resolve: async (host): Promise<LookupAddress[]> => {
          lookups.push(host);
          return [{ address: answer, family: 4 }];
        },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });

  it('a host name that now resolves to loopback or the metadata address is refused at every attempt', async () => {
    const m = h.runtime.manageWebhooks;
    // registration needs no DNS: a public-looking name passes
    const input = m.validate({ url: `https://hooks.example.test:${port}/hook` });
    const { webhook } = await m.create('fleet-r', input, async () => undefined);
    expect(lookups).toEqual([]);

    // rebinding: whatever the name resolved to at registration, it now points at the service's own host
    await m.sendTest('fleet-r', webhook.id);
    h.runtime.webhooks.wake();
    const first = await waitFor(async () => {
      const d = (await m.deliveries('fleet-r', webhook.id)).deliveries[0];
      return d.attempts >= 1 ? d : null;
    });
    expect(first).toMatchObject({ status: 'pending', last_status_code: null });
    expect(first.last_error).toContain('resolves to a non-public address 127.0.0.1 (loopback)');

    answer = '169.254.169.254';
    const second = await waitFor(async () => {
      const d = (await m.deliveries('fleet-r', webhook.id)).deliveries[0];
      return d.attempts >= 2 ? d : null;
    }, 10000);
    expect(second.attempt_log[1].error).toContain('169.254.169.254 (link-local (cloud metadata))');
    expect(lookups.every((l) => l === 'hooks.example.test')).toBe(true);
    expect(connections).toBe(0);
  });

  it('production settings refuse registering http or a private literal', () => {
    const m = h.runtime.manageWebhooks;
    expect(() => m.validate({ url: 'http://hooks.example.com/' })).toThrow('url must use https');
    expect(() => m.validate({ url: 'https://169.254.169.254/latest/meta-data/' })).toThrow(
      'non-public address',
    );
    expect(() => m.validate({ url: `https://127.0.0.1:${port}/` })).toThrow('non-public address');
    expect(() => m.validate({ url: 'https://[::ffff:10.0.0.1]/' })).toThrow('non-public address');
  });
});
