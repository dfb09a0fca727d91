import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isUuid } from '@app/contracts';
import { credentialShapeError, isRole, MAX_NAME_LENGTH, type Role } from './principal';

/** A pg Pool or Client. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * API keys are 32 random bytes (base64url, prefixed "sk_"). Only their sha256 is stored. A slow
 * password hash (bcrypt, scrypt) protects guessable secrets; 256 random bits are not guessable, so
 * a leaked table gives nothing to brute-force, and one fast hash keeps each check to an index probe.
 */
export function generateApiKey(): string {
  return 'sk_' + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Shorter keys are guessable; longer ones are refused before hashing (no work for junk). */
export const MIN_KEY_LENGTH = 16;
export const MAX_KEY_LENGTH = 256;

export interface ApiKeyRecord {
  id: string;
  name: string;
  roles: Role[];
  fleet: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey {
  name: string;
  roles: Role[];
  fleet?: string | null;
  /** A chosen key (dev stack, tests); a random one otherwise. */
  key?: string;
}

export class ApiKeyInputError extends Error {}

/** The key exists already. `revoked`: it was revoked, and a revoked key never becomes valid again. */
export class ApiKeyExistsError extends Error {
  constructor(readonly revoked: boolean) {
    super(
      revoked
        ? 'this key was revoked and can never be valid again; create a new key'
        : 'this key exists already with other roles or fleet',
    );
  }
}

export class ApiKeyNotFoundError extends Error {}

interface Row {
  id: string;
  name: string;
  roles: string[];
  fleet: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, roles, fleet, created_at, last_used_at, revoked_at';

function toRecord(r: Row): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    roles: r.roles.filter(isRole),
    fleet: r.fleet,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

function sameGrant(a: ApiKeyRecord, roles: Role[], fleet: string | null): boolean {
  return a.fleet === fleet && a.roles.length === roles.length && roles.every((r) => a.roles.includes(r));
}

/** The `auth_api_keys` table of the credentials database (AUTH_DATABASE_URL). */
export class ApiKeyStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Stores a new key and returns it with its record: the only time the key is visible. A key
   * whose hash exists already is refused, revoked or not: nothing here can clear `revoked_at`
   * (and a trigger refuses it in the database too).
   */
  async create(input: NewApiKey): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, name, roles, fleet } = this.validate(input);
    const { rows } = await this.db.query<Row>(
      `insert into auth_api_keys (id, key_hash, name, roles, fleet) values ($1, $2, $3, $4, $5)
       on conflict (key_hash) do nothing returning ${COLUMNS}`,
      [randomUUID(), hashApiKey(key), name, roles, fleet],
    );
    if (rows[0]) return { key, record: toRecord(rows[0]) };
    const existing = await this.findByHash(hashApiKey(key), true);
    throw new ApiKeyExistsError(existing?.revokedAt != null);
  }

  /**
   * `create` for a chosen key that may exist from an earlier run (the dev stack's demo keys): the
   * same key with the same roles and fleet is returned as it is; a revoked one is refused.
   */
  async ensure(input: NewApiKey & { key: string }): Promise<ApiKeyRecord> {
    const { roles, fleet } = this.validate(input);
    try {
      return (await this.create(input)).record;
    } catch (e) {
      if (!(e instanceof ApiKeyExistsError) || e.revoked) throw e;
      const existing = await this.findByHash(hashApiKey(input.key), true);
      if (existing && !existing.revokedAt && sameGrant(existing, roles, fleet)) return existing;
      throw e;
    }
  }

  /** The key with this hash; revoked keys only when asked for. */
  async findByHash(keyHash: string, includeRevoked = false): Promise<ApiKeyRecord | null> {
    const { rows } = await this.db.query<Row>(
      `select ${COLUMNS} from auth_api_keys where key_hash = $1${includeRevoked ? '' : ' and revoked_at is null'}`,
      [keyHash],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const { rows } = await this.db.query<Row>(`select ${COLUMNS} from auth_api_keys order by created_at, id`);
    return rows.map(toRecord);
  }

  /** Revokes the key (once; revoking again returns the first revocation). */
  async revoke(id: string): Promise<ApiKeyRecord> {
    if (!isUuid(id)) throw new ApiKeyInputError(`id must be a uuid, got "${id}"`);
    const { rows } = await this.db.query<Row>(
      `update auth_api_keys set revoked_at = now() where id = $1 and revoked_at is null returning ${COLUMNS}`,
      [id],
    );
    if (rows[0]) return toRecord(rows[0]);
    const { rows: existing } = await this.db.query<Row>(
      `select ${COLUMNS} from auth_api_keys where id = $1`,
      [id],
    );
    if (!existing[0]) throw new ApiKeyNotFoundError(`no API key with id ${id}`);
    return toRecord(existing[0]);
  }

  /** Records a use; callers throttle it (one write per key and minute is plenty). */
  async touch(id: string): Promise<void> {
    await this.db.query(
      `update auth_api_keys set last_used_at = now()
       where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }

  private validate(input: NewApiKey): { key: string; name: string; roles: Role[]; fleet: string | null } {
    const name = input.name?.trim() ?? '';
    if (name.length === 0 || name.length > MAX_NAME_LENGTH)
      throw new ApiKeyInputError(`name must be 1 to ${MAX_NAME_LENGTH} characters`);
    const fleet = input.fleet ?? null;
    const shape = credentialShapeError(input.roles, fleet);
    if (shape) throw new ApiKeyInputError(shape);
    const key = input.key ?? generateApiKey();
    if (key.length < MIN_KEY_LENGTH || key.length > MAX_KEY_LENGTH)
      throw new ApiKeyInputError(`a key must be ${MIN_KEY_LENGTH} to ${MAX_KEY_LENGTH} characters`);
    return { key, name, roles: [...input.roles], fleet };
  }
}
