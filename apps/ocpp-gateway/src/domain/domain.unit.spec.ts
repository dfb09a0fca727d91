import { parseBasicAuth } from './basic-auth';
import { chargePointIdFromPath, isValidChargePointId } from './charge-point-id';
import { hashChargerPassword, rememberingVerifier, verifyChargerPassword } from '@app/ocpp/charger-password';
import { decideIdTagInfo } from './id-tag-info';
import { TransactionIdBlocks } from './transaction-id-block';

describe('charger passwords', () => {
  it('verifies the right password and refuses others', async () => {
    const stored = await hashChargerPassword('correct-horse-battery');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).not.toContain('correct-horse');
    expect(await verifyChargerPassword('correct-horse-battery', stored)).toBe(true);
    expect(await verifyChargerPassword('correct-horse-batterY', stored)).toBe(false);
    expect(await verifyChargerPassword('', stored)).toBe(false);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await hashChargerPassword('x'.repeat(16))).not.toBe(await hashChargerPassword('x'.repeat(16)));
  });

  it('refuses a stored value it does not understand', async () => {
    expect(await verifyChargerPassword('x', 'plain-text')).toBe(false);
    expect(await verifyChargerPassword('x', 'scrypt$a$b$c$d$e')).toBe(false);
  });
});

describe('rememberingVerifier', () => {
  const counting = () => {
    const calls: string[] = [];
    const verify = async (password: string, stored: string) => {
      calls.push(password);
      return verifyChargerPassword(password, stored);
    };
    return { calls, verify };
  };

  it('runs scrypt once for a password that keeps succeeding', async () => {
    const { calls, verify } = counting();
    const remembering = rememberingVerifier(verify);
    const stored = await hashChargerPassword('s3cret');
    expect(await remembering('s3cret', stored)).toBe(true);
    expect(await remembering('s3cret', stored)).toBe(true);
    expect(calls).toEqual(['s3cret']);
  });

  it('never remembers a failure, and refuses the old password after a rotation', async () => {
    const { calls, verify } = counting();
    const remembering = rememberingVerifier(verify);
    const before = await hashChargerPassword('old-one');
    expect(await remembering('old-one', before)).toBe(true);
    expect(await remembering('guess', before)).toBe(false);
    expect(await remembering('guess', before)).toBe(false);
    const after = await hashChargerPassword('new-one');
    expect(await remembering('old-one', after)).toBe(false);
    expect(await remembering('new-one', after)).toBe(true);
    expect(calls).toEqual(['old-one', 'guess', 'guess', 'old-one', 'new-one']);
  });

  it('forgets the least recently used beyond its size', async () => {
    const { calls, verify } = counting();
    const remembering = rememberingVerifier(verify, 2);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((p) => hashChargerPassword(p)));
    await remembering('a', a);
    await remembering('b', b);
    await remembering('a', a); // a is now the most recent
    await remembering('c', c); // forgets b
    await remembering('a', a);
    await remembering('b', b);
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
  });
});

describe('parseBasicAuth', () => {
  const header = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
  it('parses user:password (password may contain colons)', () => {
    expect(parseBasicAuth(header('CP-1:a:b'))).toEqual({ username: 'CP-1', password: 'a:b' });
  });
  it.each([undefined, '', 'Bearer abc', 'Basic', 'Basic !!!', header('no-colon')])(
    'returns null for %p',
    (h) => {
      expect(parseBasicAuth(h)).toBeNull();
    },
  );
});

describe('chargePointId', () => {
  it.each([
    ['/ocpp/CP-1', 'CP-1'],
    ['/ocpp/CP-1/', 'CP-1'],
    ['/ocpp/DE%2A2GO%2A1311', 'DE*2GO*1311'],
    ['/ocpp/CP-1?x=1', 'CP-1'],
    ['/ocpp/', null],
    ['/ocpp', null],
    ['/other/CP-1', null],
    ['/ocpp/a/b', null],
    ['/ocpp/a%2Fb', null],
    ['/ocpp/has%20space', null],
    ['/ocpp/%E0%A4%A', null],
    [`/ocpp/${'x'.repeat(49)}`, null],
  ])('%s → %p', (path, id) => {
    expect(chargePointIdFromPath(path)).toBe(id);
  });
  it('accepts 48 characters', () => expect(isValidChargePointId('x'.repeat(48))).toBe(true));
});

describe('decideIdTagInfo', () => {
  const now = new Date('2026-01-15T12:00:00Z');
  it('unknown tags are Invalid, or Accepted in the dev stack', () => {
    expect(decideIdTagInfo(null, now, false)).toEqual({ status: 'Invalid' });
    expect(decideIdTagInfo(null, now, true)).toEqual({ status: 'Accepted' });
  });
  it('an Accepted tag past its expiry is Expired', () => {
    const record = {
      status: 'Accepted' as const,
      expiryDate: new Date('2026-01-01T00:00:00Z'),
      parentIdTag: 'PARENT',
    };
    expect(decideIdTagInfo(record, now, true)).toEqual({
      status: 'Expired',
      expiryDate: '2026-01-01T00:00:00.000Z',
      parentIdTag: 'PARENT',
    });
  });
  it('keeps Blocked', () => {
    expect(decideIdTagInfo({ status: 'Blocked', expiryDate: null, parentIdTag: null }, now, true)).toEqual({
      status: 'Blocked',
    });
  });
});

describe('TransactionIdBlocks', () => {
  it('hands out each id of a block once, then reserves the next block once for concurrent callers', async () => {
    let next = 1;
    let reservations = 0;
    const blocks = new TransactionIdBlocks(async () => {
      reservations++;
      await new Promise((r) => setTimeout(r, 5));
      const start = next;
      next += 10;
      return start;
    }, 10);
    const ids = await Promise.all(Array.from({ length: 25 }, () => blocks.allocate()));
    expect(new Set(ids).size).toBe(25);
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(reservations).toBe(3);
  });

  it('a failed reservation fails the callers and the next call tries again', async () => {
    let fail = true;
    const blocks = new TransactionIdBlocks(async () => {
      if (fail) throw new Error('db down');
      return 100;
    }, 100);
    await expect(blocks.allocate()).rejects.toThrow('db down');
    fail = false;
    expect(await blocks.allocate()).toBe(100);
  });
});
