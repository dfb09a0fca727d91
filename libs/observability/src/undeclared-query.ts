import {
  HttpException,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/**
 * A route that reads no query (`GET /v1/sessions/:id`) refuses one, as the routes that do read
 * theirs through the shared parser refuse unknown parameters: `?fleet=other` never looks as if
 * it did something. Routes with a `@Query()` parameter check their own.
 */
@Injectable()
export class RefuseUndeclaredQuery implements NestInterceptor {
  private readonly readsQuery = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<Request>();
      const first = Object.keys(req.query ?? {})[0];
      if (first !== undefined && !req.path.startsWith('/health/') && !this.handlerReadsQuery(context)) {
        // Already in the API's error shape, so every app's filter (and Nest's default) passes it on.
        const message = `unknown query parameter "${first}" (this route takes none)`;
        throw new HttpException({ error: { code: 'INVALID_QUERY', message } }, 400);
      }
    }
    return next.handle();
  }

  private handlerReadsQuery(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let reads = this.readsQuery.get(handler);
    if (reads === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ??
        {}) as Record<string, unknown>;
      reads = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
      this.readsQuery.set(handler, reads);
    }
    return reads;
  }
}
