import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/auth/nest';
import { Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; services add their own counters/histograms to it. */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

export function initDefaultMetrics(service: string): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry });
}

@ApiExcludeController()
// Meant for the management listener only (no credentials there, never the public port).
@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
