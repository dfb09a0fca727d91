import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { hubSignature, timestampedSignature, verifyTimestampedSignature } from './webhook-signature';

describe('webhook signatures', () => {
  it("X-Hub-Signature-256 is pump's: sha256=<hex HMAC-SHA256 of the body>", () => {
    const body = '{"object":"event"}';
    expect(hubSignature('s3cret', body)).toBe(
      'sha256=' + createHmac('sha256', 's3cret').update(body).digest('hex'),
    );
  });

  it('X-Chargebill-Signature signs "<t>.<body>"', () => {
    const sig = timestampedSignature('s3cret', '{}', 1764580000);
    expect(sig).toBe(
      `t=1764580000,v1=${createHmac('sha256', 's3cret').update('1764580000.{}').digest('hex')}`,
    );
  });

  it('a receiver accepts its own signature within the tolerance and refuses replays, other bodies and other secrets', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
        fc.integer({ min: -300, max: 300 }),
        (body, secret, t, skew) => {
          const header = timestampedSignature(secret, body, t);
          expect(verifyTimestampedSignature(secret, body, header, t + skew)).toBe(true);
          expect(verifyTimestampedSignature(secret, body, header, t + 301)).toBe(false); // replayed later
          expect(verifyTimestampedSignature(secret, body + ' ', header, t)).toBe(false);
          expect(verifyTimestampedSignature(secret + 'x', body, header, t)).toBe(false);
          // the timestamp is signed: moving it forward breaks the signature
          expect(verifyTimestampedSignature(secret, body, header.replace(`t=${t}`, `t=${t + 1}`), t)).toBe(
            false,
          );
        },
      ),
    );
  });

  it('refuses malformed headers', () => {
    for (const h of ['', 't=1', 'v1=00', 't=abc,v1=00', 't=1,t=2,v1=00', 'garbage'])
      expect(verifyTimestampedSignature('s', '{}', h, 1)).toBe(false);
  });
});
