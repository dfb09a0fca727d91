import { randomBytes } from 'node:crypto';

/**
 * Gives this jest run an id. `createTestKafka` puts it into every topic prefix, so the global
 * teardown deletes exactly this run's topics: another run (a developer's, a benchmark) may share
 * the broker. Set before the workers start, so they inherit it.
 */
export default function globalSetup(): void {
  process.env.TEST_RUN_ID ||= `r${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}
