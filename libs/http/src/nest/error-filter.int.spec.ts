import 'reflect-metadata';
import {
  BadRequestException,
  Body,
  Catch,
  Controller,
  ForbiddenException,
  Get,
  Module,
  NotFoundException,
  Post,
  type INestApplication,
} from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { hardenHttp } from '@app/observability';
import { QueryError } from '../query';
import type { HttpErrorReply } from '../errors';
import { JsonErrorFilter } from './error-filter';

class OutOfStock extends Error {}

@Catch()
class ShopErrorFilter extends JsonErrorFilter {
  protected override map(error: unknown): HttpErrorReply | undefined {
    if (error instanceof OutOfStock) return { status: 409, code: 'OUT_OF_STOCK', message: error.message };
    return undefined;
  }
}

@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: unknown) {
    return { body };
  }

  /** A route's own 400 keeps its code and message, whatever the body. */
  @Post('refuse')
  refuse() {
    throw new BadRequestException('Unexpected end of JSON input');
  }

  @Get('query')
  query() {
    throw new QueryError('INVALID_QUERY', 'from', 'from must be a date');
  }

  @Get('missing')
  missing() {
    throw new NotFoundException('session 42 not found');
  }

  @Get('list')
  list() {
    throw new BadRequestException(['a must be set', 'b must be set']);
  }

  @Get('shaped')
  shaped() {
    throw new ForbiddenException({ error: { code: 'FORBIDDEN', message: 'role operator required' } });
  }

  @Get('stock')
  stock() {
    throw new OutOfStock('no E1 left');
  }

  @Get('bug')
  bug() {
    throw new TypeError("Cannot read properties of undefined (reading 'x') at /srv/app.js:1");
  }
}

@Module({ controllers: [EchoController], providers: [{ provide: APP_FILTER, useClass: ShopErrorFilter }] })
class EchoModule {}

const LIMIT = 16 * 1024;

function jsonParseMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${text} parses`);
}

async function start(hardened: boolean): Promise<{ app: INestApplication; base: string }> {
  const app = await NestFactory.create<NestExpressApplication>(EchoModule, {
    logger: false,
    bodyParser: !hardened,
  });
  if (hardened) {
    hardenHttp(app, {
      managementPort: 0,
      managementHost: '127.0.0.1',
      bodyLimitBytes: LIMIT,
      trustProxyHops: 0,
      rateLimit: { windowS: 60, perIp: 100000, perCredential: 100000, authFailures: 1000, authBlockS: 1 },
    });
  }
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/** The same cases behind Nest's own JSON parser and behind bootstrapService's (hardenHttp). */
describe.each([
  ['Nest default body parser', false],
  ['hardenHttp body parsers', true],
])('JsonErrorFilter over real HTTP (%s)', (_name, hardened) => {
  let app: INestApplication;
  let base: string;
  beforeAll(async () => {
    ({ app, base } = await start(hardened));
  });
  afterAll(async () => {
    await app?.close();
  });

  const call = async (method: string, path: string, body?: string, contentType = 'application/json') => {
    const r = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body,
    });
    return { status: r.status, json: (await r.json()) as unknown };
  };

  it.each([
    ['{"evse": ', 'Unexpected end of JSON input'],
    // The words depend on the Node version: what JSON.parse says.
    ['{"a":1,}', jsonParseMessage('{"a":1,}')],
    ['not json', `Unexpected token 'n', "not json" is not valid JSON`],
  ])('%j is 400 INVALID_JSON naming what the parser found', async (body, what) => {
    const expected = {
      status: 400,
      json: { error: { code: 'INVALID_JSON', message: `request body is not valid JSON: ${what}` } },
    };
    expect(await call('POST', '/echo', body)).toEqual(expected);
    expect(await call('POST', '/echo', body, 'application/json; charset=utf-8')).toEqual(expected);
    // Even on a route that would refuse it anyway: the body is what is wrong.
    expect(await call('POST', '/echo/refuse', body)).toEqual(expected);
  });

  it('a JSON body reaches the route; a route’s own 400 stays BAD_REQUEST, also with a non-JSON content type', async () => {
    expect(await call('POST', '/echo', '{"evse":"E1"}')).toEqual({
      status: 201,
      json: { body: { evse: 'E1' } },
    });
    const own = {
      status: 400,
      json: { error: { code: 'BAD_REQUEST', message: 'Unexpected end of JSON input' } },
    };
    expect(await call('POST', '/echo/refuse', '{"evse":"E1"}')).toEqual(own);
    expect(await call('POST', '/echo/refuse', '{"evse": ', 'text/plain')).toEqual(own);
    expect(await call('POST', '/echo/refuse')).toEqual(own);
  });

  it('a body over the limit is 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(hardened ? LIMIT : 200 * 1024) });
    const r = await call('POST', '/echo', big);
    expect(r.status).toBe(413);
    expect(r.json).toEqual({
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: hardened ? `request body is larger than ${LIMIT} bytes` : 'request body is too large',
      },
    });
  });

  it('maps QueryError, HttpExceptions, shaped bodies, the app’s own errors and unknown errors', async () => {
    expect(await call('GET', '/echo/query')).toEqual({
      status: 400,
      json: { error: { code: 'INVALID_QUERY', message: 'from must be a date' } },
    });
    expect(await call('GET', '/echo/missing')).toEqual({
      status: 404,
      json: { error: { code: 'NOT_FOUND', message: 'session 42 not found' } },
    });
    expect(await call('GET', '/nowhere')).toEqual({
      status: 404,
      json: { error: { code: 'NOT_FOUND', message: 'Cannot GET /nowhere' } },
    });
    expect(await call('GET', '/echo/list')).toEqual({
      status: 400,
      json: { error: { code: 'BAD_REQUEST', message: 'a must be set; b must be set' } },
    });
    expect(await call('GET', '/echo/shaped')).toEqual({
      status: 403,
      json: { error: { code: 'FORBIDDEN', message: 'role operator required' } },
    });
    expect(await call('GET', '/echo/stock')).toEqual({
      status: 409,
      json: { error: { code: 'OUT_OF_STOCK', message: 'no E1 left' } },
    });
    expect(await call('GET', '/echo/bug')).toEqual({
      status: 500,
      json: { error: { code: 'INTERNAL', message: 'internal error' } },
    });
  });
});
