import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { unauthenticated } from '../errors';
import type { Principal, Role } from '../principal';

export const ROLES_METADATA = 'auth:roles';
export const PUBLIC_METADATA = 'auth:public';

/** The OpenAPI extension listing the roles of an operation (read by the route-walk test). */
export const ROLES_EXTENSION = 'x-roles';

/**
 * Any one of these roles passes (on a route, or on a controller for all its routes; a route's own
 * list replaces the controller's). Routes without @Roles or @Public are refused.
 */
export function Roles(...roles: [Role, ...Role[]]): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(ROLES_METADATA, roles),
    ApiSecurity('api-key'),
    ApiSecurity('bearer'),
    ApiExtension(ROLES_EXTENSION, roles),
    ApiUnauthorizedResponse({ description: 'no or invalid credential' }),
    ApiForbiddenResponse({ description: `the credential holds none of: ${roles.join(', ')}` }),
  );
}

/** No credential needed: only for /health/*. */
export function Public(): ClassDecorator & MethodDecorator {
  return SetMetadata(PUBLIC_METADATA, true);
}

export interface AuthenticatedRequest {
  principal?: Principal;
}

/** The caller of a guarded route (also on `req.principal`). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw unauthenticated('this route has no authenticated caller');
  return principal;
});
