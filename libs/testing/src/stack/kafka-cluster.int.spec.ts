import { createKafka } from '@app/kafka';
import { startKafkaCluster, type KafkaCluster } from './kafka-cluster';

/** The failover tests stand on this: three nodes, one killed, acks=all still answered, node back. */
describe('startKafkaCluster', () => {
  let cluster: KafkaCluster;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ nodes: 3 });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps acks=all writes going with one of three nodes killed, and takes the node back', async () => {
    const kafka = createKafka({ brokers: cluster.brokers, clientId: 'cluster-test', log: () => undefined });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: 'probe',
          numPartitions: 3,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    });
    const { brokers } = await admin.describeCluster();
    expect(brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const victim = cluster.nodes[0];
    await victim.kill();
    expect(victim.running).toBe(false);
    // Every partition gets a new leader among the two left once the controller has fenced the dead
    // node (broker.session.timeout.ms, 9 s): until then a send may fail, and is sent again, as a
    // charger would. min.insync.replicas=2 still holds with two nodes, so every write lands.
    const deadline = Date.now() + 60_000;
    for (let i = 0; i < 30; i++) {
      for (;;) {
        try {
          await producer.send({ topic: 'probe', acks: -1, messages: [{ key: `k${i}`, value: String(i) }] });
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }

    await victim.start();
    expect(victim.running).toBe(true);
    const consumer = kafka.consumer({ groupId: 'cluster-test' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'probe', fromBeginning: true });
    const seen = new Set<string>();
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.add(message.value!.toString());
          if (seen.size === 30) resolve();
        },
      });
    });
    expect(seen.size).toBe(30);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }, 240_000);
});
