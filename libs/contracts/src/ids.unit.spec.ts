import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { isUuid, nameUuid, nameUuidSha256, ocpp201TransactionNumber, remoteStartIdOf, UUID_RE } from './ids';

describe('nameUuid', () => {
  it('is deterministic and keeps the ids already stored (fixed vectors)', () => {
    // Ids in existing event stores were made by this algorithm: a change here would duplicate events.
    expect(nameUuid('a')).toBe('86f7e437-faa5-57fc-a15d-1ddcb9eaeaea');
    expect(nameUuid('env-1', 'StartTransaction')).toBe('b1e63eb9-128f-515d-9688-3f3de7b3a977');
  });

  it('is sha1 over the parts joined by NUL, with the version 5 and RFC 4122 variant bits', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.integer()), { minLength: 1, maxLength: 4 }), (parts) => {
        const id = nameUuid(...parts);
        const hex = createHash('sha1').update(parts.join('\u0000')).digest('hex').slice(0, 32);
        expect(id.replace(/-/g, '')).toHaveLength(32);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        const bare = id.replace(/-/g, '');
        // Everything but the version nibble and the two variant bits is the hash itself.
        expect(bare.slice(0, 12) + bare.slice(13, 16) + bare.slice(17)).toBe(
          hex.slice(0, 12) + hex.slice(13, 16) + hex.slice(17),
        );
        expect(parseInt(bare[16], 16) & 0x3).toBe(parseInt(hex[16], 16) & 0x3);
      }),
    );
  });

  it('separates the parts: ("ab", "c") and ("a", "bc") differ', () => {
    expect(nameUuid('ab', 'c')).not.toBe(nameUuid('a', 'bc'));
    expect(nameUuid(1, 2)).toBe(nameUuid('1', '2'));
  });
});

describe('isUuid', () => {
  it('accepts canonical uuids in either case and refuses the rest', () => {
    expect(isUuid('123e4567-e89b-12d3-a456-426614174000')).toBe(true);
    expect(isUuid('123E4567-E89B-12D3-A456-426614174000')).toBe(true);
    expect(isUuid(nameUuid('x'))).toBe(true);
    for (const bad of [
      '',
      '123e4567e89b12d3a456426614174000',
      '123e4567-e89b-12d3-a456-42661417400',
      'g23e4567-e89b-12d3-a456-426614174000',
      ' 123e4567-e89b-12d3-a456-426614174000',
      '123e4567-e89b-12d3-a456-426614174000\n',
      42,
      null,
      undefined,
    ]) {
      expect(isUuid(bad)).toBe(false);
    }
    expect(UUID_RE.test('123e4567-e89b-12d3-a456-426614174000')).toBe(true);
  });
});

describe('nameUuidSha256', () => {
  it("is billing's deterministicUuid (SHA-256, v5 bits): the charge ids already stored stay the same", () => {
    expect(nameUuidSha256('billing.charge|7c9e6679-7425-40de-944b-e07fc1f90ae7')).toBe(
      'd816db2f-9094-59e9-adc8-cd16cf80545a',
    );
    expect(nameUuidSha256('a', 'b')).toBe(nameUuidSha256('a\u0000b'));
    expect(nameUuidSha256('a')).not.toBe(nameUuid('a'));
  });
});

describe('ocpp201TransactionNumber', () => {
  it('keeps the numbers already stored (fixed vectors: sessions, charges and exports carry them)', () => {
    expect(ocpp201TransactionNumber('CS-201', 'f4c3a2b1-tx-0001')).toBe(3583577288770408);
    expect(ocpp201TransactionNumber('CP1', '1')).toBe(3742692727472329);
  });

  it('is 52 bits of SHA-256 over protocol, station and id joined by NUL, above the 1.6 range', () => {
    const h = createHash('sha256').update('ocpp2.0.1\u0000CP1\u00001').digest();
    const bits52 = (h.readUInt32BE(0) & 0xfffff) * 2 ** 32 + h.readUInt32BE(4);
    expect(ocpp201TransactionNumber('CP1', '1')).toBe(2 ** 31 + bits52);
  });

  it('is a safe integer in [2^31, 2^53) for any station and id, the same every time', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1, maxLength: 36 }), (cp, tx) => {
        const n = ocpp201TransactionNumber(cp, tx);
        expect(Number.isSafeInteger(n)).toBe(true);
        expect(n).toBeGreaterThanOrEqual(2 ** 31);
        expect(n).toBeLessThan(2 ** 53);
        expect(ocpp201TransactionNumber(cp, tx)).toBe(n);
        // Survives JSON and a bigint column's text unchanged.
        expect(JSON.parse(JSON.stringify(n))).toBe(n);
        expect(Number(BigInt(n).toString())).toBe(n);
      }),
    );
  });

  it('separates station and id, and differs per station for the same id', () => {
    expect(ocpp201TransactionNumber('ab', 'c')).not.toBe(ocpp201TransactionNumber('a', 'bc'));
    expect(ocpp201TransactionNumber('CS-1', 'tx-1')).not.toBe(ocpp201TransactionNumber('CS-2', 'tx-1'));
    // Stations count their ids up from 1 or use uuids: no collision among a station's first 10,000.
    const numbers = new Set(
      Array.from({ length: 10_000 }, (_, i) => ocpp201TransactionNumber('CS-1', String(i))),
    );
    expect(numbers.size).toBe(10_000);
  });
});

describe('remoteStartIdOf', () => {
  it('keeps the ids of remote starts already sent (fixed vector)', () => {
    expect(remoteStartIdOf('0b6f4c1e-4d8e-4a59-9f3a-1f2e3d4c5b6a')).toBe(362056359);
  });

  it('is an OCPP integer in [1, 2^31) for any session id, the same every time', () => {
    fc.assert(
      fc.property(fc.uuid(), (sessionId) => {
        const id = remoteStartIdOf(sessionId);
        expect(Number.isInteger(id)).toBe(true);
        expect(id).toBeGreaterThanOrEqual(1);
        expect(id).toBeLessThanOrEqual(2 ** 31 - 1);
        expect(remoteStartIdOf(sessionId)).toBe(id);
      }),
    );
  });
});
