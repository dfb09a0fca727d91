// Three jest projects, selected by file name: *.unit.spec.ts (pure logic, parallel),
// *.int.spec.ts (real Kafka + Postgres), *.e2e.spec.ts (the whole stack).
// testTimeout is global in jest, so the per-project timeouts live in setup files.
// Integration and e2e need the stack prepared by `npm test` (scripts/start.mjs --test).
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(__dirname + '/.swcrc', 'utf8'));
const { compilerOptions } = require('./tsconfig.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  const from = '^' + alias.replace('/*', '/(.*)') + '$';
  moduleNameMapper[from] = '<rootDir>/' + target.replace('/*', '/$1');
}

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  // `npm test` runs test/failover after the rest, one file at a time (scripts/stack.ts, runTests).
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    '/.data/',
    ...(process.env.TEST_EXCLUDE_FAILOVER === '1' ? ['<rootDir>/test/failover/'] : []),
  ],
};

module.exports = {
  // A run id in every test topic prefix; the teardown deletes this run's topics.
  globalSetup: '<rootDir>/libs/testing/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/jest/global-teardown.ts',
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/**/*.unit.spec.ts'] },
    {
      ...base,
      displayName: 'int',
      testMatch: ['<rootDir>/**/*.int.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/jest/int-timeout.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/**/*.e2e.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/jest/e2e-timeout.ts'],
    },
  ],
};
