/**
 * Who is calling: the outcome of a verified credential, whatever its kind. Roles are the only
 * thing routes check; `fleet` scopes what a fleet credential may see (another fleet's object is 404).
 */
export const ROLES = ['fleet', 'operator', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  kind: 'api_key' | 'jwt';
  /** The API key's id (uuid) or the token's `sub`. */
  id: string;
  /** The key's name, or the token's name/username/email claim. */
  name: string | null;
  /** A credential may hold several roles. */
  roles: Role[];
  /** Set for credentials bound to one fleet (role fleet), null otherwise. */
  fleet: string | null;
}

/** What audit rows and published events record as the one who made a change. */
export interface Actor {
  kind: 'api_key' | 'jwt' | 'system' | 'cli';
  id: string;
}

export function actorOf(p: Principal): Actor {
  return { kind: p.kind, id: p.id };
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function hasAnyRole(p: Principal, roles: readonly Role[]): boolean {
  return p.roles.some((r) => roles.includes(r));
}

/** The limit on fleet ids and key names: they end up in logs, rows and cache keys. */
export const MAX_NAME_LENGTH = 200;

/**
 * Checks a role set and its fleet binding: at least one known role, no duplicates, and a fleet
 * exactly when the roles include `fleet` (a fleet credential without a fleet would see nothing,
 * a fleet on an operator key would suggest a scoping that operator routes do not apply).
 * Returns a message naming what is wrong, or null.
 */
export function credentialShapeError(
  roles: readonly unknown[],
  fleet: string | null | undefined,
): string | null {
  if (roles.length === 0) return `at least one role is required (${ROLES.join(', ')})`;
  for (const r of roles) if (!isRole(r)) return `unknown role "${String(r)}" (known: ${ROLES.join(', ')})`;
  if (new Set(roles).size !== roles.length) return 'a role is listed twice';
  const wantsFleet = roles.includes('fleet');
  if (wantsFleet && (fleet === null || fleet === undefined || fleet.trim() === ''))
    return 'role fleet needs a fleet';
  if (!wantsFleet && fleet !== null && fleet !== undefined)
    return 'a fleet is only for credentials with role fleet';
  if (fleet && fleet.length > MAX_NAME_LENGTH) return `fleet must be at most ${MAX_NAME_LENGTH} characters`;
  return null;
}
