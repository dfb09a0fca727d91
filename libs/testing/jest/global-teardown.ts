// Relative imports: jest loads global hooks without the moduleNameMapper of the projects.
import { deleteTopicsWithPrefix, kafkaReachable } from '../../kafka/src/admin';
import { createKafka } from '../../kafka/src/client';
import { testBrokers, testTopicRunPrefix } from '../src/test-run';

/**
 * Deletes the topics this run's integration and e2e tests created. Without it every run left
 * hundreds of partitions behind; a long-lived dev broker reached 17,675 partition directories and
 * tests started failing on metadata timeouts. Never fails the run: a leftover topic is only waste.
 */
export default async function globalTeardown(): Promise<void> {
  const prefix = testTopicRunPrefix();
  if (!prefix) return;
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'test-teardown', log: () => undefined });
  if (!(await kafkaReachable(kafka, 2000))) return; // a unit-only run without a broker
  try {
    const deleted = await deleteTopicsWithPrefix(kafka, prefix);
    if (deleted.length > 0) console.log(`[test] deleted ${deleted.length} topics of this run (${prefix}*)`);
  } catch (error) {
    console.warn(`[test] could not delete this run's topics (${prefix}*): ${(error as Error).message}`);
  }
}
