import fc from 'fast-check';
import { AddressPolicy, parseIp, refusalReason } from './webhook-address';

describe('webhook address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['64:ff9b::10.0.0.1', 'private (embedded IPv4)'],
    ['64:ff9b::a9fe:a9fe', 'link-local (cloud metadata) (embedded IPv4)'],
    ['2002:7f00:1::', 'loopback (embedded IPv4)'],
    ['2002:c0a8:101::1', 'private (embedded IPv4)'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['fe80::1%eth0', 'not an IP address'],
    ['localhost', 'not an IP address'],
    ['127.1', 'not an IP address'],
    ['0177.0.0.1', 'not an IP address'],
    ['1.2.3.4.5', 'not an IP address'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(refusalReason(address)).toContain(reason);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '2a00:1450:4001:80b::200e',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('lets public %s through', (address) => {
    expect(refusalReason(address)).toBeNull();
  });

  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
  const dotted = ([a, b, c, d]: number[]) => `${a}.${b}.${c}.${d}`;
  const hex = ([a, b, c, d]: number[]) => `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;

  it('an IPv4 address gets the same answer in its mapped IPv6 spellings', () => {
    fc.assert(
      fc.property(v4, (q) => {
        const plain = refusalReason(dotted(q)) === null;
        expect(refusalReason(`::ffff:${dotted(q)}`) === null).toBe(plain);
        expect(refusalReason(`::ffff:${hex(q)}`) === null).toBe(plain);
        expect(refusalReason(`0:0:0:0:0:ffff:${hex(q)}`) === null).toBe(plain);
        expect(refusalReason(`64:ff9b::${dotted(q)}`) === null).toBe(plain);
      }),
    );
  });

  it('every address in the private, loopback, CGNAT and link-local ranges is refused', () => {
    const inRange = fc.oneof(
      v4.map(([, b, c, d]) => [10, b, c, d]),
      v4.map(([, b, c, d]) => [127, b, c, d]),
      v4.map(([, b, c, d]) => [172, 16 + (b % 16), c, d]),
      v4.map(([, , c, d]) => [192, 168, c, d]),
      v4.map(([, b, c, d]) => [100, 64 + (b % 64), c, d]),
      v4.map(([, , c, d]) => [169, 254, c, d]),
      v4.map(([a, b, c, d]) => [224 + (a % 32), b, c, d]),
    );
    fc.assert(fc.property(inRange, (q) => expect(refusalReason(dotted(q))).not.toBeNull()));
  });

  it('fc00::/7 and fe80::/10 are refused whatever the rest of the address', () => {
    const groups = fc.array(fc.nat(0xffff), { minLength: 7, maxLength: 7 });
    fc.assert(
      fc.property(fc.nat(0x1ff), fc.nat(0x3f), groups, (ula, ll, rest) => {
        const tail = rest.map((g) => g.toString(16)).join(':');
        expect(refusalReason(`${(0xfc00 | ula).toString(16)}:${tail}`)).not.toBeNull();
        expect(refusalReason(`${(0xfe80 | ll).toString(16)}:${tail}`)).not.toBeNull();
      }),
    );
  });

  it('parses IPv6 the way the platform does (compressed forms expand to the same bytes)', () => {
    const groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, fc.nat(7), fc.nat(8), (g, from, len) => {
        const full = parseIp(g.map((x) => x.toString(16)).join(':'))!;
        // zero a run and write it compressed
        const z = g.map((x, i) => (i >= from && i < from + len ? 0 : x));
        const to = Math.min(8, from + len);
        if (to - from < 1) return;
        const compressed =
          z
            .slice(0, from)
            .map((x) => x.toString(16))
            .join(':') +
          '::' +
          z
            .slice(to)
            .map((x) => x.toString(16))
            .join(':');
        const expanded = parseIp(z.map((x) => x.toString(16)).join(':'))!;
        expect(parseIp(compressed)).toEqual(expanded);
        expect(full).toHaveLength(16);
      }),
    );
  });

  it('the allow-list exempts exactly its ranges', () => {
    const policy = new AddressPolicy(['127.0.0.1', '::1']);
    expect(policy.check('127.0.0.1')).toBeNull();
    expect(policy.check('::ffff:127.0.0.1')).toBeNull(); // the same address, mapped
    expect(policy.check('::1')).toBeNull();
    expect(policy.check('127.0.0.2')).toContain('loopback');
    expect(policy.check('10.0.0.1')).toContain('private');
    expect(policy.check('169.254.169.254')).toContain('link-local');
    expect(new AddressPolicy(['10.1.0.0/16']).check('10.1.200.3')).toBeNull();
    expect(new AddressPolicy(['10.1.0.0/16']).check('10.2.0.1')).toContain('private');
    expect(() => new AddressPolicy(['not-an-ip'])).toThrow('not-an-ip');
    expect(() => new AddressPolicy(['10.0.0.0/33'])).toThrow();
  });
});
