import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Charger passwords (OCPP security profile 1/2 Basic auth) are stored as
 * `scrypt$N$r$p$<salt b64>$<hash b64>`, never in clear. Verification runs scrypt on libuv's
 * thread pool (no event-loop stall) and compares in constant time.
 */
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scryptAsync(
  password: string,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashChargerPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LENGTH, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** False for a wrong password and for a stored value that is not a hash we understand. */
export async function verifyChargerPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map((x) => Number.parseInt(x, 10));
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || expected.length === 0) return false;
  const actual = await scryptAsync(password, salt, expected.length, {
    N: n,
    r,
    p,
    maxmem: 256 * n * r + 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}

export type PasswordVerifier = (password: string, stored: string) => Promise<boolean>;

/**
 * `verifyChargerPassword` with a memory of recent successes, so a charger that reconnects (flaky
 * mobile link, a reconnect wave after a network blip) does not cost a 10 ms scrypt each time.
 * - Only successes are remembered: a wrong password always pays the full scrypt (no cheap guessing).
 * - The key includes the stored hash: rotating a charger's password changes it, so the old
 *   password misses the memory and is checked against the new hash (refused).
 * - The key is an HMAC under a random per-process secret, so the memory holds nothing that an
 *   offline guess could be checked against.
 * - At most `maxEntries` (oldest forgotten first).
 */
export function rememberingVerifier(
  verify: PasswordVerifier = verifyChargerPassword,
  maxEntries = 20_000,
): PasswordVerifier {
  const secret = randomBytes(32);
  const remembered = new Set<string>();
  return async (password, stored) => {
    const key = createHmac('sha256', secret)
      .update(stored)
      .update('\u0000')
      .update(password)
      .digest('base64');
    if (remembered.has(key)) {
      remembered.delete(key); // most recently used last
      remembered.add(key);
      return true;
    }
    const ok = await verify(password, stored);
    if (ok) {
      remembered.add(key);
      if (remembered.size > maxEntries) remembered.delete(remembered.values().next().value as string);
    }
    return ok;
  };
}
