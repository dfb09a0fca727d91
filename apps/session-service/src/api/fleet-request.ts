import type { Request } from 'express';
import { AuthHttpException, forbidden, type Principal } from '@app/auth';

/** A request the global guard let through, with its caller. */
export interface FleetRequest extends Request {
  principal?: Principal;
}

/**
 * The fleet whose data this caller may see. Only fleet credentials reach the sessions and webhooks
 * routes (@Roles('fleet')), and a fleet credential always has its fleet; the throw guards a later
 * widening of the roles that forgets the scoping.
 */
export function fleetOfPrincipal(principal: Principal | undefined): string {
  const fleet = principal?.fleet;
  if (!fleet) throw new AuthHttpException(forbidden('this route needs a credential bound to a fleet'));
  return fleet;
}

export const fleetOf = (req: FleetRequest): string => fleetOfPrincipal(req.principal);
