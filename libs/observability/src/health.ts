import { Controller, Get, HttpCode, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/auth/nest';

/** A dependency the service needs to do its job (Postgres, Kafka, ...). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** The DI tokens of the service's readiness checks (resolved from anywhere in the app). */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@Injectable()
export class ShutdownState {
  /** Set on SIGTERM so Kubernetes takes the pod out of the Service before it stops. */
  draining = false;
}

@ApiExcludeController()
@Public() // probes carry no credential; the only open routes
@Controller('health')
export class HealthController {
  private checks?: ReadinessCheck[];

  constructor(
    @Inject(READINESS_CHECKS) private readonly tokens: unknown[],
    private readonly shutdown: ShutdownState,
    private readonly moduleRef: ModuleRef,
  ) {}

  private resolveChecks(): ReadinessCheck[] {
    // The checks live in the app's own modules; resolve them globally on first use.
    this.checks ??= this.tokens.map(
      (t) => this.moduleRef.get(t as never, { strict: false }) as ReadinessCheck,
    );
    return this.checks;
  }

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: string; checks: Record<string, string> }> {
    const results: Record<string, string> = {};
    let ok = !this.shutdown.draining;
    if (this.shutdown.draining) results.shutdown = 'draining';
    await Promise.all(
      this.resolveChecks().map(async (c) => {
        try {
          await withTimeout(c.check(), 2000);
          results[c.name] = 'ok';
        } catch (e) {
          ok = false;
          results[c.name] = `down: ${(e as Error).message}`;
        }
      }),
    );
    const body = { status: ok ? 'ok' : 'unavailable', checks: results };
    if (!ok) throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}
