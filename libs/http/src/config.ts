import { ConfigError, env, type ConfigOf, type EnvField } from '@app/config';

/**
 * The HTTP limits every app shares; each app spreads this into its config schema. Limits live in
 * the memory of each replica (see README "Abuse limits"): N replicas behind a load balancer let a
 * client make up to N times as many requests.
 */
export const httpConfig = {
  /** /metrics and /docs listen here, never on PORT. Default PORT + 1000. */
  MANAGEMENT_PORT: {
    describe: 'TCP port, default PORT + 1000',
    parse: (raw: string | undefined, name: string) =>
      raw === undefined || raw === '' ? undefined : env.port(1).parse(raw, name),
  } as EnvField<number | undefined>,
  /** Interface of the management listener (a pod IP is reachable by Prometheus; 127.0.0.1 keeps it local). */
  MANAGEMENT_HOST: env.string('0.0.0.0'),
  /** Largest request body, kilobytes; a larger one is 413. */
  HTTP_BODY_LIMIT_KB: env.int(100, 1, 100 * 1024),
  /** Proxies in front of the app whose X-Forwarded-For is believed (0: the socket address is the client). */
  HTTP_TRUST_PROXY_HOPS: env.int(0, 0, 10),
  RATE_LIMIT_WINDOW_S: env.int(60, 1, 3600),
  /** Requests per window per client address (0: no limit). */
  RATE_LIMIT_PER_IP: env.int(3000, 0, 10_000_000),
  /** Requests per window per credential (x-api-key or bearer token; 0: no limit). */
  RATE_LIMIT_PER_CREDENTIAL: env.int(1200, 0, 10_000_000),
  /** 401 answers per window per client address before it is blocked (0: never blocked). */
  RATE_LIMIT_AUTH_FAILURES: env.int(20, 0, 1_000_000),
  /** How long an address that failed authentication too often gets 429, seconds. */
  RATE_LIMIT_AUTH_BLOCK_S: env.int(300, 1, 86_400),
};
export type HttpConfig = ConfigOf<typeof httpConfig>;

export interface RateLimitSettings {
  windowS: number;
  perIp: number;
  perCredential: number;
  authFailures: number;
  authBlockS: number;
}

export interface HttpSettings {
  managementPort: number;
  managementHost: string;
  bodyLimitBytes: number;
  trustProxyHops: number;
  rateLimit: RateLimitSettings;
}

/** Resolves the defaults that depend on other variables and checks the ports do not collide. */
export function httpSettings(config: HttpConfig & { PORT: number; TLS_PORT?: number }): HttpSettings {
  const managementPort =
    config.MANAGEMENT_PORT ?? (config.PORT + 1000 <= 65535 ? config.PORT + 1000 : config.PORT - 1000);
  if (managementPort === config.PORT)
    throw new ConfigError('MANAGEMENT_PORT', `must differ from PORT (${config.PORT})`);
  if (config.TLS_PORT !== undefined && managementPort === config.TLS_PORT) {
    throw new ConfigError('MANAGEMENT_PORT', `must differ from TLS_PORT (${config.TLS_PORT})`);
  }
  return {
    managementPort,
    managementHost: config.MANAGEMENT_HOST,
    bodyLimitBytes: config.HTTP_BODY_LIMIT_KB * 1024,
    trustProxyHops: config.HTTP_TRUST_PROXY_HOPS,
    rateLimit: {
      windowS: config.RATE_LIMIT_WINDOW_S,
      perIp: config.RATE_LIMIT_PER_IP,
      perCredential: config.RATE_LIMIT_PER_CREDENTIAL,
      authFailures: config.RATE_LIMIT_AUTH_FAILURES,
      authBlockS: config.RATE_LIMIT_AUTH_BLOCK_S,
    },
  };
}
