import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { http as call, startBilling, type RunningBilling } from '../../apps/billing-service/test/billing-app';

/**
 * OIDC bearer tokens against a JWKS this test serves (with a discovery document, as an IdP does),
 * on the real billing-service. Roles and fleet come from configured claims (Keycloak-style
 * `realm_access.roles`, a custom `tenant`).
 */
describe('OIDC bearer tokens (JWKS served by the test)', () => {
  let idp: http.Server;
  let issuer: string;
  let b: RunningBilling;
  let signingKey: KeyLike;
  let otherKey: KeyLike;
  const AUDIENCE = 'chargebill-api';
  const totals = () => `${b.url}/v1/exports/charges/totals?from=2024-01-01&to=2024-02-01`;
  const withToken = async (token: string, url = totals()) => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  };
  const token = (
    claims: Record<string, unknown> = {},
    over: { iss?: string; aud?: string; exp?: string | number; key?: KeyLike } = {},
  ) =>
    new SignJWT({ realm_access: { roles: ['finance'] }, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setSubject('user-7f3a')
      .setIssuer(over.iss ?? issuer)
      .setAudience(over.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(over.exp ?? '5m')
      .sign(over.key ?? signingKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    idp = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/realms/cpo/.well-known/openid-configuration')
        return void res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` }));
      if (req.url === '/realms/cpo/protocol/openid-connect/certs')
        return void res.end(JSON.stringify({ keys: [jwk] }));
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/realms/cpo`;
    b = await startBilling('sec_oidc', {
      AUTH_OIDC_ISSUER: issuer,
      AUTH_OIDC_AUDIENCE: AUDIENCE,
      AUTH_OIDC_ROLES_CLAIM: 'realm_access.roles',
      AUTH_OIDC_FLEET_CLAIM: 'tenant',
      AUTH_OIDC_CLOCK_TOLERANCE_S: '0',
      RATE_LIMIT_AUTH_FAILURES: '0',
    });
  });
  afterAll(async () => {
    await b?.stop();
    await new Promise((r) => idp?.close(r));
  });

  it('accepts a token signed by the issuer, with roles from the configured claim', async () => {
    expect(await withToken(await token())).toMatchObject({ status: 200 });
    // The same caller without the role the route needs: 403, not 401.
    const operator = await withToken(await token({ realm_access: { roles: ['operator'] } }));
    expect(operator).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  });

  it('refuses a wrong audience, a wrong issuer, an expired token, alg none and a foreign key with 401', async () => {
    const cases: Record<string, string> = {
      'wrong audience': await token({}, { aud: 'another-api' }),
      'wrong issuer': await token({}, { iss: 'http://127.0.0.1:1/realms/evil' }),
      expired: await token({}, { exp: Math.floor(Date.now() / 1000) - 60 }),
      'signed with another key': await token({}, { key: otherKey }),
      'unsigned (alg none)': unsigned({
        sub: 'user-7f3a',
        iss: issuer,
        aud: AUDIENCE,
        exp: Math.floor(Date.now() / 1000) + 300,
        realm_access: { roles: ['finance'] },
      }),
      'not a JWT': 'abc.def.ghi',
    };
    for (const [name, t] of Object.entries(cases)) {
      const res = await withToken(t);
      expect({ name, status: res.status, code: res.body.error?.code }).toEqual({
        name,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    }
  });

  it('binds a fleet token to the fleet in its configured claim, and refuses a fleet role without one', async () => {
    const charges = `${b.url}/v1/charges?session_id=00000000-0000-4000-8000-000000000000`;
    const fleet = await withToken(
      await token({ realm_access: { roles: ['fleet'] }, tenant: 'fleet-9' }),
      charges,
    );
    expect(fleet.status).toBe(200);
    // The fleet role alone may not read finance exports.
    expect(
      (await withToken(await token({ realm_access: { roles: ['fleet'] }, tenant: 'fleet-9' }))).status,
    ).toBe(403);
    const noFleet = await withToken(await token({ realm_access: { roles: ['fleet'] } }), charges);
    expect(noFleet).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    expect(noFleet.body.error!.message).toMatch(/fleet/);
  });

  it('still takes API keys next to tokens, but not both at once', async () => {
    expect((await call('GET', totals())).status).toBe(200);
    const both = await fetch(totals(), {
      headers: { authorization: `Bearer ${await token()}`, 'x-api-key': 'sk_test_billing_staff_0123456789' },
    });
    expect(both.status).toBe(401);
  });
});

function unsigned(payload: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}
