import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthError, unauthenticated } from './errors';
import { credentialShapeError, isRole, MAX_NAME_LENGTH, type Principal, type Role } from './principal';

/** Asymmetric algorithms only: a shared-secret HS256 token could be minted by anyone holding the secret, and `none` by anyone. */
export const ALLOWED_JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'ES256',
  'ES384',
  'EdDSA',
] as const;

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  /** Unset: the issuer's discovery document names it (fallback `<issuer>/.well-known/jwks.json`). */
  jwksUrl?: string;
  /** Dotted path into the claims, e.g. `roles` or `realm_access.roles`. */
  rolesClaim: string;
  fleetClaim: string;
  algorithms: string[];
  clockToleranceS: number;
  /** Injected in tests; a remote JWKS (fetched, cached and refreshed by jose) otherwise. */
  keys?: JWTVerifyGetKey;
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let at: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** Roles as an array or a space-separated string (as `scope` is); names we do not know are ignored. */
export function rolesFromClaim(value: unknown): Role[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/\s+/) : [];
  return [...new Set(list.filter(isRole))];
}

/** OIDC bearer tokens: signature against the issuer's JWKS, issuer, audience, expiry, algorithm. */
export class JwtVerifier {
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(private readonly options: JwtVerifierOptions) {
    if (options.keys) this.keys = Promise.resolve(options.keys);
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.keySet();
    } catch {
      throw keysUnavailable();
    }
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms,
        clockTolerance: this.options.clockToleranceS,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (e) {
      // The identity provider's key server is down or slow: our outage, not a bad token (503, retry).
      if (isKeyServerFailure(e)) throw keysUnavailable();
      // jose's messages say which check failed (e.g. `"aud" claim check failed`) without echoing the token.
      throw unauthenticated(`bearer token is not valid: ${(e as Error).message}`);
    }
    const roles = rolesFromClaim(claimAt(payload, this.options.rolesClaim));
    const fleetClaim = claimAt(payload, this.options.fleetClaim);
    const fleet = roles.includes('fleet') && typeof fleetClaim === 'string' && fleetClaim ? fleetClaim : null;
    const shape = credentialShapeError(roles, fleet);
    if (shape) throw unauthenticated(`bearer token grants no usable roles: ${shape}`);
    const nameClaim = payload.name ?? payload.preferred_username ?? payload.email;
    return {
      kind: 'jwt',
      id: payload.sub!,
      name: typeof nameClaim === 'string' ? nameClaim.slice(0, MAX_NAME_LENGTH) : null,
      roles,
      fleet,
    };
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= this.discoverJwksUrl().then((url) =>
      createRemoteJWKSet(url, { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }),
    );
    // A failed discovery is retried by the next request instead of being remembered.
    this.keys.catch(() => (this.keys = undefined));
    return this.keys;
  }

  private async discoverJwksUrl(): Promise<URL> {
    if (this.options.jwksUrl) return new URL(this.options.jwksUrl);
    const base = this.options.issuer.replace(/\/+$/, '');
    // Only "there is no discovery document" (404) falls back to the conventional path. A timeout or
    // a 5xx is an outage: the request fails and the next one asks again, instead of pinning a path
    // that many providers (Keycloak, Entra ID) do not serve.
    const res = await fetch(`${base}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5000),
    });
    if (res.status === 404) return new URL(`${base}/.well-known/jwks.json`);
    if (!res.ok) throw new Error(`OIDC discovery at ${base} answered ${res.status}`);
    const doc = (await res.json()) as { jwks_uri?: unknown };
    if (typeof doc.jwks_uri !== 'string') throw new Error(`OIDC discovery at ${base} names no jwks_uri`);
    const url = new URL(doc.jwks_uri);
    // Keys fetched in the clear could be anyone's: the same rule as AUTH_OIDC_ISSUER.
    if (!isSecureOrLoopback(url))
      throw new Error(`OIDC discovery at ${base} names a jwks_uri that is not https`);
    return url;
  }
}

/** https, or http to this machine only (a test's or a sidecar's key server). */
export function isSecureOrLoopback(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return url.protocol === 'http:' && (host === 'localhost' || host === '::1' || /^127\./.test(host));
}

const keysUnavailable = () =>
  new AuthError(
    'AUTH_UNAVAILABLE',
    "the identity provider's signing keys cannot be fetched right now; retry",
  );

/** jose's JWKS fetch timed out or failed below HTTP (no jose code), or the key set was not JSON. */
function isKeyServerFailure(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JWKS_INVALID') return true;
  return typeof code !== 'string' || !code.startsWith('ERR_J');
}
