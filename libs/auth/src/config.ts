import { ConfigError, env, type ConfigOf, type EnvField } from '@app/config';
import { ALLOWED_JWT_ALGORITHMS, isSecureOrLoopback } from './jwt-verifier';

/** Signing keys and issuers are trusted only over TLS: http is accepted for loopback alone. */
function optionalHttpUrl(): EnvField<string | undefined> {
  return {
    describe: 'optional https URL (http only for a loopback host)',
    parse: (raw, name) => {
      if (raw === undefined || raw === '') return undefined;
      const value = env.url(undefined, ['http', 'https']).parse(raw, name);
      if (!isSecureOrLoopback(new URL(value!)))
        throw new ConfigError(name, `must be an https URL (http only for 127.0.0.1/localhost), got "${raw}"`);
      return value;
    },
  };
}

function algorithmList(fallback: string): EnvField<string[]> {
  return {
    describe: `comma-separated subset of ${ALLOWED_JWT_ALGORITHMS.join(',')}, default ${fallback}`,
    parse: (raw, name) => {
      const list = (raw === undefined || raw === '' ? fallback : raw)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (list.length === 0) throw new ConfigError(name, 'must list at least one algorithm');
      for (const alg of list)
        if (!(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(alg))
          throw new ConfigError(name, `has "${alg}"; allowed: ${ALLOWED_JWT_ALGORITHMS.join(', ')}`);
      return list;
    },
  };
}

/** The variables every app with an HTTP API reads (spread into the app's config schema). */
export const authConfigSchema = {
  /** The credentials database every app verifies keys against (one per deployment). */
  AUTH_DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/access', ['postgres', 'postgresql']),
  AUTH_DATABASE_POOL_SIZE: env.int(3, 1, 50),
  /** How long a key lookup is trusted; at most 1000 so a revocation holds within 2 s. */
  AUTH_KEY_CACHE_MS: env.int(1000, 0, 1000),
  AUTH_KEY_CACHE_SIZE: env.int(10_000, 100, 1_000_000),
  /** OIDC bearer tokens are accepted only when the issuer is set. */
  AUTH_OIDC_ISSUER: optionalHttpUrl(),
  AUTH_OIDC_AUDIENCE: env.optionalString(),
  AUTH_OIDC_JWKS_URL: optionalHttpUrl(),
  AUTH_OIDC_ROLES_CLAIM: env.string('roles'),
  AUTH_OIDC_FLEET_CLAIM: env.string('fleet'),
  AUTH_OIDC_ALGORITHMS: algorithmList('RS256,ES256'),
  AUTH_OIDC_CLOCK_TOLERANCE_S: env.int(30, 0, 300),
};
export type AuthConfig = ConfigOf<typeof authConfigSchema>;

/** Checks across variables, after loadConfig: throws a ConfigError naming the variable. */
export function checkAuthConfig<C extends AuthConfig>(config: C): C {
  if (config.AUTH_OIDC_ISSUER && !config.AUTH_OIDC_AUDIENCE)
    throw new ConfigError('AUTH_OIDC_AUDIENCE', 'is required when AUTH_OIDC_ISSUER is set');
  if (!config.AUTH_OIDC_ISSUER && (config.AUTH_OIDC_AUDIENCE || config.AUTH_OIDC_JWKS_URL))
    throw new ConfigError(
      'AUTH_OIDC_ISSUER',
      'is required when AUTH_OIDC_AUDIENCE or AUTH_OIDC_JWKS_URL is set',
    );
  return config;
}
