import { ApiKeyVerifier } from './api-key-verifier';
import { AuthError, unauthenticated } from './errors';
import { JwtVerifier } from './jwt-verifier';
import type { Principal } from './principal';

export interface CredentialHeaders {
  'x-api-key'?: string | string[];
  authorization?: string | string[];
}

/** One credential per request: an API key in `x-api-key`, or an OIDC token in `Authorization: Bearer`. */
export class Authenticator {
  constructor(
    private readonly apiKeys: ApiKeyVerifier,
    private readonly jwt: JwtVerifier | null,
  ) {}

  /** The caller, or an AuthError (401 no/invalid credential, 503 store unreachable). */
  async authenticate(headers: CredentialHeaders): Promise<Principal> {
    const apiKey = headers['x-api-key'];
    const authorization = headers.authorization;
    if (apiKey !== undefined && authorization !== undefined)
      throw unauthenticated('send one credential: x-api-key or Authorization, not both');
    if (apiKey !== undefined) {
      if (typeof apiKey !== 'string' || apiKey.length === 0)
        throw unauthenticated('x-api-key must be given once');
      let principal: Principal | null;
      try {
        principal = await this.apiKeys.verify(apiKey);
      } catch {
        throw new AuthError('AUTH_UNAVAILABLE', 'credentials cannot be checked right now; retry');
      }
      if (!principal) throw unauthenticated('x-api-key is not valid');
      return principal;
    }
    if (authorization !== undefined) {
      const match =
        typeof authorization === 'string' ? /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization) : null;
      if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
      if (!this.jwt)
        throw unauthenticated('bearer tokens are not accepted here (no AUTH_OIDC_ISSUER configured)');
      return this.jwt.verify(match[1]);
    }
    throw unauthenticated('a credential is required: x-api-key header or Authorization: Bearer <token>');
  }
}
