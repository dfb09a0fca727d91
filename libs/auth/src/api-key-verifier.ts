import { BoundedTtlCache } from './bounded-cache';
import { hashApiKey, MAX_KEY_LENGTH, MIN_KEY_LENGTH, type ApiKeyRecord, type ApiKeyStore } from './api-keys';
import type { Principal } from './principal';

export interface ApiKeyVerifierOptions {
  /**
   * How long a lookup (valid or not) is trusted. A revocation holds on every replica after at
   * most this long plus one query, so it stays at or below 1 s for the 2 s promise.
   */
  cacheMs: number;
  /** Bound on cached valid keys (each entry is a hash and a small principal). */
  maxValid: number;
  /** Bound on cached invalid keys, separate so a flood of junk never evicts the valid ones. */
  maxInvalid: number;
  /** At most one last_used_at write per key in this interval. */
  touchIntervalMs: number;
  onTouchError?(error: unknown): void;
  now?: () => number;
}

export const DEFAULT_VERIFIER_OPTIONS: ApiKeyVerifierOptions = {
  cacheMs: 1000,
  maxValid: 10_000,
  maxInvalid: 10_000,
  touchIntervalMs: 60_000,
};

/**
 * Key → principal, with caches keyed by the key's sha256 (never the raw key, whose length the
 * caller chooses), concurrent lookups of one key sharing one query.
 */
export class ApiKeyVerifier {
  private readonly valid: BoundedTtlCache<Principal>;
  private readonly invalid: BoundedTtlCache<true>;
  private readonly touched: BoundedTtlCache<true>;
  private readonly inflight = new Map<string, Promise<ApiKeyRecord | null>>();
  private readonly options: ApiKeyVerifierOptions;

  constructor(
    private readonly store: ApiKeyStore,
    options: Partial<ApiKeyVerifierOptions> = {},
  ) {
    this.options = { ...DEFAULT_VERIFIER_OPTIONS, ...options };
    const now = this.options.now ?? Date.now;
    this.valid = new BoundedTtlCache(this.options.maxValid, this.options.cacheMs, now);
    this.invalid = new BoundedTtlCache(this.options.maxInvalid, this.options.cacheMs, now);
    this.touched = new BoundedTtlCache(this.options.maxValid, this.options.touchIntervalMs, now);
  }

  /** The key's principal, or null when it is unknown, revoked or malformed. Throws when the store fails. */
  async verify(key: string): Promise<Principal | null> {
    if (key.length < MIN_KEY_LENGTH || key.length > MAX_KEY_LENGTH) return null;
    const hash = hashApiKey(key);
    const cached = this.valid.get(hash);
    if (cached) {
      this.touch(cached.id);
      return cached;
    }
    if (this.invalid.get(hash)) return null;
    let lookup = this.inflight.get(hash);
    if (!lookup) {
      lookup = this.store.findByHash(hash).finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, lookup);
    }
    const record = await lookup;
    if (!record) {
      this.invalid.set(hash, true);
      return null;
    }
    const principal: Principal = {
      kind: 'api_key',
      id: record.id,
      name: record.name,
      roles: record.roles,
      fleet: record.fleet,
    };
    this.valid.set(hash, principal);
    this.touch(record.id);
    return principal;
  }

  private touch(id: string): void {
    if (this.touched.get(id)) return;
    this.touched.set(id, true);
    this.store.touch(id).catch((e) => this.options.onTouchError?.(e));
  }
}
