import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { HealthController, READINESS_CHECKS, ShutdownState } from './health';
import { initDefaultMetrics } from './metrics';
import { accessLogSerializers } from './access-log';

/**
 * /health/live, /health/ready and JSON logs (pino) for a service; /metrics is served on the
 * management port (bootstrap.ts).
 * The service lists the tokens of its readiness checks (e.g. Postgres, Kafka).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: { service: string; logLevel: string; readinessTokens: unknown[] }): DynamicModule {
    initDefaultMetrics(options.service);
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.logLevel,
            base: { service: options.service },
            // Probes are not worth a log line each.
            autoLogging: { ignore: (req) => /^\/health\//.test(req.url ?? '') },
            serializers: accessLogSerializers,
          },
        }),
      ],
      controllers: [HealthController],
      providers: [ShutdownState, { provide: READINESS_CHECKS, useValue: options.readinessTokens }],
      exports: [ShutdownState, READINESS_CHECKS],
    };
  }
}
