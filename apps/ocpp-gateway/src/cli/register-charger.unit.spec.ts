import { parseRegisterArgs, UsageError } from './register-charger';

describe('charger:register arguments', () => {
  it('parses id, fleet, password, EVSE ids and id tags', () => {
    expect(
      parseRegisterArgs(
        [
          '--id',
          'CP-1',
          '--fleet',
          'acme',
          '--password',
          'p'.repeat(16),
          '--evse',
          '1=DE*2GO*E1',
          '--evse',
          '02=DE*2GO*E2',
          '--id-tag',
          'AABB',
        ],
        {},
      ),
    ).toEqual({
      id: 'CP-1',
      fleetId: 'acme',
      password: 'p'.repeat(16),
      evseIds: { '1': 'DE*2GO*E1', '2': 'DE*2GO*E2' },
      idTags: ['AABB'],
    });
  });

  it('takes the password from CHARGER_PASSWORD', () => {
    expect(
      parseRegisterArgs(['--id', 'CP-1', '--fleet', 'acme'], { CHARGER_PASSWORD: 'q'.repeat(20) }).password,
    ).toBe('q'.repeat(20));
  });

  it.each([
    [['--fleet', 'acme', '--password', 'p'.repeat(16)], /--id/],
    [['--id', 'a/b', '--fleet', 'acme', '--password', 'p'.repeat(16)], /--id/],
    [['--id', 'CP', '--password', 'p'.repeat(16)], /--fleet/],
    [['--id', 'CP', '--fleet', 'acme', '--password', 'short'], /16 to 40/],
    [['--id', 'CP', '--fleet', 'acme', '--password', 'p'.repeat(41)], /16 to 40/],
    [['--id', 'CP', '--fleet', 'acme', '--password', 'p'.repeat(16), '--evse', '0=X'], /--evse/],
    [['--id', 'CP', '--fleet', 'acme', '--password', 'p'.repeat(16), '--evse', 'X'], /--evse/],
    [['--id', 'CP', '--fleet', 'acme', '--password', 'p'.repeat(16), '--id-tag', 'T'.repeat(21)], /--id-tag/],
  ])('refuses %p', (argv, message) => {
    expect(() => parseRegisterArgs(argv, {})).toThrow(UsageError);
    expect(() => parseRegisterArgs(argv, {})).toThrow(message);
  });
});
