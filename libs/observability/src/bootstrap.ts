import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import compression from 'compression';
import { ConfigError } from '@app/config';
import { ShutdownState } from './health';

export interface BootstrapOptions {
  service: string;
  description: string;
  port: number;
  host?: string;
  shutdownTimeoutMs: number;
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

/** Creates the Nest app with JSON logs, gzip, /docs (OpenAPI) and graceful SIGTERM handling. */
export async function bootstrapService(module: Type<unknown> | DynamicModule, options: BootstrapOptions): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.use(compression());
  app.enableShutdownHooks();

  const doc = new DocumentBuilder()
    .setTitle(options.service)
    .setDescription(options.description)
    .setVersion('1')
    .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'api-key')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'docs/json' });

  await app.listen(options.port, options.host ?? '0.0.0.0');
  if (options.afterListen) await options.afterListen(app);

  const logger = app.get(Logger);
  logger.log(`${options.service} listening on :${options.port}`);

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
