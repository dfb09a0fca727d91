/**
 * npm run bench:kafka: the bare kafkajs baselines later work is measured against.
 * BENCH_QUICK=1 shortens the batch phase to 5 s and the sends to 300.
 */
import { topicName } from '@app/contracts';
import { kafkaBaseline } from './lib/kafka-baseline';
import { QUICK, benchStack } from './lib/stack';
import { finish, report } from './lib/stats';

async function main(): Promise<void> {
  const stack = await benchStack('kafka');
  try {
    report(`broker ${stack.brokers.join(',')}, topic prefix ${stack.prefix}`);
    const baseline = await kafkaBaseline(stack.kafka, topicName('ocppEvents', stack.prefix), {
      sends: QUICK ? 300 : 1000,
      batchSeconds: QUICK ? 5 : 30,
    });
    finish({ bench: 'kafka', ...baseline });
  } finally {
    await stack.stop();
  }
}

main().catch((e) => {
  console.error(`bench:kafka failed: ${(e as Error).message}`);
  process.exit(1);
});
