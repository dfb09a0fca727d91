/** What a connection was authenticated with: the registry entry the handshake read. */
export interface AuthenticatedRegistration {
  passwordHash: string | null;
  registryVersion: number;
}

/** The part of a registry record that decides whether a connection may stay. */
export interface RegistryEntry {
  active: boolean;
  passwordHash: string | null;
  version: number;
}

export type RegistryDisconnectReason = 'deactivated' | 'password-changed';

/**
 * Whether a registry entry ends a connection authenticated with `authenticated`: only an entry
 * newer than the one the handshake read counts (a replayed older record must not close a charger
 * that just connected with its current password). A deactivated charger goes, and so does one
 * whose password changed: it must prove the new one at its next handshake.
 */
export function registryDisconnectReason(
  authenticated: AuthenticatedRegistration,
  entry: RegistryEntry,
): RegistryDisconnectReason | null {
  if (entry.version <= authenticated.registryVersion) return null;
  if (!entry.active) return 'deactivated';
  if (entry.passwordHash !== authenticated.passwordHash) return 'password-changed';
  return null;
}
