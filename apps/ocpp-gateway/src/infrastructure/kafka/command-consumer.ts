import type { Kafka, KafkaMessage } from 'kafkajs';
import { anchorNewGroupAt, backoffMs, BatchConsumer } from '@app/kafka';
import {
  parseEnvelope,
  topicName,
  type AnyOcppCommand,
  type ChargerProtocol,
  type Envelope,
  type TopicKey,
} from '@app/contracts';
import { createTopicValidator } from '@app/contracts/schemas';
import type { DispatchCommand } from '../../application/dispatch-command';
import type { Logger } from '../websocket/ocpp-websocket.server';

/** How many recent commandIds a replica remembers to drop redelivered commands. */
const DISPATCHED_REMEMBERED = 10_000;

/** Each protocol's commands topic. */
const COMMAND_TOPICS: Record<ChargerProtocol, TopicKey> = {
  'ocpp1.6': 'ocppCommands',
  'ocpp2.0.1': 'ocppV201Commands',
};

/**
 * Reads `ocpp.v16.commands` and `ocpp.v201.commands` in this replica's own consumer group
 * (`<KAFKA_TOPIC_PREFIX>ocpp-gateway-<GATEWAY_ID>`), so every replica sees every command; starts
 * from the latest offset (a command older than the replica is past its deadline anyway). A batch's
 * offsets are committed (in the background) once its commands are dispatched; the charger's
 * answers arrive later and are published as they come, to the results topic of the topic the
 * command came from (a 2.0.1 command's to `ocpp.v201.command-results`). A replica that crashes while waiting for an
 * answer reports nothing for it: the requester's own deadline covers that.
 *
 * The group join runs in the background (the gateway listens at once): a replica restarted under
 * the same GATEWAY_ID after SIGKILL waits for the dead member's session timeout before it joins.
 */
export class CommandConsumer {
  private readonly consumer: BatchConsumer;
  private readonly inProgress = new Set<Promise<unknown>>();
  /** Recently dispatched commandIds, oldest first. */
  private readonly dispatched = new Set<string>();
  private startedAt = Date.now();
  private starting: Promise<void> | null = null;
  private stopped = false;
  /** How long a start may go without joining before readiness says so (the consumer's own rule). */
  private readonly stallMs: number;

  /** Topic name → its protocol, and the edge check: a command not valid for its topic is never dispatched. */
  private readonly topics = new Map<
    string,
    { protocol: ChargerProtocol; check(e: unknown): string | null }
  >();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: {
      gatewayId: string;
      topicPrefix: string;
      dispatch: DispatchCommand;
      logger: Logger;
      sessionTimeoutMs?: number;
    },
  ) {
    for (const [protocol, key] of Object.entries(COMMAND_TOPICS) as Array<[ChargerProtocol, TopicKey]>)
      this.topics.set(topicName(key, options.topicPrefix), { protocol, check: createTopicValidator(key) });
    this.stallMs = (options.sessionTimeoutMs ?? 10_000) + 10_000;
    this.consumer = new BatchConsumer(kafka, {
      groupId: `${options.topicPrefix}ocpp-gateway-${options.gatewayId}`,
      topics: [...this.topics.keys()],
      fromBeginning: false,
      sessionTimeoutMs: options.sessionTimeoutMs,
      // Dispatching only hands the command to the connection (never fails for the record's sake).
      handleBatch: async ({ topic, messages }) => {
        for (const message of messages) this.dispatch(topic, message);
      },
      onEvent: (m) => options.logger.warn(m),
    });
  }

  /** Resolves once the group is joined and the first fetch ran (offsets resolved). */
  whenReady(): Promise<void> {
    return this.consumer.whenFetching();
  }

  /** Starts consuming in the background; never throws (the consumer retries until it runs). */
  start(): void {
    this.startedAt = Date.now();
    this.stopped = false;
    this.starting = this.anchor().then(() => {
      this.starting = null;
      if (!this.stopped) void this.consumer.start();
    });
  }

  /**
   * A new GATEWAY_ID has no committed offsets: anchor its group at this start, so the commands
   * produced while it joins (chargers connect at once) are not skipped by "from the latest".
   * Retried with backoff while Kafka does not answer (the consumer could not run anyway).
   */
  private async anchor(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        for (const topic of this.topics.keys())
          await anchorNewGroupAt(this.kafka, this.consumer.groupId, topic, this.startedAt - 1000);
        return;
      } catch (e) {
        this.options.logger.warn('commands group not anchored yet; retrying', {
          attempt,
          error: (e as Error).message,
        });
        await new Promise((r) =>
          setTimeout(r, backoffMs(attempt, { initialMs: 500, maxMs: 5000 }, Math.random())),
        );
      }
    }
  }

  /**
   * Readiness: whether the consumer can make progress (see BatchConsumer.health). While the group
   * is still being anchored it counts as joining: fine for as long as a join may take.
   */
  health(): { ok: boolean; reason?: string } {
    if (this.starting) {
      const waited = Date.now() - this.startedAt;
      return waited <= this.stallMs
        ? { ok: true }
        : { ok: false, reason: `Kafka unreachable for ${Math.round(waited / 1000)} s` };
    }
    return this.consumer.health();
  }

  private dispatch(topic: string, message: KafkaMessage): void {
    const { protocol, check } = this.topics.get(topic)!;
    let command: AnyOcppCommand;
    try {
      const envelope = parseEnvelope(message.value);
      // A replica restarted under the same GATEWAY_ID resumes its group's committed offset;
      // commands from before it started were answered by the replicas alive then.
      if (Date.parse(envelope.time) < this.startedAt - 1000) return;
      const defect = check(envelope);
      if (defect) throw new Error(defect);
      command = (envelope as Envelope<AnyOcppCommand>).data;
      // Kafka commits are hints sent every second: after a rebalance or a replaced consumer the
      // last second comes again. A charger must not get the same RemoteStart twice.
      if (this.dispatched.has(command.commandId)) return;
      this.dispatched.add(command.commandId);
      if (this.dispatched.size > DISPATCHED_REMEMBERED)
        this.dispatched.delete(this.dispatched.values().next().value!);
    } catch (e) {
      this.options.logger.warn('unusable command skipped', {
        topic,
        offset: message.offset,
        error: (e as Error).message,
      });
      return;
    }
    const task = this.options.dispatch.execute(command, protocol).catch((e) =>
      this.options.logger.error('command failed', {
        commandId: command.commandId,
        error: (e as Error).message,
      }),
    );
    this.inProgress.add(task);
    void task.finally(() => this.inProgress.delete(task));
  }

  /** Leaves the group, then waits for commands still waiting on a charger to be reported. */
  async stop(): Promise<void> {
    this.stopped = true;
    // An anchor still trying an unreachable broker gives up at its next attempt: do not wait for it.
    if (this.starting) await Promise.race([this.starting, new Promise((r) => setTimeout(r, 3000))]);
    await this.consumer.stop();
    await Promise.all(this.inProgress);
  }
}
