import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Webhook signing secrets at rest: AES-256-GCM with a random 96-bit nonce per secret, the key from
 * WEBHOOK_SECRET_KEY. Stored as `v1.<key id>.<nonce b64url>.<ciphertext+tag b64url>`; the key id
 * (first bytes of the key's SHA-256) says which key sealed a row, so a rotation can keep the
 * previous keys for opening until every row is sealed again (`webhook:reseal`).
 * The row's webhook id is the additional data: a ciphertext copied onto another row does not open.
 */
export class WebhookSecretBox {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentId: string;

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    for (const k of [current, ...previous]) {
      if (k.length !== 32) throw new Error('a webhook secret key must be 32 bytes');
      this.keys.set(keyId(k), k);
    }
    this.currentId = keyId(current);
  }

  seal(secret: string, webhookId: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, nonce);
    cipher.setAAD(Buffer.from(webhookId, 'utf8'));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return ['v1', this.currentId, nonce.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  open(stored: string, webhookId: string): string {
    const [version, id, nonce, sealed, extra] = stored.split('.');
    if (version !== 'v1' || extra !== undefined || !nonce || !sealed)
      throw new Error('not a sealed webhook secret');
    const key = this.keys.get(id);
    if (!key) throw new Error(`webhook secret sealed with an unknown key (${id})`);
    const data = Buffer.from(sealed, 'base64url');
    if (data.length < 16) throw new Error('not a sealed webhook secret');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(webhookId, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString(
      'utf8',
    );
  }

  /** True when the row was sealed with an older key (a reseal moves it to the current one). */
  isStale(stored: string): boolean {
    return stored.split('.')[1] !== this.currentId;
  }
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** WEBHOOK_SECRET_KEY's format: 32 bytes, base64 (standard or url-safe). */
export function parseSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return null;
  const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : null;
}
