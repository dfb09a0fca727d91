import 'reflect-metadata';
import { bootstrapService, exitOnConfigError } from '@app/observability';
import { loadOcppGatewayConfig, type OcppGatewayConfig } from './config';
import { OcppGatewayModule } from './ocpp-gateway.module';

async function main(): Promise<void> {
  let config: OcppGatewayConfig;
  try {
    config = loadOcppGatewayConfig();
  } catch (e) {
    exitOnConfigError(e);
  }
  await bootstrapService(OcppGatewayModule.forRoot(config), {
    service: 'ocpp-gateway',
    description: 'OCPP 1.6J and 2.0.1 CSMS: charger connections, validation, commands',
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    http: config,
  });
}

main().catch((e) => {
  process.stderr.write(`ocpp-gateway failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
