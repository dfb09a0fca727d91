import type { Kafka } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { publisherProducerConfig } from '@app/kafka';
import { percentile, report } from './stats';

export interface KafkaBaseline {
  send_p50_ms: number;
  send_p99_ms: number;
  batch_msgs_per_s: number;
}

/**
 * The bare-kafkajs baselines every other benchmark is compared with, on the same broker in the
 * same run: an acks=all producer with KafkaPublisher's settings (`publisherProducerConfig`), (1) `send` of one record, awaited, `sends` times in a
 * row; (2) `sendBatch` of 100 × 1 KB records for `batchSeconds`.
 */
export async function kafkaBaseline(
  kafka: Kafka,
  topic: string,
  options: { sends?: number; batchSeconds?: number } = {},
): Promise<KafkaBaseline> {
  const sends = options.sends ?? 1000;
  const batchSeconds = options.batchSeconds ?? 30;
  // The same producer settings as KafkaPublisher, so the baselines measure what the apps run.
  const producer = kafka.producer(publisherProducerConfig());
  await producer.connect();
  try {
    const value = Buffer.alloc(1024, 'x');
    // Warm up metadata and connections.
    for (let i = 0; i < 20; i++)
      await producer.send({ topic, acks: -1, messages: [{ key: `k${i}`, value }] });

    const latencies: number[] = [];
    for (let i = 0; i < sends; i++) {
      const t = process.hrtime.bigint();
      await producer.send({ topic, acks: -1, messages: [{ key: `k${i % 64}`, value }] });
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const send_p50_ms = percentile(latencies, 50);
    const send_p99_ms = percentile(latencies, 99);
    report(
      `baseline send (1 record, acks=all): p50 ${send_p50_ms} ms, p99 ${send_p99_ms} ms over ${sends} sends`,
    );

    const batch = Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 64}`, value }));
    const until = Date.now() + batchSeconds * 1000;
    let messages = 0;
    const started = process.hrtime.bigint();
    while (Date.now() < until) {
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [{ topic, messages: batch }],
      });
      messages += batch.length;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const batch_msgs_per_s = Math.round(messages / seconds);
    report(
      `baseline sendBatch (100 × 1 KB, acks=all): ${batch_msgs_per_s} msgs/s over ${seconds.toFixed(1)} s`,
    );
    return { send_p50_ms, send_p99_ms, batch_msgs_per_s };
  } finally {
    await producer.disconnect();
  }
}
