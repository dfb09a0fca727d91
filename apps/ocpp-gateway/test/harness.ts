import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import {
  makeEnvelope,
  OCPP201_COMMAND_SCHEMA,
  OCPP_COMMAND_SCHEMA,
  parseEnvelope,
  topicName,
  type AnyOcppCommand,
  type AnyOcppCommandResult,
  type ChargerProtocol,
  type Envelope,
  type OcppCommand,
  type OcppCommandResult,
} from '@app/contracts';
import type { KafkaPublisher } from '@app/kafka';
import { freePort } from '@app/testing';
import { loadOcppGatewayConfig, type OcppGatewayConfig } from '../src/config';
import { OCPP_GATEWAY, OcppGatewayModule, type OcppGateway } from '../src/ocpp-gateway.module';

export interface RunningGateway {
  app: INestApplication;
  config: OcppGatewayConfig;
  gateway: OcppGateway;
  port: number;
  /** `ws://127.0.0.1:<port>/ocpp` */
  url: string;
  stop(): Promise<void>;
}

/** Starts the gateway's Nest app in this process on a free loopback port. */
export async function startGateway(env: Record<string, string>): Promise<RunningGateway> {
  const port = await freePort();
  const config = loadOcppGatewayConfig({
    LOG_LEVEL: 'warn',
    OCPP_PING_INTERVAL_S: '0',
    ...env,
    PORT: String(port),
  });
  const app = await NestFactory.create(OcppGatewayModule.forRoot(config), { logger: false });
  await app.listen(port, '127.0.0.1');
  const gateway = app.get<OcppGateway>(OCPP_GATEWAY);
  await Promise.all([gateway.commands?.whenReady(), gateway.registry?.whenReady()]);
  return { app, config, gateway, port, url: `ws://127.0.0.1:${port}/ocpp`, stop: () => app.close() };
}

/** Everything written to a topic since the start, parsed as envelopes, with a wait helper. */
export class TopicRecorder {
  readonly records: Array<{ key: string; envelope: Envelope; partition: number }> = [];
  private readonly consumer: Consumer;
  private waiters: Array<() => void> = [];

  constructor(
    kafka: Kafka,
    readonly topic: string,
  ) {
    this.consumer = kafka.consumer({
      groupId: `rec-${topic}-${Math.random().toString(36).slice(2)}`,
      maxWaitTimeInMs: 100,
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        this.records.push({
          key: message.key?.toString() ?? '',
          envelope: parseEnvelope(message.value),
          partition,
        });
        for (const w of this.waiters.splice(0)) w();
      },
    });
  }

  async waitFor<T = unknown>(
    predicate: (e: Envelope<T>) => boolean,
    timeoutMs = 15000,
  ): Promise<Envelope<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.records.find((r) => predicate(r.envelope as Envelope<T>));
      if (found) return found.envelope as Envelope<T>;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching record on ${this.topic} within ${timeoutMs} ms (${this.records.length} records)`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  matching<T = unknown>(predicate: (e: Envelope<T>) => boolean): Array<Envelope<T>> {
    return this.records.map((r) => r.envelope as Envelope<T>).filter(predicate);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** What a test asks of a charger: a command without the fields the sender fills in. */
export type TestCommand = Omit<OcppCommand, 'commandId' | 'deadline' | 'requestedBy'> & {
  deadlineMs?: number;
};
export type TestCommandOf<C extends AnyOcppCommand> = Omit<C, 'commandId' | 'deadline' | 'requestedBy'> & {
  deadlineMs?: number;
};

/** Each protocol's commands topic and command schema, as session-service sends them. */
const COMMANDS: Record<ChargerProtocol, { topic: 'ocppCommands' | 'ocppV201Commands'; schema: string }> = {
  'ocpp1.6': { topic: 'ocppCommands', schema: OCPP_COMMAND_SCHEMA },
  'ocpp2.0.1': { topic: 'ocppV201Commands', schema: OCPP201_COMMAND_SCHEMA },
};

/**
 * Sends a command the way the session service does (an envelope on `ocpp.v16.commands`, or
 * `ocpp.v201.commands` for `protocol` ocpp2.0.1) and waits for its result on `results`, the
 * recorder of that protocol's command-results topic.
 */
export async function sendCommand(
  publisher: KafkaPublisher,
  results: TopicRecorder,
  prefix: string,
  command: TestCommand,
): Promise<OcppCommandResult>;
export async function sendCommand(
  publisher: KafkaPublisher,
  results: TopicRecorder,
  prefix: string,
  command: TestCommandOf<AnyOcppCommand>,
  protocol: ChargerProtocol,
): Promise<AnyOcppCommandResult>;
export async function sendCommand(
  publisher: KafkaPublisher,
  results: TopicRecorder,
  prefix: string,
  command: TestCommandOf<AnyOcppCommand>,
  protocol: ChargerProtocol = 'ocpp1.6',
): Promise<AnyOcppCommandResult> {
  const full = {
    commandId: randomUUID(),
    chargePointId: command.chargePointId,
    action: command.action,
    payload: command.payload,
    deadline: new Date(Date.now() + (command.deadlineMs ?? 10000)).toISOString(),
    requestedBy: 'test',
    ...(command.sessionId ? { sessionId: command.sessionId } : {}),
  } as AnyOcppCommand;
  const envelope = makeEnvelope({
    type: 'OcppCommandRequested',
    source: 'test',
    subject: full.chargePointId,
    schema: COMMANDS[protocol].schema,
    data: full,
  });
  await publisher.publish({
    topic: topicName(COMMANDS[protocol].topic, prefix),
    key: full.chargePointId,
    value: JSON.stringify(envelope),
  });
  return (await results.waitFor<AnyOcppCommandResult>((e) => e.data.commandId === full.commandId, 20000))
    .data;
}
