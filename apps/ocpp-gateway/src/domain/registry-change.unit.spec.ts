import fc from 'fast-check';
import { registryDisconnectReason } from './registry-change';

const hash = fc.option(fc.constantFrom('scrypt$a', 'scrypt$b', 'scrypt$c'), { nil: null });

describe('registryDisconnectReason', () => {
  const authenticated = { passwordHash: 'scrypt$a', registryVersion: 5 };

  it('closes for a newer entry that deactivates the charger or changes its password', () => {
    expect(
      registryDisconnectReason(authenticated, { active: false, passwordHash: 'scrypt$a', version: 6 }),
    ).toBe('deactivated');
    expect(
      registryDisconnectReason(authenticated, { active: true, passwordHash: 'scrypt$b', version: 6 }),
    ).toBe('password-changed');
    expect(registryDisconnectReason(authenticated, { active: true, passwordHash: null, version: 6 })).toBe(
      'password-changed',
    );
  });

  it('keeps the connection for a newer entry with the same password (fleet or EVSE ids changed)', () => {
    expect(
      registryDisconnectReason(authenticated, { active: true, passwordHash: 'scrypt$a', version: 9 }),
    ).toBeNull();
  });

  it('a dev-stack charger (no password, version 0) goes once the registry gives it one', () => {
    expect(
      registryDisconnectReason(
        { passwordHash: null, registryVersion: 0 },
        { active: true, passwordHash: 'scrypt$a', version: 1 },
      ),
    ).toBe('password-changed');
  });

  it('never closes for an entry no newer than the one the handshake read (a replay)', () => {
    fc.assert(
      fc.property(
        hash,
        fc.nat(1000),
        hash,
        fc.boolean(),
        fc.nat(1000),
        (authHash, authVersion, h, active, back) => {
          const version = Math.max(0, authVersion - back);
          expect(
            registryDisconnectReason(
              { passwordHash: authHash, registryVersion: authVersion },
              { active, passwordHash: h, version },
            ),
          ).toBeNull();
        },
      ),
    );
  });

  it('for a newer entry: closes exactly when it is inactive or its hash differs', () => {
    fc.assert(
      fc.property(
        hash,
        fc.nat(1000),
        hash,
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (authHash, v, h, active, ahead) => {
          const reason = registryDisconnectReason(
            { passwordHash: authHash, registryVersion: v },
            { active, passwordHash: h, version: v + ahead },
          );
          expect(reason).toBe(!active ? 'deactivated' : h !== authHash ? 'password-changed' : null);
        },
      ),
    );
  });
});
