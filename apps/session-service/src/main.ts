import 'reflect-metadata';
import { bootstrapService, exitOnConfigError } from '@app/observability';
import { loadSessionServiceConfig, type SessionServiceConfig } from './config';
import { SessionServiceModule } from './session-service.module';

async function main(): Promise<void> {
  let config: SessionServiceConfig;
  try {
    config = loadSessionServiceConfig();
  } catch (e) {
    exitOnConfigError(e);
  }
  await bootstrapService(SessionServiceModule.forRoot(config), {
    service: 'session-service',
    description: 'Charging sessions: event-sourced aggregates and the pump-style sessions API',
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    http: config,
  });
}

main().catch((e) => {
  process.stderr.write(`session-service failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
