import fc from 'fast-check';
import { cliActor, decodeAuditCursor, encodeAuditCursor } from './audit';

describe('cliActor', () => {
  it('is the operating-system user unless --actor names someone', () => {
    expect(cliActor(['charge-1'], () => 'jdoe')).toEqual({ kind: 'cli', id: 'jdoe' });
    expect(cliActor(['charge-1', '--actor', 'finance-bot'], () => 'jdoe')).toEqual({
      kind: 'cli',
      id: 'finance-bot',
    });
  });

  it('refuses --actor without a name, and a run with no user to name', () => {
    expect(() => cliActor(['--actor'], () => 'jdoe')).toThrow(/--actor needs a name/);
    expect(() => cliActor(['--actor', '--other'], () => 'jdoe')).toThrow(/--actor needs a name/);
    expect(() => cliActor([], () => '')).toThrow(/pass --actor NAME/);
  });

  it('records exactly the name given, whatever it is', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !s.startsWith('--')),
        (name) => cliActor(['x', '--actor', name], () => 'other').id === name,
      ),
    );
  });
});

describe('audit cursor', () => {
  it('gives back the position it was made from, for every position', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 999_999_999_999_999_999n }), (seq) => {
        return decodeAuditCursor(encodeAuditCursor(seq.toString())) === seq.toString();
      }),
    );
  });

  it('accepts no text it did not make', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const seq = decodeAuditCursor(text);
        return seq === undefined || encodeAuditCursor(seq) === text;
      }),
    );
    expect(decodeAuditCursor(Buffer.from('a-1').toString('base64url'))).toBeUndefined();
    expect(decodeAuditCursor(Buffer.from('a01').toString('base64url'))).toBeUndefined();
    expect(decodeAuditCursor('11')).toBeUndefined();
  });
});
