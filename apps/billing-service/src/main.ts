import 'reflect-metadata';
import { bootstrapService, exitOnConfigError } from '@app/observability';
import { loadBillingServiceConfig, type BillingServiceConfig } from './config';
import { BillingServiceModule } from './billing-service.module';

async function main(): Promise<void> {
  let config: BillingServiceConfig;
  try {
    config = loadBillingServiceConfig();
  } catch (e) {
    exitOnConfigError(e);
  }
  await bootstrapService(BillingServiceModule.forRoot(config), {
    service: 'billing-service',
    description: 'Billing: tariffs, exact pricing, immutable charges, finance exports',
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    http: config,
  });
}

main().catch((e) => {
  process.stderr.write(`billing-service failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
