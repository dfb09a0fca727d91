import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { fleetOfApiKey } from '../application/api-keys';
import { SessionRuntime } from '../infrastructure/session-runtime';

export interface FleetRequest extends Request {
  fleetId: string;
}

/** `x-api-key` → the fleet it belongs to (cached briefly; revocation takes effect within 30 s). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly cache = new Map<string, { fleetId: string | null; until: number }>();

  constructor(private readonly runtime: SessionRuntime) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FleetRequest>();
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key.length === 0)
      throw new UnauthorizedException('x-api-key header is missing');
    const now = Date.now();
    let hit = this.cache.get(key);
    if (!hit || hit.until < now) {
      hit = { fleetId: await fleetOfApiKey(this.runtime.pool, key), until: now + 30_000 };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, hit);
    }
    if (!hit.fleetId) throw new UnauthorizedException('x-api-key is not valid');
    req.fleetId = hit.fleetId;
    return true;
  }
}
