import { parseBasicAuth } from '../domain/basic-auth';
import { rememberingVerifier, type PasswordVerifier } from '@app/ocpp/charger-password';
import type { ChargerRepository, RegisteredCharger } from './ports';

export type AuthenticationResult = { ok: true; charger: RegisteredCharger } | { ok: false; reason: string };

/**
 * Security profile 1 (and 2 over TLS): HTTP Basic auth at the WebSocket handshake, username the
 * chargePointId, password checked against the stored scrypt hash. Unknown chargers and wrong
 * passwords get the same refusal (no probing for registered ids), and so do deactivated chargers
 * (registry `active: false`), whatever they send. With `allowUnregistered`
 * (dev stack only) an unknown id is registered to the demo fleet, and chargers without a
 * password may connect without credentials; a charger that has a password always needs it.
 * Every replica reads the shared database row at each handshake, so a rotated password or a
 * deactivation is in force everywhere once one replica's registry consumer wrote it. The verifier
 * remembers successes keyed by the stored hash, so the old password misses it after a rotation.
 */
export class AuthenticateCharger {
  constructor(
    private readonly chargers: ChargerRepository,
    private readonly options: { allowUnregistered: boolean; demoFleetId: string },
    private readonly verify: PasswordVerifier = rememberingVerifier(),
  ) {}

  async execute(chargePointId: string, authorization: string | undefined): Promise<AuthenticationResult> {
    const credentials = parseBasicAuth(authorization);
    if (authorization && !credentials) return { ok: false, reason: 'malformed Authorization header' };
    if (credentials && credentials.username !== chargePointId) {
      return { ok: false, reason: 'Basic auth username must be the chargePointId' };
    }
    let charger = await this.chargers.find(chargePointId);
    if (!charger) {
      if (!this.options.allowUnregistered) return { ok: false, reason: 'unknown charger or wrong password' };
      charger = await this.chargers.registerIfAbsent(chargePointId, this.options.demoFleetId);
    }
    if (!charger.active) return { ok: false, reason: 'unknown charger or wrong password' };
    if (charger.passwordHash) {
      if (!credentials || !(await this.verify(credentials.password, charger.passwordHash))) {
        return { ok: false, reason: 'unknown charger or wrong password' };
      }
      return { ok: true, charger };
    }
    if (!this.options.allowUnregistered)
      return { ok: false, reason: 'charger has no password; register it with one' };
    return { ok: true, charger };
  }
}
