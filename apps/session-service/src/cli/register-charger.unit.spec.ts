import { parseRegisterArgs, UsageError } from './register-charger';

describe('charger:register arguments (the API’s rules)', () => {
  it('parses id, fleet, password, EVSE ids, id tags and the actor', () => {
    const args = parseRegisterArgs(
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
        '--actor',
        'alice',
      ],
      {},
    );
    expect(args).toEqual({
      register: {
        id: 'CP-1',
        fleetId: 'acme',
        password: { kind: 'given', password: 'p'.repeat(16) },
        connectors: [
          { connectorId: 1, evseId: 'DE*2GO*E1' },
          { connectorId: 2, evseId: 'DE*2GO*E2' },
        ],
      },
      password: { kind: 'given', password: 'p'.repeat(16) },
      idTags: [{ fleetId: 'acme', idTag: 'AABB', status: 'Accepted', expiryDate: null, parentIdTag: null }],
      actorArgs: ['--actor', 'alice'],
    });
  });

  it('takes the password from CHARGER_PASSWORD, generates one on --generate, and needs none to change a charger', () => {
    const base = ['--id', 'CP-1', '--fleet', 'acme'];
    expect(parseRegisterArgs(base, { CHARGER_PASSWORD: 'q'.repeat(20) }).password).toEqual({
      kind: 'given',
      password: 'q'.repeat(20),
    });
    expect(parseRegisterArgs([...base, '--generate'], {}).password).toEqual({ kind: 'generate' });
    expect(parseRegisterArgs(base, {}).password).toBeNull();
  });

  it.each([
    [['--fleet', 'acme', '--password', 'p'.repeat(16)], /^--id /],
    [['--id', 'a/b', '--fleet', 'acme', '--password', 'p'.repeat(16)], /^--id /],
    [['--id', 'CP', '--password', 'p'.repeat(16)], /^--fleet /],
    [
      ['--id', 'CP', '--fleet', 'acme', '--password', 'short'],
      /^--password \(or CHARGER_PASSWORD\) must be 16 to 40/,
    ],
    [['--id', 'CP', '--fleet', 'acme', '--password', 'p'.repeat(41)], /16 to 40/],
    [['--id', 'CP', '--fleet', 'acme', '--password', 'p'.repeat(16), '--generate'], /not both/],
    [['--id', 'CP', '--fleet', 'acme', '--evse', '0=X'], /^--evse "0=X": connector_id/],
    [['--id', 'CP', '--fleet', 'acme', '--evse', 'X'], /^--evse "X": expected/],
    [['--id', 'CP', '--fleet', 'acme', '--evse', '1=a b'], /^--evse "1=a b": evse_id/],
    [
      ['--id', 'CP', '--fleet', 'acme', '--evse', '1=X', '--evse', '2=X'],
      /^--evse "2=X": evse_id "X" is given to two/,
    ],
    [['--id', 'CP', '--fleet', 'acme', '--id-tag', 'T'.repeat(21)], /^--id-tag "T+": idTag/],
  ])('refuses %p', (argv, message) => {
    expect(() => parseRegisterArgs(argv, {})).toThrow(UsageError);
    expect(() => parseRegisterArgs(argv, {})).toThrow(message);
  });
});
