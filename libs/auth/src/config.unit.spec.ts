import { loadConfig } from '@app/config';
import { authConfigSchema, checkAuthConfig } from './config';

const load = (env: Record<string, string>) => checkAuthConfig(loadConfig(authConfigSchema, env));

describe('AUTH_* configuration', () => {
  it('has working defaults: the access database, 1 s key cache, no bearer tokens', () => {
    expect(load({})).toMatchObject({
      AUTH_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/access',
      AUTH_KEY_CACHE_MS: 1000,
      AUTH_OIDC_ISSUER: undefined,
      AUTH_OIDC_ALGORITHMS: ['RS256', 'ES256'],
    });
  });

  it('names the variable that is wrong, in one line', () => {
    expect(() => load({ AUTH_KEY_CACHE_MS: '5000' })).toThrow(
      'invalid configuration: AUTH_KEY_CACHE_MS must be between 0 and 1000, got 5000',
    );
    expect(() => load({ AUTH_OIDC_ALGORITHMS: 'RS256,HS256' })).toThrow(/AUTH_OIDC_ALGORITHMS has "HS256"/);
    expect(() => load({ AUTH_OIDC_ALGORITHMS: 'none' })).toThrow(/AUTH_OIDC_ALGORITHMS has "none"/);
    expect(() => load({ AUTH_OIDC_ISSUER: 'not a url' })).toThrow(/AUTH_OIDC_ISSUER must be a URL/);
    expect(() => load({ AUTH_OIDC_ISSUER: 'https://idp.example/realms/cpo' })).toThrow(
      'invalid configuration: AUTH_OIDC_AUDIENCE is required when AUTH_OIDC_ISSUER is set',
    );
    expect(() => load({ AUTH_OIDC_AUDIENCE: 'api' })).toThrow(/AUTH_OIDC_ISSUER is required/);
    expect(() => load({ AUTH_DATABASE_URL: 'mysql://x/y' })).toThrow(/AUTH_DATABASE_URL must use postgres/);
  });

  it('trusts issuers and key sets only over https (http for loopback alone)', () => {
    expect(() =>
      load({ AUTH_OIDC_ISSUER: 'http://idp.example/realms/cpo', AUTH_OIDC_AUDIENCE: 'api' }),
    ).toThrow(/AUTH_OIDC_ISSUER must be an https URL/);
    expect(() =>
      load({
        AUTH_OIDC_ISSUER: 'https://idp.example',
        AUTH_OIDC_AUDIENCE: 'api',
        AUTH_OIDC_JWKS_URL: 'http://10.0.0.5/jwks.json',
      }),
    ).toThrow(/AUTH_OIDC_JWKS_URL must be an https URL/);
    expect(
      load({ AUTH_OIDC_ISSUER: 'http://127.0.0.1:8080', AUTH_OIDC_AUDIENCE: 'api' }).AUTH_OIDC_ISSUER,
    ).toBe('http://127.0.0.1:8080');
  });

  it('accepts an issuer with its audience', () => {
    expect(
      load({ AUTH_OIDC_ISSUER: 'https://idp.example/realms/cpo', AUTH_OIDC_AUDIENCE: 'api' }),
    ).toMatchObject({
      AUTH_OIDC_ISSUER: 'https://idp.example/realms/cpo',
      AUTH_OIDC_AUDIENCE: 'api',
    });
  });
});
