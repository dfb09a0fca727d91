import fc from 'fast-check';
import { actorOf, credentialShapeError, ROLES, type Role } from './principal';
import { rolesFromClaim } from './jwt-verifier';

describe('credential shape', () => {
  it('needs a fleet exactly when the roles include fleet', () => {
    fc.assert(
      fc.property(
        fc.subarray([...ROLES], { minLength: 1 }),
        fc.option(fc.string({ minLength: 1, maxLength: 50 }).filter((s) => s.trim() !== '')),
        (roles, fleet) => {
          const error = credentialShapeError(roles, fleet);
          expect(error === null).toBe(roles.includes('fleet') === (fleet !== null));
        },
      ),
    );
  });

  it('refuses no roles, unknown roles and duplicates', () => {
    expect(credentialShapeError([], null)).toMatch(/at least one role/);
    expect(credentialShapeError(['root'], null)).toMatch(/unknown role "root"/);
    expect(credentialShapeError(['admin', 'admin'], null)).toMatch(/twice/);
    expect(credentialShapeError(['fleet'], '  ')).toMatch(/needs a fleet/);
  });

  it('records the credential as the actor', () => {
    expect(actorOf({ kind: 'jwt', id: 'user-1', name: 'A', roles: ['finance'], fleet: null })).toEqual({
      kind: 'jwt',
      id: 'user-1',
    });
  });
});

describe('roles from a token claim', () => {
  it('takes arrays and space-separated strings, ignoring names it does not know', () => {
    expect(rolesFromClaim(['finance', 'offline_access', 'finance'])).toEqual(['finance']);
    expect(rolesFromClaim('operator admin uma_authorization')).toEqual(['operator', 'admin']);
    expect(rolesFromClaim(undefined)).toEqual([]);
    expect(rolesFromClaim({ finance: true })).toEqual([]);
  });

  it('never yields a role outside the four', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (names) => {
        for (const r of rolesFromClaim(names)) expect(ROLES).toContain<Role>(r);
      }),
    );
  });
});
