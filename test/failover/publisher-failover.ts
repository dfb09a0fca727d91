/**
 * The publisher alone under broker failover, without the apps: many concurrent publishers (one
 * loop per key, like chargers with one outstanding CALL each) through one KafkaPublisher on a
 * 3-node KRaft cluster, `kill -9` of the node leading most partitions, restart after `downMs`.
 * Every acknowledged record must be on the topic. Used by test/failover/broker-failover.e2e.spec.ts
 * and, for the idempotent/non-idempotent comparison, by bench/failover.bench.ts (FAILOVER_COMPARE=1).
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createKafka, ensureTopics, KafkaPublisher } from '@app/kafka';
import { uniqueSuffix } from '@app/testing';
import type { KafkaCluster } from '@app/testing/stack';

export interface PublisherFailoverOptions {
  cluster: KafkaCluster;
  idempotent: boolean;
  keys: number;
  warmupMs: number;
  downMs: number;
  afterMs: number;
  log?: (line: string) => void;
}

export interface PublisherFailoverResult {
  idempotent: boolean;
  acknowledged: number;
  /** Acknowledged records not on the topic. */
  missing: number;
  /** From the kill to the first acknowledgement of a record published after it, seconds. */
  firstAckAfterKillS: number | null;
  /** Acknowledgements in the last `afterMs` (after the restart): 0 means the publisher never healed. */
  acksAfterRestart: number;
  errors: Record<string, number>;
}

/**
 * Broker settings that move leaders back to their preferred replica within seconds of a restart
 * (production does it after up to 5 minutes): produce requests then fail for some partitions
 * while the broker writes the others, the case kafkajs' idempotent producer mishandles.
 */
export const PREFERRED_LEADER_EVERY_5_S: Record<string, string> = {
  'leader.imbalance.check.interval.seconds': '5',
  'leader.imbalance.per.broker.percentage': '0',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function idsOnTopic(kafka: Kafka, topic: string): Promise<Set<string>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  const seen = new Set<string>();
  if (remaining.size === 0) return seen;
  const consumer = kafka.consumer({ groupId: `publisher-failover-${uniqueSuffix()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic} not read to its end within 120 s`)), 120_000);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            seen.add(m.value!.toString());
            if (BigInt(m.offset) + 1n >= ends.get(batch.partition)!) remaining.delete(batch.partition);
          }
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

export async function runPublisherFailover(
  options: PublisherFailoverOptions,
): Promise<PublisherFailoverResult> {
  const log = options.log ?? (() => undefined);
  const { cluster } = options;
  const kafka = createKafka({
    brokers: cluster.brokers,
    clientId: 'publisher-failover',
    log: () => undefined,
  });
  const topic = `pf-${options.idempotent ? 'idem' : 'plain'}-${uniqueSuffix()}`;
  await ensureTopics(kafka, [
    { name: topic, partitions: 12, replicationFactor: 3, config: { 'min.insync.replicas': '2' } },
  ]);
  const publisher = new KafkaPublisher(kafka, { idempotent: options.idempotent, sendTimeoutMs: 5000 });
  await publisher.connect();
  const acked: Array<{ id: string; at: number; sentAt: number }> = [];
  const errors: Record<string, number> = {};
  let stop = false;
  const loops = Array.from({ length: options.keys }, async (_, k) => {
    while (!stop) {
      const id = randomUUID();
      const sentAt = Date.now();
      try {
        await publisher.publish({ topic, key: `cp-${k}`, value: id });
        acked.push({ id, at: Date.now(), sentAt });
      } catch (e) {
        const name = (e as Error).message.slice(0, 60);
        errors[name] = (errors[name] ?? 0) + 1;
        await sleep(200);
      }
    }
  });
  try {
    await sleep(options.warmupMs);
    const admin = kafka.admin();
    await admin.connect();
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    await admin.disconnect();
    const led = new Map<number, number>();
    for (const p of meta.partitions) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
    const [victimId] = [...led].sort((a, b) => b[1] - a[1])[0];
    const victim = cluster.nodes.find((n) => n.nodeId === victimId)!;
    log(
      `${options.idempotent ? 'idempotent' : 'non-idempotent'}: ${acked.length} acknowledged; killing node ${victimId}`,
    );
    const killAt = Date.now();
    await victim.kill();
    await sleep(Math.max(0, killAt + options.downMs - Date.now()));
    await victim.start();
    const restartedAt = Date.now();
    await sleep(options.afterMs);
    stop = true;
    await Promise.all(loops);
    const onTopic = await idsOnTopic(kafka, topic);
    const firstAfter = acked.filter((a) => a.sentAt >= killAt).reduce((m, a) => Math.min(m, a.at), Infinity);
    const result: PublisherFailoverResult = {
      idempotent: options.idempotent,
      acknowledged: acked.length,
      missing: acked.filter((a) => !onTopic.has(a.id)).length,
      firstAckAfterKillS: Number.isFinite(firstAfter) ? Math.round((firstAfter - killAt) / 100) / 10 : null,
      acksAfterRestart: acked.filter((a) => a.at >= restartedAt).length,
      errors,
    };
    log(`${options.idempotent ? 'idempotent' : 'non-idempotent'}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    stop = true;
    await Promise.all(loops);
    await publisher.disconnect().catch(() => undefined);
  }
}
