import { isTransientError } from './consumer';

describe('isTransientError', () => {
  it.each(['08006', '53300', '57P01', '57014', '25P03', '40001', '40P01', '55P03'])(
    'retries Postgres %s for as long as it takes (an infrastructure fault, not the record)',
    (code) => expect(isTransientError(Object.assign(new Error('pg'), { code }))).toBe(true),
  );

  it.each(['23505', '22P02', '42P01'])('counts Postgres %s against the record', (code) =>
    expect(isTransientError(Object.assign(new Error('pg'), { code }))).toBe(false),
  );
});
