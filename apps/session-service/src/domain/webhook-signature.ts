import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The two signatures every webhook carries. `X-Hub-Signature-256` is pump's (body only), kept so a
 * fleet that integrated pump needs no change; `X-Chargebill-Signature` also covers the send time,
 * so a receiver can refuse a captured request replayed later.
 */
export const HUB_SIGNATURE_HEADER = 'x-hub-signature-256';
export const TIMESTAMPED_SIGNATURE_HEADER = 'x-chargebill-signature';

export function hubSignature(secret: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` */
export function timestampedSignature(secret: string, body: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex')}`;
}

/**
 * What a receiver does (the README shows the same in a few lines): parse the header, recompute,
 * compare in constant time, and refuse a timestamp outside the tolerance.
 */
export function verifyTimestampedSignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const i = item.indexOf('=');
    if (i <= 0) return false;
    const k = item.slice(0, i).trim();
    parts.set(k, [...(parts.get(k) ?? []), item.slice(i + 1).trim()]);
  }
  const t = parts.get('t');
  if (!t || t.length !== 1 || !/^[0-9]{1,12}$/.test(t[0])) return false;
  const ts = Number(t[0]);
  if (Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(timestampedSignature(secret, body, ts).split(',v1=')[1], 'hex');
  // Several v1 values let a sender sign with an old and a new secret during a rotation.
  return (parts.get('v1') ?? []).some((v) => {
    const got = /^[0-9a-f]{64}$/.test(v) ? Buffer.from(v, 'hex') : null;
    return got !== null && timingSafeEqual(got, expected);
  });
}
