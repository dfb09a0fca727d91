import fc from 'fast-check';
import { cliActor } from './audit';

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
