import 'reflect-metadata';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { hardenHttp } from './bootstrap';

@Controller('v1')
class SmallController {
  @Get('session')
  session() {
    return { id: 'S1', status: 'CLOSED', kwh: 0.9046 };
  }
}

@Module({ controllers: [SmallController] })
class SmallModule {}

const LIMIT = 1024;

/** The raw response: headers and the bytes as sent (node:http does not decompress). */
function get(url: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: Buffer }>(
    (resolve, reject) => {
      const req = http.request(url, { method: body === undefined ? 'GET' : 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end(body);
    },
  );
}

describe('compression (hardenHttp, real HTTP)', () => {
  let app: INestApplication;
  let base: string;
  beforeAll(async () => {
    const nest = await NestFactory.create<NestExpressApplication>(SmallModule, {
      logger: false,
      bodyParser: false,
    });
    hardenHttp(nest, {
      managementPort: 0,
      managementHost: '127.0.0.1',
      bodyLimitBytes: LIMIT,
      trustProxyHops: 0,
      rateLimit: { windowS: 60, perIp: 100000, perCredential: 100000, authFailures: 1000, authBlockS: 1 },
    });
    await nest.listen(0, '127.0.0.1');
    app = nest;
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('gzips a response far under 1 KB when the client accepts gzip', async () => {
    const r = await get(`${base}/v1/session`, { 'accept-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers.vary).toMatch(/accept-encoding/i);
    const json = gunzipSync(r.bytes).toString('utf8');
    expect(json.length).toBeLessThan(100);
    expect(JSON.parse(json)).toEqual({ id: 'S1', status: 'CLOSED', kwh: 0.9046 });
  });

  it('sends it as it is to a client that does not accept gzip', async () => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }] as Record<string, string>[]) {
      const r = await get(`${base}/v1/session`, headers);
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(r.bytes.toString('utf8'))).toEqual({ id: 'S1', status: 'CLOSED', kwh: 0.9046 });
    }
  });

  it('compresses the middlewares’ own error answers too (413 from the body limit)', async () => {
    const r = await get(
      `${base}/v1/session`,
      { 'accept-encoding': 'gzip', 'content-type': 'application/json' },
      JSON.stringify({ pad: 'x'.repeat(LIMIT) }),
    );
    expect(r.status).toBe(413);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(r.bytes).toString('utf8'))).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: `request body is larger than ${LIMIT} bytes` },
    });
  });
});
