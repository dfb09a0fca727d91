import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Pool } from 'pg';
import { ApiKeyStore } from '../api-keys';
import { ApiKeyVerifier } from '../api-key-verifier';
import { Authenticator } from '../authenticator';
import type { AuthConfig } from '../config';
import { JwtVerifier } from '../jwt-verifier';
import { AuthGuard } from './auth.guard';

export const AUTH_POOL = Symbol('AUTH_POOL');

@Injectable()
class AuthPoolLifecycle implements OnApplicationShutdown {
  constructor(@Inject(AUTH_POOL) private readonly pool: Pool) {}
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/** Readiness of the credentials database: without it no request can be authenticated. */
@Injectable()
export class AuthReadiness {
  readonly name = 'credentials';
  constructor(@Inject(AUTH_POOL) private readonly pool: Pool) {}
  async check(): Promise<void> {
    await this.pool.query('select 1');
  }
}

export function buildAuthenticator(config: AuthConfig, pool: Pool): Authenticator {
  const verifier = new ApiKeyVerifier(new ApiKeyStore(pool), {
    cacheMs: config.AUTH_KEY_CACHE_MS,
    maxValid: config.AUTH_KEY_CACHE_SIZE,
    maxInvalid: config.AUTH_KEY_CACHE_SIZE,
  });
  const jwt = config.AUTH_OIDC_ISSUER
    ? new JwtVerifier({
        issuer: config.AUTH_OIDC_ISSUER,
        audience: config.AUTH_OIDC_AUDIENCE!,
        jwksUrl: config.AUTH_OIDC_JWKS_URL,
        rolesClaim: config.AUTH_OIDC_ROLES_CLAIM,
        fleetClaim: config.AUTH_OIDC_FLEET_CLAIM,
        algorithms: config.AUTH_OIDC_ALGORITHMS,
        clockToleranceS: config.AUTH_OIDC_CLOCK_TOLERANCE_S,
      })
    : null;
  return new Authenticator(verifier, jwt);
}

/** The access model for a Nest app: the global deny-by-default guard and its credential checks. */
@Global()
@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        {
          provide: AUTH_POOL,
          useFactory: () => {
            const pool = new Pool({
              connectionString: config.AUTH_DATABASE_URL,
              max: config.AUTH_DATABASE_POOL_SIZE,
              connectionTimeoutMillis: 5000,
            });
            // An idle client's error (Postgres restarted) must not crash the process; the next query reconnects.
            pool.on('error', () => undefined);
            return pool;
          },
        },
        {
          provide: Authenticator,
          inject: [AUTH_POOL],
          useFactory: (pool: Pool) => buildAuthenticator(config, pool),
        },
        AuthPoolLifecycle,
        AuthReadiness,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [Authenticator, AUTH_POOL, AuthReadiness],
    };
  }
}
