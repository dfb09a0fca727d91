import { HttpException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Authenticator, type CredentialHeaders } from '../authenticator';
import { AuthError, forbidden } from '../errors';
import { hasAnyRole, type Role } from '../principal';
import { PUBLIC_METADATA, ROLES_METADATA, type AuthenticatedRequest } from './decorators';

/** An AuthError as Nest's HttpException whose body is already `{ error: { code, message } }`. */
export class AuthHttpException extends HttpException {
  constructor(readonly authError: AuthError) {
    super({ error: { code: authError.code, message: authError.message } }, authError.status);
  }
}

/**
 * The global guard (APP_GUARD): deny by default. A route passes when it is @Public, or when the
 * request carries a valid credential holding one of the route's @Roles. A route that declares
 * neither is refused to everyone, so a route added without thinking about access stays closed.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, targets);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: CredentialHeaders }>();
    try {
      const principal = await this.authenticator.authenticate(req.headers);
      if (!roles || roles.length === 0) throw forbidden('this route is open to no role');
      if (!hasAnyRole(principal, roles))
        throw forbidden(`this route needs one of the roles: ${roles.join(', ')}`);
      req.principal = principal;
      return true;
    } catch (e) {
      if (e instanceof AuthError) throw new AuthHttpException(e);
      throw e;
    }
  }
}
