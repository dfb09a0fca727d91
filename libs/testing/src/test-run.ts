// No path aliases here: jest's global teardown loads this file without the moduleNameMapper.

/** The broker(s) integration tests use: `KAFKA_BROKERS`, or the one `npm test` prepared. */
export function testBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
}

/**
 * `t-<run id>-`: the start of every topic prefix of this jest run (see libs/testing/jest/global-setup.ts),
 * or null outside jest's global setup (then prefixes are `t-<unique>.`, and nothing deletes them).
 */
export function testTopicRunPrefix(): string | null {
  const run = process.env.TEST_RUN_ID;
  return run ? `t-${run}-` : null;
}
