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
  /** Copies of each partition; allTopicSpecs sets it from the TopicSettings. */
  replicationFactor?: number;
}

/**
 * How many brokers hold each partition, and how many of them must have a record before an
 * acks=all producer gets its acknowledgement. These apply to every topic alike: the guarantee a
 * charger gets (CALLRESULT = on Kafka) must not depend on which topic a record lands in.
 */
export interface TopicSettings {
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** Three brokers or more: an acknowledged record survives losing any one of them, and writes go on. */
export const PRODUCTION_TOPIC_SETTINGS: TopicSettings = { replicationFactor: 3, minInsyncReplicas: 2 };
/** The single-broker dev and test stack. */
export const DEV_TOPIC_SETTINGS: TopicSettings = { replicationFactor: 1, minInsyncReplicas: 1 };

const WEEK_MS = String(7 * 24 * 3600 * 1000);
const MONTH_MS = String(30 * 24 * 3600 * 1000);

export const TOPICS = {
  ocppEvents: {
    name: 'ocpp.v16.events',
    partitions: 12,
    key: 'chargePointId',
    config: { 'retention.ms': MONTH_MS },
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
  /** OCPP 2.0.1 stations' records (libs/contracts ocpp201.ts); same partitioning as ocpp.v16.events. */
  ocppV201Events: {
    name: 'ocpp.v201.events',
    partitions: 12,
    key: 'chargePointId',
    config: { 'retention.ms': MONTH_MS },
  },
  ocppV201Commands: {
    name: 'ocpp.v201.commands',
    partitions: 6,
    key: 'chargePointId',
    config: { 'retention.ms': WEEK_MS },
  },
  ocppV201CommandResults: {
    name: 'ocpp.v201.command-results',
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
  /**
   * The charger registry (chargers and id tags), owned by session-service (the operator API) and
   * read whole by every gateway replica. Internal: it carries password hashes, so only the
   * gateway's principal may read it (docker/ manifests' ACLs). Compacted: the last record per key
   * is the registry.
   */
  chargerRegistry: {
    name: 'chargers.registry.v1',
    partitions: 3,
    key: 'charger/<chargePointId> or id-tag/<fleetId>/<idTag>',
    config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' },
  },
  /** What each charger looks like now (online, boot data, connectors), protocol-neutral; compacted. */
  chargerStatus: {
    name: 'chargers.status.v1',
    partitions: 12,
    key: 'chargePointId',
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

/**
 * Every topic to create, with the prefix applied, plus one dead-letter topic per consumed topic.
 * `settings` defaults to production's; the single dev broker passes DEV_TOPIC_SETTINGS.
 */
export function allTopicSpecs(prefix = '', settings: TopicSettings = PRODUCTION_TOPIC_SETTINGS): TopicSpec[] {
  const { replicationFactor, minInsyncReplicas } = settings;
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new Error(`replication factor must be an integer >= 1, got ${replicationFactor}`);
  }
  // min.insync.replicas above the replication factor makes every acks=all write fail.
  if (
    !Number.isInteger(minInsyncReplicas) ||
    minInsyncReplicas < 1 ||
    minInsyncReplicas > replicationFactor
  ) {
    throw new Error(
      `min.insync.replicas must be an integer 1..${replicationFactor}, got ${minInsyncReplicas}`,
    );
  }
  const durability = { 'min.insync.replicas': String(minInsyncReplicas) };
  const specs: TopicSpec[] = [];
  for (const spec of Object.values(TOPICS) as TopicSpec[]) {
    specs.push({
      ...spec,
      name: prefix + spec.name,
      replicationFactor,
      config: { ...spec.config, ...durability },
    });
    specs.push({
      name: deadLetterTopicName(prefix + spec.name),
      partitions: 1,
      key: spec.key,
      replicationFactor,
      config: { 'retention.ms': '-1', ...durability },
    });
  }
  return specs;
}

/** The apps that talk to Kafka; each runs as its own Kafka user. */
export const KAFKA_APPS = ['ocpp-gateway', 'session-service', 'billing-service'] as const;
export type KafkaApp = (typeof KAFKA_APPS)[number];

/**
 * What each app writes and reads (ARCHITECTURE.md's topic table), and the prefix of its consumer
 * groups. The least-privilege ACLs of every app user (Strimzi KafkaUsers, the SASL test broker)
 * are derived from this, so a new producer or consumer has to be declared here to work at all.
 */
export const TOPIC_ACCESS: Record<
  KafkaApp,
  { produces: TopicKey[]; consumes: TopicKey[]; groupPrefix: string }
> = {
  'ocpp-gateway': {
    produces: ['ocppEvents', 'ocppCommandResults', 'ocppV201Events', 'ocppV201CommandResults'],
    // Commands are only handed to a connection; nothing is dead-lettered, so no .dlq write.
    // The registry is read whole by every replica (its own group); invalid records are skipped.
    consumes: ['ocppCommands', 'ocppV201Commands', 'chargerRegistry'],
    groupPrefix: 'ocpp-gateway-',
  },
  'session-service': {
    // The registry (chargers, id tags) and the charger status are the operator API's.
    produces: ['ocppCommands', 'ocppV201Commands', 'chargingSessions', 'chargerRegistry', 'chargerStatus'],
    consumes: [
      'ocppEvents',
      'ocppV201Events',
      'ocppCommandResults',
      'ocppV201CommandResults',
      'sessionCharges',
      'tariffs',
    ],
    groupPrefix: 'session-service',
  },
  'billing-service': {
    produces: ['sessionCharges', 'tariffs'],
    consumes: ['chargingSessions'],
    groupPrefix: 'billing-service',
  },
};

/** Topics whose consumers park records they can never process in `<topic>.dlq`. */
const DEAD_LETTERING: Record<KafkaApp, TopicKey[]> = {
  'ocpp-gateway': [],
  'session-service': [
    'ocppEvents',
    'ocppV201Events',
    'ocppCommandResults',
    'ocppV201CommandResults',
    'sessionCharges',
    'tariffs',
  ],
  'billing-service': ['chargingSessions'],
};

export type AclOperation = 'Read' | 'Write' | 'Describe';
/** One ACL in Strimzi's KafkaUser shape (`simple` authorization), for one app's user. */
export interface KafkaAcl {
  resource: { type: 'topic' | 'group'; name: string; patternType: 'literal' | 'prefix' };
  operations: AclOperation[];
}

/**
 * The ACLs of an app's user: Write on what it produces (and on the dead-letter topics of what it
 * consumes), Read on what it consumes, Read on its own consumer groups. Nothing else: no Create,
 * no cluster rights, no other app's groups.
 */
export function kafkaAclsFor(app: KafkaApp, prefix = ''): KafkaAcl[] {
  const access = TOPIC_ACCESS[app];
  const topic = (name: string, operations: AclOperation[]): KafkaAcl => ({
    resource: { type: 'topic', name, patternType: 'literal' },
    operations,
  });
  return [
    ...access.produces.map((key) => topic(topicName(key, prefix), ['Write', 'Describe'])),
    ...access.consumes.map((key) => topic(topicName(key, prefix), ['Read', 'Describe'])),
    ...DEAD_LETTERING[app].map((key) =>
      topic(deadLetterTopicName(topicName(key, prefix)), ['Write', 'Describe']),
    ),
    {
      resource: { type: 'group', name: prefix + access.groupPrefix, patternType: 'prefix' },
      operations: ['Read'],
    },
  ];
}
