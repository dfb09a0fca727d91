import fc from 'fast-check';
import {
  allTopicSpecs,
  DEV_TOPIC_SETTINGS,
  KAFKA_APPS,
  kafkaAclsFor,
  PRODUCTION_TOPIC_SETTINGS,
  topicName,
  TOPICS,
  type TopicKey,
} from './topics';

describe('topic replication settings', () => {
  it('default to production: three replicas, two in sync, on every topic and dead-letter topic', () => {
    const specs = allTopicSpecs('');
    expect(specs).toHaveLength(Object.keys(TOPICS).length * 2);
    for (const spec of specs) {
      expect({
        name: spec.name,
        rf: spec.replicationFactor,
        minIsr: spec.config['min.insync.replicas'],
      }).toEqual({
        name: spec.name,
        rf: 3,
        minIsr: '2',
      });
    }
    expect(PRODUCTION_TOPIC_SETTINGS).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
  });

  it('give the single dev broker 1/1 and keep each topic own settings', () => {
    const events = allTopicSpecs('p.', DEV_TOPIC_SETTINGS).find((t) => t.name === 'p.ocpp.v16.events')!;
    expect(events).toMatchObject({
      replicationFactor: 1,
      config: { 'retention.ms': TOPICS.ocppEvents.config['retention.ms'], 'min.insync.replicas': '1' },
    });
    const tariffs = allTopicSpecs('', DEV_TOPIC_SETTINGS).find((t) => t.name === 'billing.tariffs.v1')!;
    expect(tariffs.config['cleanup.policy']).toBe('compact');
  });

  it('apply any valid pair to every topic and refuse min.insync.replicas above the replication factor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (replicationFactor, minInsyncReplicas) => {
          const build = () => allTopicSpecs('x.', { replicationFactor, minInsyncReplicas });
          if (minInsyncReplicas > replicationFactor) {
            expect(build).toThrow(/min\.insync\.replicas must be an integer 1\.\./);
            return;
          }
          for (const spec of build()) {
            expect(spec.replicationFactor).toBe(replicationFactor);
            expect(spec.config['min.insync.replicas']).toBe(String(minInsyncReplicas));
          }
        },
      ),
    );
  });

  it('does not let the settings leak into the TOPICS constants', () => {
    allTopicSpecs('', PRODUCTION_TOPIC_SETTINGS);
    for (const spec of Object.values(TOPICS))
      expect((spec.config as Record<string, string>)['min.insync.replicas']).toBeUndefined();
  });
});

describe('OCPP 2.0.1 topics', () => {
  /** Each 2.0.1 topic and the 1.6 topic it stands beside. */
  const PAIRS: Array<[v16: TopicKey, v201: TopicKey]> = [
    ['ocppEvents', 'ocppV201Events'],
    ['ocppCommands', 'ocppV201Commands'],
    ['ocppCommandResults', 'ocppV201CommandResults'],
  ];

  it('are partitioned, keyed and kept like their 1.6 counterparts, under their own names', () => {
    for (const [v16, v201] of PAIRS) {
      const { name: _16, ...a } = TOPICS[v16];
      const { name: _201, ...b } = TOPICS[v201];
      expect({ v201, ...b }).toEqual({ v201, ...a });
      expect(TOPICS[v201].name).toBe(TOPICS[v16].name.replace('.v16.', '.v201.'));
    }
  });

  it('give every app exactly the rights on a 2.0.1 topic (and its .dlq) it has on the 1.6 one', () => {
    for (const app of KAFKA_APPS) {
      const rightsOn = (key: TopicKey) => {
        const name = topicName(key, '');
        const of = (topic: string) =>
          kafkaAclsFor(app)
            .filter((a) => a.resource.type === 'topic' && a.resource.name === topic)
            .map((a) => a.operations);
        return { topic: of(name), dlq: of(`${name}.dlq`) };
      };
      for (const [v16, v201] of PAIRS)
        expect({ app, v201, ...rightsOn(v201) }).toEqual({ app, v201, ...rightsOn(v16) });
    }
  });
});
