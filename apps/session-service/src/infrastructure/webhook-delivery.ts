import type { LookupAddress } from 'node:dns';
import { ConfigError, env, type ConfigOf, type EnvField } from '@app/config';
import { AddressPolicy, parseRange } from '../domain/webhook-address';
import { parseSecretKey, WebhookSecretBox } from './webhook-secret-box';
import { WebhookTransport } from './webhook-transport';

/** How webhooks are delivered and their secrets kept (from WEBHOOK_* in config.ts). */
export interface WebhookSettings {
  /** 32-byte key sealing the signing secrets; without it webhooks cannot be created (503). */
  secretKey?: Buffer;
  /** Keys of earlier rotations, for opening rows not yet resealed. */
  previousSecretKeys?: Buffer[];
  /** Dev stack and tests only: plain http receivers. */
  allowHttp?: boolean;
  /** Dev stack and tests only: addresses/CIDRs exempt from the public-address rule (e.g. 127.0.0.1). */
  allowedAddresses?: string[];
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  pollMs?: number;
  /** Tests: a fake DNS. */
  resolve?: (host: string) => Promise<LookupAddress[]>;
}

/** Production defaults unless the settings say otherwise: https only, public addresses only. */
export function webhookDelivery(s: WebhookSettings = {}): {
  transport: WebhookTransport;
  box: WebhookSecretBox | null;
} {
  return {
    transport: new WebhookTransport({
      allowHttp: s.allowHttp ?? false,
      policy: new AddressPolicy(s.allowedAddresses ?? []),
      timeoutMs: s.timeoutMs ?? 5000,
      maxResponseBytes: s.maxResponseBytes ?? 64 * 1024,
      resolve: s.resolve,
    }),
    box: s.secretKey ? new WebhookSecretBox(s.secretKey, s.previousSecretKeys ?? []) : null,
  };
}

function keyOf(raw: string, name: string): Buffer {
  const key = parseSecretKey(raw);
  if (!key) throw new ConfigError(name, 'must be 32 bytes, base64 (e.g. `openssl rand -base64 32`)');
  return key;
}

const optionalKey: EnvField<Buffer | undefined> = {
  describe: 'optional 32-byte key, base64',
  parse: (raw, name) => (raw === undefined || raw === '' ? undefined : keyOf(raw, name)),
};

const keyList: EnvField<Buffer[]> = {
  describe: 'comma-separated 32-byte keys, base64',
  parse: (raw, name) =>
    (raw ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((k) => keyOf(k, name)),
};

const addressList: EnvField<string[]> = {
  describe: 'comma-separated IP addresses or CIDR ranges',
  parse: (raw, name) => {
    const list = (raw ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const a of list)
      if (!parseRange(a)) throw new ConfigError(name, `has "${a}", not an IP address or CIDR range`);
    return list;
  },
};

/** WEBHOOK_* variables (spread into the session service's config schema). */
export const webhookConfigSchema = {
  /** Seals webhook signing secrets at rest (AES-256-GCM). Without it, POST /v1/webhooks answers 503. */
  WEBHOOK_SECRET_KEY: optionalKey,
  /** Earlier keys during a rotation (opening only); drop them once `webhook:reseal` ran. */
  WEBHOOK_SECRET_PREVIOUS_KEYS: keyList,
  /** Dev stack and tests only: accept http:// receivers. */
  WEBHOOK_ALLOW_HTTP: env.bool(false),
  /** Dev stack and tests only: addresses exempt from the public-address rule, e.g. 127.0.0.1,::1. */
  WEBHOOK_ALLOWED_ADDRESSES: addressList,
  WEBHOOK_TIMEOUT_MS: env.int(5000, 100, 30_000),
  WEBHOOK_MAX_RESPONSE_BYTES: env.int(64 * 1024, 0, 1024 * 1024),
};
type WebhookConfig = ConfigOf<typeof webhookConfigSchema>;

export function webhookSettingsFromConfig(c: WebhookConfig): WebhookSettings {
  return {
    secretKey: c.WEBHOOK_SECRET_KEY,
    previousSecretKeys: c.WEBHOOK_SECRET_PREVIOUS_KEYS,
    allowHttp: c.WEBHOOK_ALLOW_HTTP,
    allowedAddresses: c.WEBHOOK_ALLOWED_ADDRESSES,
    timeoutMs: c.WEBHOOK_TIMEOUT_MS,
    maxResponseBytes: c.WEBHOOK_MAX_RESPONSE_BYTES,
  };
}
