import { randomUUID } from 'node:crypto';
import {
  makeEnvelope,
  OCPP201_COMMAND_SCHEMA,
  OCPP_COMMAND_SCHEMA,
  topicName,
  type AnyOcppCommand,
  type ChargerProtocol,
  type Ocpp201Command,
  type OcppCommand,
} from '@app/contracts';
import { KafkaPublisher } from '@app/kafka';
import { createTestKafka, type TestKafka } from '@app/testing';
import type { DispatchCommand } from '../src/application/dispatch-command';
import { CommandConsumer } from '../src/infrastructure/kafka/command-consumer';

/**
 * The commands consumer on its own, against the real broker: it joins in the background, takes
 * commands produced while it joined, and dispatches a redelivered command once (Kafka commits are
 * hints sent every second, so the last second comes again after a rebalance).
 */
describe('CommandConsumer (real broker)', () => {
  let t: TestKafka;
  let publisher: KafkaPublisher;

  beforeAll(async () => {
    t = await createTestKafka('command-consumer');
    publisher = new KafkaPublisher(t.kafka);
    await publisher.connect();
  });

  afterAll(async () => {
    await publisher.disconnect();
  });

  const command = (): OcppCommand => ({
    commandId: randomUUID(),
    chargePointId: 'CP-1',
    action: 'RemoteStartTransaction',
    payload: { connectorId: 1, idTag: 'TAG' },
    deadline: new Date(Date.now() + 30_000).toISOString(),
    requestedBy: 'test',
  });
  const command201 = (): Ocpp201Command => ({
    commandId: randomUUID(),
    chargePointId: 'CS-1',
    action: 'RequestStartTransaction',
    payload: { idToken: { idToken: 'TAG', type: 'Central' }, evseId: 1, remoteStartId: 7 },
    deadline: new Date(Date.now() + 30_000).toISOString(),
    requestedBy: 'test',
  });
  const send = (
    c: AnyOcppCommand,
    topic: 'ocppCommands' | 'ocppV201Commands' = 'ocppCommands',
    schema = topic === 'ocppCommands' ? OCPP_COMMAND_SCHEMA : OCPP201_COMMAND_SCHEMA,
  ) =>
    publisher.publish({
      topic: topicName(topic, t.prefix),
      key: c.chargePointId,
      value: JSON.stringify(
        makeEnvelope({
          type: 'OcppCommandRequested',
          source: 'test',
          subject: c.chargePointId,
          schema,
          id: c.commandId,
          data: c,
        }),
      ),
    });

  it('takes commands produced while it joins, and dispatches the same command once', async () => {
    const executed: string[] = [];
    const dispatch = {
      execute: async (c: OcppCommand) => void executed.push(c.commandId),
    } as unknown as DispatchCommand;
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const consumer = new CommandConsumer(t.kafka, {
      gatewayId: `gw-${randomUUID().slice(0, 8)}`,
      topicPrefix: t.prefix,
      dispatch,
      logger,
    });
    consumer.start(); // returns at once
    const early = command();
    await send(early); // before the group is joined
    await consumer.whenReady();
    const twice = command();
    await send(twice);
    await send(twice);
    const deadline = Date.now() + 20_000;
    while (executed.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000)); // room for a second dispatch, if there were one
    await consumer.stop();
    expect(executed).toEqual([early.commandId, twice.commandId]);
  });

  it('skips a command that is not a valid ocpp.command/v1 envelope, naming why, and dispatches the next', async () => {
    const executed: string[] = [];
    const warnings: unknown[] = [];
    const dispatch = {
      execute: async (c: OcppCommand) => void executed.push(c.commandId),
    } as unknown as DispatchCommand;
    const logger = {
      info: () => undefined,
      warn: (message: string, fields?: unknown) => void warnings.push({ message, fields }),
      error: () => undefined,
    };
    const consumer = new CommandConsumer(t.kafka, {
      gatewayId: `gw-${randomUUID().slice(0, 8)}`,
      topicPrefix: t.prefix,
      dispatch,
      logger,
    });
    consumer.start();
    await consumer.whenReady();
    // A deadline that is no timestamp passed the old hand check and reached the charger's dispatch.
    const bad = { ...command(), deadline: 'tomorrow' };
    const good = command();
    await send(bad);
    await send(good);
    const deadline = Date.now() + 20_000;
    while (executed.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await consumer.stop();
    expect(executed).toEqual([good.commandId]);
    expect(warnings).toContainEqual({
      message: 'unusable command skipped',
      fields: expect.objectContaining({
        error: expect.stringMatching(/^ocpp\.command\/v1: \/data\/deadline must match format "date-time"/),
      }),
    });
  });

  it('reads ocpp.v201.commands too, dispatching each command with the protocol of its topic', async () => {
    const executed: Array<[string, ChargerProtocol]> = [];
    const warnings: unknown[] = [];
    const dispatch = {
      execute: async (c: AnyOcppCommand, protocol: ChargerProtocol) =>
        void executed.push([c.commandId, protocol]),
    } as unknown as DispatchCommand;
    const logger = {
      info: () => undefined,
      warn: (message: string, fields?: unknown) => void warnings.push({ message, fields }),
      error: () => undefined,
    };
    const consumer = new CommandConsumer(t.kafka, {
      gatewayId: `gw-${randomUUID().slice(0, 8)}`,
      topicPrefix: t.prefix,
      dispatch,
      logger,
    });
    consumer.start();
    const early201 = command201();
    await send(early201, 'ocppV201Commands'); // before the group is joined: anchored on both topics
    await consumer.whenReady();
    const v16 = command();
    const v201 = command201();
    // A 1.6 command envelope on the 2.0.1 topic is not a command of that topic: skipped.
    const misplaced = command();
    await send(misplaced, 'ocppV201Commands', OCPP_COMMAND_SCHEMA);
    await send(v16);
    await send(v201, 'ocppV201Commands');
    const deadline = Date.now() + 20_000;
    while (executed.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    await consumer.stop();
    expect(executed.sort()).toEqual(
      [
        [early201.commandId, 'ocpp2.0.1'],
        [v16.commandId, 'ocpp1.6'],
        [v201.commandId, 'ocpp2.0.1'],
      ].sort(),
    );
    expect(warnings).toContainEqual({
      message: 'unusable command skipped',
      fields: expect.objectContaining({
        topic: topicName('ocppV201Commands', t.prefix),
        error: expect.stringContaining('ocpp.command/v1'),
      }),
    });
  });
});
