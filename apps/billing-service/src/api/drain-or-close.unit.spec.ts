import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainOrClose } from './drain-or-close';

describe('drainOrClose', () => {
  it('ends an export loop with an error when the client goes away mid-stream', async () => {
    let loop: Promise<unknown> | undefined;
    const server = http.createServer((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      // The export's write loop: wait for the socket whenever it pushes back (at most ~6 GB).
      loop = (async () => {
        for (let i = 0; i < 100_000; i++) if (!res.write(chunk)) await drainOrClose(res);
        return 'finished';
      })().catch((e: Error) => e);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = http.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, (res) => {
      res.pause(); // a slow client: the server fills its buffers and waits
      setTimeout(() => client.destroy(), 200);
    });
    client.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      loop,
      new Promise((r) => (timer = setTimeout(() => r('still waiting'), 3000))),
    ]);
    clearTimeout(timer); // an armed timer keeps jest from exiting
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toBe('the client closed the connection during the export');
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('resolves on drain while the client reads', async () => {
    let outcome: Promise<void> | undefined;
    const server = http.createServer((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      while (res.write(chunk)) {
        /* keep writing */
      }
      outcome = drainOrClose(res).then(() => void res.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await new Promise<void>((resolve) =>
      http.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, (res) =>
        res.on('data', () => undefined).on('end', resolve),
      ),
    );
    await expect(outcome).resolves.toBeUndefined();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
});
