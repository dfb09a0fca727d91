import { randomUUID } from 'node:crypto';
import {
  makeEnvelope,
  OCPP_COMMAND_SCHEMA,
  topicName,
  type OcppCommand,
  type OcppCommandResult,
} from '@app/contracts';
import { KafkaPublisher } from '@app/kafka';
import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { SimulatedCharger } from '@app/testing/simulator';
import { startGateway, TopicRecorder, type RunningGateway } from './harness';

/**
 * Two replicas on one database and one set of topics: both read every command; only the one
 * holding the charger sends it, and for a charger nobody holds exactly one replica (the live one
 * with the lowest id) reports Offline.
 */
describe('two ocpp-gateway replicas', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let a: RunningGateway;
  let b: RunningGateway;
  let results: TopicRecorder;
  let publisher: KafkaPublisher;
  let sim: SimulatedCharger;

  const send = async (
    chargePointId: string,
    action: OcppCommand['action'],
    payload: Record<string, unknown>,
  ) => {
    const command: OcppCommand = {
      commandId: randomUUID(),
      chargePointId,
      action,
      payload,
      deadline: new Date(Date.now() + 10000).toISOString(),
      requestedBy: 'test',
    };
    const envelope = makeEnvelope({
      type: 'OcppCommandRequested',
      source: 'test',
      subject: chargePointId,
      schema: OCPP_COMMAND_SCHEMA,
      data: command,
    });
    await publisher.publish({
      topic: topicName('ocppCommands', tk.prefix),
      key: chargePointId,
      value: JSON.stringify(envelope),
    });
    await results.waitFor<OcppCommandResult>((e) => e.data.commandId === command.commandId);
    // Give the other replica time to (wrongly) answer too.
    await new Promise((r) => setTimeout(r, 1500));
    return results
      .matching<OcppCommandResult>((e) => e.data.commandId === command.commandId)
      .map((e) => e.data);
  };

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('gwrep'), createTestKafka('gwrep')]);
    await migrateApp('ocpp-gateway', db.url);
    const env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      OCPP_ALLOW_UNREGISTERED: 'true',
    };
    [a, b] = await Promise.all([
      startGateway({ ...env, GATEWAY_ID: 'gw-a' }),
      startGateway({ ...env, GATEWAY_ID: 'gw-b' }),
    ]);
    results = new TopicRecorder(tk.kafka, topicName('ocppCommandResults', tk.prefix));
    publisher = new KafkaPublisher(tk.kafka);
    await Promise.all([results.start(), publisher.connect()]);
    sim = new SimulatedCharger({ url: b.url, chargePointId: 'CP-ON-B', autoRunRemoteSessions: false });
    await sim.connect();
  });

  afterAll(async () => {
    await sim?.close();
    await Promise.all([results?.stop(), publisher?.disconnect()]);
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('only the replica holding the charger sends the command and reports its answer', async () => {
    const answers = await send('CP-ON-B', 'ChangeAvailability', { connectorId: 0, type: 'Inoperative' });
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      outcome: 'Result',
      gatewayId: 'gw-b',
      payload: { status: 'Accepted' },
    });
  });

  it('exactly one replica, the lowest live id, reports Offline for a charger nobody holds', async () => {
    const answers = await send('CP-NOBODY', 'Reset', { type: 'Hard' });
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ outcome: 'Offline', gatewayId: 'gw-a' });
  });
});
