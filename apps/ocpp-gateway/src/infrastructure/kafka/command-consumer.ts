import type { Consumer, Kafka } from 'kafkajs';
import { OCPP_OUTBOUND_ACTIONS, parseEnvelope, topicName, type OcppCommand } from '@app/contracts';
import type { DispatchCommand } from '../../application/dispatch-command';
import type { Logger } from '../websocket/ocpp-websocket.server';

/** Checks the fields a command must have; returns why it is unusable, or null. */
export function commandDefect(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return 'data is not an object';
  const c = data as Partial<OcppCommand>;
  if (typeof c.commandId !== 'string' || c.commandId.length === 0) return 'commandId missing';
  if (typeof c.chargePointId !== 'string' || c.chargePointId.length === 0) return 'chargePointId missing';
  if (typeof c.action !== 'string' || !(OCPP_OUTBOUND_ACTIONS as readonly string[]).includes(c.action)) return `action "${String(c.action)}" not supported`;
  if (typeof c.payload !== 'object' || c.payload === null || Array.isArray(c.payload)) return 'payload is not an object';
  if (typeof c.deadline !== 'string') return 'deadline missing';
  return null;
}

/**
 * Reads `ocpp.v16.commands` in this replica's own consumer group (`ocpp-gateway-<GATEWAY_ID>`),
 * so every replica sees every command; starts from the latest offset (a command older than the
 * replica is past its deadline anyway). A batch is committed once its commands are dispatched;
 * the charger's answers arrive later and are published as they come. A replica that crashes
 * while waiting for an answer reports nothing for it: the requester's own deadline covers that.
 */
export class CommandConsumer {
  private readonly consumer: Consumer;
  private readonly inProgress = new Set<Promise<unknown>>();
  private joined!: () => void;
  private readonly joinedPromise = new Promise<void>((resolve) => (this.joined = resolve));
  private running = false;
  private startedAt = Date.now();

  constructor(
    kafka: Kafka,
    private readonly options: { gatewayId: string; topicPrefix: string; dispatch: DispatchCommand; logger: Logger },
  ) {
    this.consumer = kafka.consumer({
      groupId: `ocpp-gateway-${options.gatewayId}`,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
  }

  /** Resolves once the group is joined and the first fetch ran (offsets resolved). */
  whenReady(): Promise<void> {
    return this.joinedPromise;
  }

  async start(): Promise<void> {
    this.startedAt = Date.now();
    let groupJoined = false;
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (groupJoined = true));
    this.consumer.on(this.consumer.events.FETCH, () => {
      if (groupJoined) this.joined();
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: topicName('ocppCommands', this.options.topicPrefix), fromBeginning: false });
    this.running = true;
    await this.consumer.run({
      autoCommit: true,
      eachMessage: async ({ message }) => {
        let command: OcppCommand;
        try {
          const envelope = parseEnvelope(message.value);
          // A replica restarted under the same GATEWAY_ID resumes its group's committed offset;
          // commands from before it started were answered by the replicas alive then.
          if (Date.parse(envelope.time) < this.startedAt - 1000) return;
          const defect = commandDefect(envelope.data);
          if (defect) throw new Error(defect);
          command = envelope.data as OcppCommand;
        } catch (e) {
          this.options.logger.warn('unusable command skipped', { offset: message.offset, error: (e as Error).message });
          return;
        }
        const task = this.options.dispatch
          .execute(command)
          .catch((e) => this.options.logger.error('command failed', { commandId: command.commandId, error: (e as Error).message }));
        this.inProgress.add(task);
        void task.finally(() => this.inProgress.delete(task));
      },
    });
  }

  /** Leaves the group, then waits for commands still waiting on a charger to be reported. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.consumer.disconnect();
    await Promise.all(this.inProgress);
  }
}
