import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Request } from 'express';
import { Logger } from 'nestjs-pino';
import compression from 'compression';
import helmet from 'helmet';
import { Counter } from 'prom-client';
import { ConfigError } from '@app/config';
import {
  bodyLimitMiddleware,
  bodyParserErrorHandler,
  httpSettings,
  rateLimitMiddleware,
  type HttpConfig,
  type HttpSettings,
} from '@app/http';
import { ShutdownState } from './health';
import { MetricsController, metricsRegistry } from './metrics';
import { RefuseUndeclaredQuery } from './undeclared-query';

/** Requests refused with 429, by the limit they hit (libs/http rate-limit.ts). */
const rateLimited = new Counter({
  name: 'http_rate_limited_total',
  help: 'Requests refused with 429, by the limit they hit',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export interface BootstrapOptions {
  service: string;
  description: string;
  port: number;
  host?: string;
  shutdownTimeoutMs: number;
  /** The app's config: body and rate limits, the management port (libs/http `httpConfig`). */
  http: HttpConfig & { PORT: number; TLS_PORT?: number };
  /** Called after the HTTP server listens (start consumers, WebSocket servers...). */
  afterListen?(app: INestApplication): Promise<void>;
}

/**
 * Prints a bad configuration as one line naming the variable, and exits 1 (no stack trace).
 * Use around the config load in main.ts.
 */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

/** The OpenAPI document of an app's public routes, with the credentials they take. */
export function buildOpenApiDocument(
  app: INestApplication,
  service: string,
  description: string,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(service)
    .setDescription(description)
    .setVersion('1')
    .addApiKey(
      { type: 'apiKey', name: 'x-api-key', in: 'header', description: 'API key (npm run apikey:create)' },
      'api-key',
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'OIDC access token' },
      'bearer',
    )
    // Either credential is accepted: two requirements, not one requirement with both.
    .addSecurityRequirements('api-key')
    .addSecurityRequirements('bearer')
    .build();
  // /health/* is left out of the document (ApiExcludeController): every route listed takes a credential.
  return SwaggerModule.createDocument(app, config);
}

/**
 * What every public listener gets before its routes: security headers, rate limits (which also
 * count 401s per address, see libs/http rate-limit.ts), the body limit and JSON errors for bodies
 * that are too large or not JSON. Exported for tests that build the app in-process.
 */
export function hardenHttp(app: NestExpressApplication, settings: HttpSettings): void {
  app.disable('x-powered-by');
  if (settings.trustProxyHops > 0) app.set('trust proxy', settings.trustProxyHops);
  app.use(helmet());
  // Every response a client accepts compressed gets compressed, however small: compression's
  // default threshold (1 KB) left one session or a stop uncompressed though pump's clients send
  // Accept-Encoding: gzip. First, so the 429/413/400 answers of the middlewares below are too.
  app.use(compression({ threshold: 0 }));
  app.use(
    rateLimitMiddleware(settings.rateLimit, {
      clientAddress: (req) => (req as Request).ip ?? req.socket.remoteAddress ?? 'unknown',
      // Probes come from the kubelet, whatever the traffic does.
      exempt: (path) => path.startsWith('/health/'),
      onLimited: (reason) => rateLimited.inc({ reason }),
    }),
  );
  app.use(bodyLimitMiddleware(settings.bodyLimitBytes));
  app.useBodyParser('json', { limit: settings.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: settings.bodyLimitBytes, extended: true });
  app.use(bodyParserErrorHandler(settings.bodyLimitBytes));
}

@Module({ controllers: [MetricsController] })
class ManagementModule {}

/**
 * /metrics and /docs on their own listener (MANAGEMENT_PORT): the public and charger-facing ports
 * never show internals. Health stays on the public port, where the probes already go.
 */
async function listenManagement(
  app: INestApplication,
  options: BootstrapOptions,
  settings: HttpSettings,
): Promise<INestApplication> {
  const management = await NestFactory.create<NestExpressApplication>(ManagementModule, {
    logger: false,
    bodyParser: false,
  });
  management.disable('x-powered-by');
  const document = buildOpenApiDocument(app, options.service, options.description);
  SwaggerModule.setup('docs', management, document, { jsonDocumentUrl: 'docs/json' });
  try {
    await management.listen(settings.managementPort, settings.managementHost);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EADDRINUSE') throw e;
    process.stderr.write(
      `${options.service}: MANAGEMENT_PORT ${settings.managementPort} is already in use\n`,
    );
    process.exit(1);
  }
  return management;
}

/** Creates the Nest app with JSON logs, HTTP limits, compression, the management listener and graceful SIGTERM handling. */
export async function bootstrapService(
  module: Type<unknown> | DynamicModule,
  options: BootstrapOptions,
): Promise<INestApplication> {
  let settings: HttpSettings;
  try {
    settings = httpSettings(options.http);
  } catch (e) {
    exitOnConfigError(e);
  }
  // Our own body parsers (hardenHttp) with the configured limit replace Nest's default ones.
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  hardenHttp(app, settings);
  app.useGlobalInterceptors(new RefuseUndeclaredQuery());
  app.enableShutdownHooks();

  await app.listen(options.port, options.host ?? '0.0.0.0');
  const management = await listenManagement(app, options, settings);
  if (options.afterListen) await options.afterListen(app);

  const logger = app.get(Logger);
  logger.log(
    `${options.service} listening on :${options.port}; /metrics and /docs on :${settings.managementPort}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: draining`);
    app.get(ShutdownState).draining = true;
    const force = setTimeout(() => {
      logger.error(`shutdown took over ${options.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, options.shutdownTimeoutMs);
    force.unref();
    try {
      // app.close() runs onModuleDestroy/beforeApplicationShutdown hooks: consumers finish their
      // batch and commit, publishers flush, then connections close.
      await app.close();
      await management.close();
      process.exit(0);
    } catch (e) {
      logger.error(`shutdown failed: ${(e as Error).message}`);
      process.exit(1);
    }
  };
  // Nest's own shutdown hooks are enabled; these replace the default exit so we drain first.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return app;
}
