/**
 * Which network addresses a webhook may be delivered to. Pure: the delivery adapter asks this for
 * every address a host name resolved to, and for IP literals, before it opens a socket.
 *
 * Only globally routable unicast addresses pass. Everything that reaches the service's own host,
 * its private network, a cloud metadata endpoint or a carrier NAT is refused, in every spelling an
 * attacker can give it (IPv4-mapped and -compatible IPv6, NAT64, 6to4, Teredo).
 */

/** An address as 16 bytes (IPv4 as ::ffff:a.b.c.d), or null when it is not an IP literal. */
export function parseIp(text: string): Uint8Array | null {
  const s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseIpv4(s);
  if (v4) return mapped(v4);
  return parseIpv6(s);
}

function parseIpv4(s: string): Uint8Array | null {
  // Dotted quad only: URL parsing already turns 0x7f.1, 2130706433 and 127.1 into this form.
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i])) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | null {
  // A zone id (fe80::1%eth0) only exists for link-local targets: never a webhook.
  if (s.includes('%') || !/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const items = h.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return null;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  // An IPv4 tail may only end the address.
  if (halves.length === 2 && halves[0].includes('.')) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function mapped(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

/** A CIDR range over the 16-byte form; IPv4 ranges are written as IPv4 and stored mapped. */
export interface AddressRange {
  bytes: Uint8Array;
  prefix: number;
}

export function parseRange(cidr: string): AddressRange | null {
  const [addr, len, extra] = cidr.trim().split('/');
  if (extra !== undefined) return null;
  const bytes = parseIp(addr);
  if (!bytes) return null;
  const isV4 = parseIpv4(addr) !== null;
  const max = isV4 ? 32 : 128;
  const n = len === undefined ? max : /^[0-9]{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(n >= 0 && n <= max)) return null;
  return { bytes, prefix: isV4 ? n + 96 : n };
}

export function inRange(ip: Uint8Array, range: AddressRange): boolean {
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (ip[i] !== range.bytes[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip[full] & mask) === (range.bytes[full] & mask);
}

const range = (cidr: string): AddressRange => {
  const r = parseRange(cidr);
  if (!r) throw new Error(`bad built-in range ${cidr}`);
  return r;
};

/** Ranges that are never a webhook receiver, with the reason given in the delivery error. */
const REFUSED: [AddressRange, string][] = [
  // IPv4 (RFC 6890 special-purpose registry)
  [range('0.0.0.0/8'), 'unspecified/"this network"'],
  [range('10.0.0.0/8'), 'private'],
  [range('100.64.0.0/10'), 'carrier-grade NAT'],
  [range('127.0.0.0/8'), 'loopback'],
  [range('169.254.0.0/16'), 'link-local (cloud metadata)'],
  [range('172.16.0.0/12'), 'private'],
  [range('192.0.0.0/24'), 'IETF protocol assignments'],
  [range('192.0.2.0/24'), 'documentation'],
  [range('192.88.99.0/24'), '6to4 relay anycast'],
  [range('192.168.0.0/16'), 'private'],
  [range('198.18.0.0/15'), 'benchmarking'],
  [range('198.51.100.0/24'), 'documentation'],
  [range('203.0.113.0/24'), 'documentation'],
  [range('224.0.0.0/4'), 'multicast'],
  [range('240.0.0.0/4'), 'reserved/broadcast'],
  // IPv6
  [range('::/128'), 'unspecified'],
  [range('::1/128'), 'loopback'],
  [range('::/96'), 'IPv4-compatible (deprecated)'],
  [range('100::/64'), 'discard-only'],
  [range('2001:db8::/32'), 'documentation'],
  [range('2001:10::/28'), 'ORCHID'],
  [range('2001:20::/28'), 'ORCHIDv2'],
  [range('fc00::/7'), 'unique local (private)'],
  [range('fe80::/10'), 'link-local'],
  [range('fec0::/10'), 'site-local (deprecated)'],
  [range('ff00::/8'), 'multicast'],
];

const IPV4_MAPPED = range('::ffff:0:0/96');

/** IPv6 forms that carry an IPv4 address a packet may end up at; the embedded one decides. */
const EMBEDDING: { range: AddressRange; v4: (ip: Uint8Array) => Uint8Array }[] = [
  { range: range('64:ff9b::/96'), v4: (ip) => ip.slice(12, 16) }, // NAT64 well-known prefix
  { range: range('64:ff9b:1::/48'), v4: (ip) => ip.slice(12, 16) }, // NAT64 local-use
  { range: range('2002::/16'), v4: (ip) => ip.slice(2, 6) }, // 6to4
];
const TEREDO = range('2001::/32');

/**
 * Why an address may not receive webhooks, or null when it is a public unicast address.
 * An unparsable address is refused too: only what is understood is let through.
 */
export function refusalReason(address: string): string | null {
  const ip = parseIp(address);
  if (!ip) return 'not an IP address';
  return refusalOf(ip);
}

function refusalOf(ip: Uint8Array): string | null {
  if (inRange(ip, IPV4_MAPPED)) return listedReason(ip);
  // Teredo hides its client address (XORed): nothing to check, and no webhook receiver needs it.
  if (inRange(ip, TEREDO)) return 'Teredo tunnel';
  for (const e of EMBEDDING) {
    if (!inRange(ip, e.range)) continue;
    const inner = listedReason(mapped(e.v4(ip)));
    return inner === null ? null : `${inner} (embedded IPv4)`;
  }
  return listedReason(ip);
}

function listedReason(ip: Uint8Array): string | null {
  for (const [r, reason] of REFUSED) if (inRange(ip, r)) return reason;
  return null;
}

/**
 * Exceptions for the dev stack and tests (e.g. 127.0.0.1 for a local receiver), checked against
 * the address actually connected to. Empty in production.
 */
export class AddressPolicy {
  private readonly allowed: AddressRange[];

  constructor(allowed: readonly string[] = []) {
    this.allowed = allowed.map((a) => {
      const r = parseRange(a);
      if (!r) throw new Error(`not an IP address or CIDR range: ${a}`);
      return r;
    });
  }

  /** null when the address may be connected to, else why not. */
  check(address: string): string | null {
    const ip = parseIp(address);
    if (!ip) return 'not an IP address';
    if (this.allowed.some((r) => inRange(ip, r))) return null;
    return refusalOf(ip);
  }
}
