/**
 * The Kafka topics of ARCHITECTURE.md. Names never change without a new version suffix.
 * `KAFKA_TOPIC_PREFIX` (default empty) namespaces every topic, so tests never touch dev data
 * and several stacks can share one cluster.
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  config: Record<string, string>;
  /** What the record key is. */
  key: string;
}

const WEEK_MS = String(7 * 24 * 3600 * 1000);
const MONTH_MS = String(30 * 24 * 3600 * 1000);

export const TOPICS = {
  ocppEvents: {
    name: 'ocpp.v16.events',
    partitions: 12,
    key: 'chargePointId',
    config: { 'retention.ms': MONTH_MS, 'min.insync.replicas': '1' },
  },
  ocppCommands: {
    name: 'ocpp.v16.commands',
    partitions: 6,
    key: 'chargePointId',
    config: { 'retention.ms': WEEK_MS },
  },
  ocppCommandResults: {
    name: 'ocpp.v16.command-results',
    partitions: 6,
    key: 'commandId',
    config: { 'retention.ms': WEEK_MS },
  },
  chargingSessions: {
    name: 'charging.sessions.v1',
    partitions: 12,
    key: 'sessionId',
    config: { 'retention.ms': MONTH_MS },
  },
  sessionCharges: {
    name: 'billing.session-charges.v1',
    partitions: 6,
    key: 'sessionId',
    // Charges are financial records: downstream consumers may replay them; keep them forever.
    config: { 'retention.ms': '-1' },
  },
  tariffs: {
    name: 'billing.tariffs.v1',
    partitions: 3,
    key: 'tariffId',
    config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' },
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;

/** Dead-letter topic for records a consumer group can never process. */
export function deadLetterTopicName(topic: string): string {
  return `${topic}.dlq`;
}

export function topicName(key: TopicKey, prefix: string = process.env.KAFKA_TOPIC_PREFIX ?? ''): string {
  return `${prefix}${TOPICS[key].name}`;
}

/** Every topic to create, with the prefix applied, plus one dead-letter topic per consumed topic. */
export function allTopicSpecs(prefix = ''): TopicSpec[] {
  const specs: TopicSpec[] = [];
  for (const spec of Object.values(TOPICS) as TopicSpec[]) {
    specs.push({ ...spec, name: prefix + spec.name });
    specs.push({ name: deadLetterTopicName(prefix + spec.name), partitions: 1, key: spec.key, config: { 'retention.ms': '-1' } });
  }
  return specs;
}
