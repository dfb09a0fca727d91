import type { Kafka } from 'kafkajs';
import { PRODUCTION_TOPIC_SETTINGS } from '@app/contracts';
import { startKafkaCluster, type KafkaCluster } from '@app/testing/stack';
import { sleep } from '@app/testing/simulator';
import { poll, query, settle, startLoad, startStack, statusOf, type Load, type Stack } from './under-load';

/**
 * Issue 9, scenario (ii): `kill -9` of the broker that coordinates billing-service's consumer
 * group, under load, on a 3-node KRaft cluster (topics with replication factor 3 and
 * min.insync.replicas 2). Seen before: billing stalled 2.7 minutes committing to the old
 * coordinator. Now the group moves to a new coordinator and billing catches up within 60 s of the
 * kill, with every completed session billed exactly once. Reduced in `npm test`; FAILOVER_FULL=1
 * runs more chargers for longer.
 */
const FULL = process.env.FAILOVER_FULL === '1';
const CHARGERS = FULL ? 30 : 12;
// The killed node led a third of the partitions, which take no write until the controller fences
// it (broker.session.timeout.ms, 9 s): the gateway's one request in flight waits for them. The
// load runs past that, so sessions started after the kill complete and must be billed too (with
// 10 s, CI saw exactly one more session per charger, twice: 24, not more than 24).
const LOAD_AFTER_KILL_MS = 20_000;
const log = (line: string) => process.stderr.write(`[coordinator-failover] ${line}\n`);

/** Java's String.hashCode, which Kafka uses to place a group on a partition of __consumer_offsets. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The node coordinating `groupId`: the leader of its __consumer_offsets partition. */
async function coordinatorOf(kafka: Kafka, groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
    const partitions = topics[0].partitions;
    const partition = (javaStringHash(groupId) & 0x7fffffff) % partitions.length;
    return partitions.find((p) => p.partitionId === partition)!.leader;
  } finally {
    await admin.disconnect();
  }
}

describe(`kill -9 of the coordinator of billing's consumer group (${FULL ? 'full' : 'reduced'})`, () => {
  let cluster: KafkaCluster;
  let stack: Stack;
  let load: Load;
  let killedNode: number;
  let killAt: number;
  let result: Awaited<ReturnType<typeof settle>>;
  let billingReady: boolean;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ nodes: 3 });
    stack = await startStack({
      brokers: cluster.brokers,
      topicSettings: PRODUCTION_TOPIC_SETTINGS,
      env: { KAFKA_TOPIC_REPLICATION_FACTOR: '3', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' },
      log,
    });
    load = startLoad(stack, { chargers: CHARGERS, sessionMs: 2000, log });
    // Billing has joined its group and booked charges: the coordinator is in use.
    await poll('billing to book charges', 120_000, async () => {
      const [row] = await query<{ n: string }>(
        stack.db['billing-service'].url,
        `select count(*) as n from charges`,
      );
      return Number(row.n) >= CHARGERS ? true : null;
    });
    const group = `${stack.prefix}billing-service.sessions`;
    killedNode = await coordinatorOf(stack.kafka, group);
    log(`group ${group} is coordinated by node ${killedNode}; killing it`);
    killAt = Date.now();
    await cluster.nodes.find((n) => n.nodeId === killedNode)!.kill();
    await sleep(LOAD_AFTER_KILL_MS);
    await load.stop();
    log(`load stopped ${((Date.now() - killAt) / 1000).toFixed(1)} s after the kill`);
    result = await settle(stack, load, Math.max(0, killAt + 120_000 - Date.now()));
    log(
      `${result.completed} sessions completed; ${result.stuck.length} not CLOSED and billed once, ${result.doubled} billed twice; ` +
        `settled ${result.settledAt ? `${((result.settledAt - killAt) / 1000).toFixed(1)} s` : 'never'} after the kill`,
    );
    billingReady = await poll('billing ready', 30_000, async () =>
      (await statusOf(`${stack.procs['billing-service'].baseUrl}/health/ready`)) === 200 ? true : null,
    ).catch(() => false);
    if (result.stuck.length > 0 || stack.crashed().length > 0) log(stack.logs());
  }, 900_000);

  afterAll(async () => {
    await stack?.stop();
    await cluster?.stop();
  });

  it('billed every session completed up to and after the kill within 60 s of it', () => {
    expect(result.completed).toBeGreaterThan(CHARGERS * 2);
    expect(result.stuck).toEqual([]);
    expect(result.settledAt).not.toBeNull();
    expect(result.settledAt! - killAt).toBeLessThanOrEqual(60_000);
  });

  it('billed none twice, crashed nothing, and billing is ready on the new coordinator', () => {
    expect(result.doubled).toBe(0);
    expect(load.gaveUp()).toBe(0);
    expect(stack.crashed().map((p) => p.name)).toEqual([]);
    expect(billingReady).toBe(true);
  });
});
