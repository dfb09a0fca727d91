import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { HealthController, READINESS_CHECKS, ShutdownState } from './health';
import { MetricsController, initDefaultMetrics } from './metrics';

/**
 * /health/live, /health/ready, /metrics and JSON logs (pino) for a service.
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
            // Probes and scrapes are not worth a log line each.
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
            redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        ShutdownState,
        { provide: READINESS_CHECKS, useValue: options.readinessTokens },
      ],
      exports: [ShutdownState, READINESS_CHECKS],
    };
  }
}
