import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { JwtVerifier } from './jwt-verifier';

describe('JwtVerifier key discovery', () => {
  it('falls back to <issuer>/.well-known/jwks.json when the issuer has no discovery document', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const asked: string[] = [];
    const server = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      if (req.url === '/.well-known/jwks.json') return void res.end(JSON.stringify({ keys: [jwk] }));
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const verifier = new JwtVerifier({
        issuer,
        audience: 'api',
        rolesClaim: 'roles',
        fleetClaim: 'fleet',
        algorithms: ['ES256'],
        clockToleranceS: 0,
      });
      const token = await new SignJWT({ roles: ['fleet', 'operator'], fleet: 'f-1', name: 'Ada' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject('ada')
        .setIssuer(issuer)
        .setAudience('api')
        .setExpirationTime('1m')
        .sign(privateKey);
      expect(await verifier.verify(token)).toEqual({
        kind: 'jwt',
        id: 'ada',
        name: 'Ada',
        roles: ['fleet', 'operator'],
        fleet: 'f-1',
      });
      expect(asked).toEqual(['/.well-known/openid-configuration', '/.well-known/jwks.json']);
      // An algorithm outside the allowlist is refused even with a valid signature.
      const strict = new JwtVerifier({
        issuer,
        audience: 'api',
        rolesClaim: 'roles',
        fleetClaim: 'fleet',
        algorithms: ['RS256'],
        clockToleranceS: 0,
      });
      await expect(strict.verify(token)).rejects.toMatchObject({ status: 401 });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('answers 503 AUTH_UNAVAILABLE while discovery fails, pins no fallback, and refuses an http jwks_uri', async () => {
    let mode: 'down' | 'insecure' = 'down';
    const asked: string[] = [];
    const server = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      if (mode === 'down') {
        res.statusCode = 503;
        return void res.end();
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jwks_uri: 'http://idp.example/keys' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const verifier = new JwtVerifier({
        issuer,
        audience: 'api',
        rolesClaim: 'roles',
        fleetClaim: 'fleet',
        algorithms: ['ES256'],
        clockToleranceS: 0,
      });
      const { privateKey } = await generateKeyPair('ES256');
      const token = await new SignJWT({ roles: ['operator'] })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject('op')
        .setIssuer(issuer)
        .setAudience('api')
        .setExpirationTime('1m')
        .sign(privateKey);
      await expect(verifier.verify(token)).rejects.toMatchObject({ status: 503, code: 'AUTH_UNAVAILABLE' });
      await expect(verifier.verify(token)).rejects.toMatchObject({ status: 503 });
      // Asked again each time, and never the conventional path a 5xx says nothing about.
      expect(asked).toEqual(['/.well-known/openid-configuration', '/.well-known/openid-configuration']);
      mode = 'insecure';
      await expect(verifier.verify(token)).rejects.toMatchObject({ status: 503 });
      expect(asked).toHaveLength(3); // the http jwks_uri on another host was never fetched
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
