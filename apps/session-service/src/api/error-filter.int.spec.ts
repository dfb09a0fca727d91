import 'reflect-metadata';
import { BadRequestException, Body, Controller, Module, Post, type INestApplication } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { SessionsErrorFilter } from './error.filter';

@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: unknown) {
    return { body };
  }

  /** A route's own 400 with a parsed body keeps its code and message. */
  @Post('refuse')
  refuse() {
    throw new BadRequestException('Unexpected end of JSON input');
  }
}

@Module({
  controllers: [EchoController],
  providers: [{ provide: APP_FILTER, useClass: SessionsErrorFilter }],
})
class EchoModule {}

/**
 * The error filter behind Nest's own JSON parser (an app built without bootstrapService's
 * hardenHttp, as the int tests and scripts do): Nest turns the parser's SyntaxError into a
 * `BadRequestException(message)` with no cause (RoutesResolver.mapExternalException), which the
 * filter used to answer as `{"code":"BAD_REQUEST","message":"Unexpected end of JSON input"}`.
 */
describe('SessionsErrorFilter and body-parser errors (real HTTP, Nest default parser)', () => {
  let app: INestApplication;
  let base: string;
  beforeAll(async () => {
    app = await NestFactory.create(EchoModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = async (path: string, body: string, contentType = 'application/json') => {
    const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: r.status, json: (await r.json()) as unknown };
  };

  it.each(['{"evse": ', '{', 'not json', '{"a":1,}', '[1,2'])('%j is 400 INVALID_JSON', async (body) => {
    expect(await post('/echo', body)).toEqual({
      status: 400,
      json: {
        error: { code: 'INVALID_JSON', message: expect.stringMatching(/^request body is not valid JSON/) },
      },
    });
    expect(await post('/echo', body, 'application/json; charset=utf-8')).toMatchObject({
      status: 400,
      json: { error: { code: 'INVALID_JSON' } },
    });
  });

  it('a JSON body still reaches the route; a route’s own 400 stays BAD_REQUEST', async () => {
    expect(await post('/echo', '{"evse":"E1"}')).toEqual({ status: 201, json: { body: { evse: 'E1' } } });
    expect(await post('/echo/refuse', '{"evse":"E1"}')).toEqual({
      status: 400,
      json: { error: { code: 'BAD_REQUEST', message: 'Unexpected end of JSON input' } },
    });
  });
});
