import type { Kafka } from 'kafkajs';

export interface TopicToCreate {
  name: string;
  partitions: number;
  config: Record<string, string>;
  /** Wins over ensureTopics' replicationFactor argument. */
  replicationFactor?: number;
}

/** Creates the topics that do not exist yet (idempotent; safe to run from several processes). */
export async function ensureTopics(
  kafka: Kafka,
  topics: TopicToCreate[],
  replicationFactor = 1,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return [];
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? replicationFactor,
          configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (e) {
      // Another process created them between list and create: that is the state we want. And
      // kafkajs' own wait for leaders can see the new topics before the broker's metadata cache
      // does: the topics exist; the wait below covers it.
      if (!/already exists|does not host this topic-partition/i.test(String((e as Error).message))) throw e;
    }
    // A new topic's partitions reach the broker's metadata cache a moment after createTopics
    // returns; until then clients get UNKNOWN_TOPIC_OR_PARTITION. Wait until every one has a leader.
    const names = missing.map((t) => t.name);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: names });
        if (
          meta.length === names.length &&
          meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
        )
          break;
      } catch (e) {
        if (!/does not host this topic-partition|leader/i.test(String((e as Error).message))) throw e;
      }
      if (Date.now() > deadline) throw new Error(`topics not ready after 30 s: ${names.join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return names;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Deletes every topic whose name starts with `prefix` (tests and benchmarks clean up their own
 * topics with it). Returns the names deleted. An empty prefix is refused: it would mean "all".
 */
export async function deleteTopicsWithPrefix(kafka: Kafka, prefix: string): Promise<string[]> {
  if (!prefix) throw new Error('deleteTopicsWithPrefix: an empty prefix would delete every topic');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    // Modest requests: a broker takes a while per topic and kafkajs times a request out.
    for (let i = 0; i < names.length; i += 50) {
      await admin.deleteTopics({ topics: names.slice(i, i + 50), timeout: 30_000 });
    }
    return names;
  } finally {
    await admin.disconnect();
  }
}

/** True when a broker answers a metadata request within `timeoutMs`. */
export async function kafkaReachable(kafka: Kafka, timeoutMs = 3000): Promise<boolean> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
    });
    await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Gives a group that has no committed offset on `topic` the offsets of the first records at or
 * after `timestamp` (the log end where none is that recent). A consumer starting "from the latest"
 * resolves that position only at its first fetch, which can be a session timeout after the process
 * started; anchoring first means the records produced in between are not skipped. A group with
 * committed offsets is left as it is. Returns whether it set offsets.
 */
export async function anchorNewGroupAt(
  kafka: Kafka,
  groupId: string,
  topic: string,
  timestamp: number,
): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    if (committed && committed.partitions.some((p) => p.offset !== '-1')) return false;
    const partitions = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    await admin.setOffsets({ groupId, topic, partitions });
    return true;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
