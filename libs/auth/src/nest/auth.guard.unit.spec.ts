import 'reflect-metadata';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ApiKeyVerifier } from '../api-key-verifier';
import { hashApiKey, type ApiKeyStore } from '../api-keys';
import { Authenticator } from '../authenticator';
import type { Principal, Role } from '../principal';
import { AuthGuard } from './auth.guard';
import { CurrentPrincipal, Public, Roles } from './decorators';

@Controller('t')
@Roles('finance')
class SampleController {
  @Get('controller-roles')
  inherits(@CurrentPrincipal() p: Principal) {
    return { id: p.id };
  }

  @Get('route-roles')
  @Roles('operator', 'admin')
  overrides() {
    return { ok: true };
  }
}

@Controller('u')
class UndecoratedController {
  @Get('forgotten')
  forgotten() {
    return { ok: true };
  }

  @Get('open')
  @Public()
  open() {
    return { ok: true };
  }
}

const keys: Record<string, Role[]> = {
  sk_finance_0123456789abcdef: ['finance'],
  sk_operator_0123456789abcde: ['operator'],
  sk_everything_0123456789abc: ['operator', 'finance', 'admin'],
};

describe('AuthGuard (global, deny by default)', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const byHash = new Map(
      Object.entries(keys).map(([k, roles], i) => [hashApiKey(k), { id: `key-${i}`, roles }]),
    );
    const store = {
      findByHash: async (h: string) => {
        const hit = byHash.get(h);
        return hit
          ? { ...hit, name: 'k', fleet: null, createdAt: new Date(), lastUsedAt: null, revokedAt: null }
          : null;
      },
      touch: async () => undefined,
    } as unknown as ApiKeyStore;
    const moduleRef = await Test.createTestingModule({
      controllers: [SampleController, UndecoratedController],
      providers: [
        { provide: Authenticator, useValue: new Authenticator(new ApiKeyVerifier(store), null) },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => app?.close());

  const get = async (path: string, key?: string) => {
    const res = await fetch(base + path, { headers: key ? { 'x-api-key': key } : {} });
    return {
      status: res.status,
      body: (await res.json()) as { error?: { code: string; message: string }; id?: string },
    };
  };

  it('refuses a route with neither @Roles nor @Public to every credential', async () => {
    expect(await get('/u/forgotten')).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    expect(await get('/u/forgotten', 'sk_everything_0123456789abc')).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN', message: 'this route is open to no role' } },
    });
  });

  it('lets @Public through without a credential', async () => {
    expect((await get('/u/open')).status).toBe(200);
  });

  it("applies the controller's roles, and a route's own list replaces them", async () => {
    expect(await get('/t/controller-roles', 'sk_finance_0123456789abcdef')).toEqual({
      status: 200,
      body: { id: 'key-0' },
    });
    expect((await get('/t/controller-roles', 'sk_operator_0123456789abcde')).status).toBe(403);
    expect((await get('/t/route-roles', 'sk_operator_0123456789abcde')).status).toBe(200);
    const finance = await get('/t/route-roles', 'sk_finance_0123456789abcdef');
    expect(finance).toMatchObject({
      status: 403,
      body: { error: { message: 'this route needs one of the roles: operator, admin' } },
    });
  });
});
