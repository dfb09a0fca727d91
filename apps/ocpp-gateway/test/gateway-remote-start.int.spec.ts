import { randomUUID } from 'node:crypto';
import { topicName } from '@app/contracts';
import { KafkaPublisher } from '@app/kafka';
import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { OcppClient } from '@app/testing/simulator';
import { hashChargerPassword } from '@app/ocpp/charger-password';
import { sendCommand, startGateway, TopicRecorder, type RunningGateway } from './harness';

/**
 * A remote start outside the dev stack (OCPP_ALLOW_UNREGISTERED=false): the idTag the CSMS puts
 * into RemoteStartTransaction is in no fleet's list, yet the charger's Authorize and
 * StartTransaction for it must be Accepted (before, they were Invalid and the charger refused or
 * de-authorized the session). The grant is for that charger only, and a fleet's own record wins.
 */
describe('ocpp-gateway remote start idTags (production settings, real Kafka + Postgres)', () => {
  const PASSWORD = 'remote-start-password-1';
  let db: TestDatabase;
  let tk: TestKafka;
  let gw: RunningGateway;
  let results: TopicRecorder;
  let publisher: KafkaPublisher;
  const clients: OcppClient[] = [];

  const connect = async (chargePointId: string) => {
    await gw.gateway.chargers.upsert({
      id: chargePointId,
      fleetId: 'fleet-r',
      passwordHash: await hashChargerPassword(PASSWORD),
      evseIds: {},
    });
    const client = await OcppClient.connect({
      url: gw.url,
      chargePointId,
      password: PASSWORD,
      callTimeoutMs: 10000,
    });
    client.onCall(async (action) =>
      action === 'RemoteStartTransaction' ? { status: 'Accepted' } : { status: 'Rejected' },
    );
    clients.push(client);
    return client;
  };

  const remoteStart = (chargePointId: string, idTag: string) =>
    sendCommand(publisher, results, tk.prefix, {
      chargePointId,
      action: 'RemoteStartTransaction',
      payload: { connectorId: 1, idTag },
    });

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('gwremote'), createTestKafka('gwremote')]);
    await migrateApp('ocpp-gateway', db.url);
    gw = await startGateway({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      GATEWAY_ID: 'gw-remote',
      OCPP_ALLOW_UNREGISTERED: 'false',
    });
    results = new TopicRecorder(tk.kafka, topicName('ocppCommandResults', tk.prefix));
    publisher = new KafkaPublisher(tk.kafka);
    await Promise.all([results.start(), publisher.connect()]);
  });

  afterAll(async () => {
    for (const c of clients) c.terminate();
    await Promise.all([results?.stop(), publisher?.disconnect()]);
    await gw?.stop();
    await db?.drop();
  });

  it('accepts the idTag of a RemoteStartTransaction it sent, for that charger only', async () => {
    const charger = await connect('CP-R1');
    const other = await connect('CP-R2');
    const tag = 'R' + randomUUID().replace(/-/g, '').slice(0, 19);
    // Before the command the tag is unknown, as any stranger's.
    expect(await charger.confirm('Authorize', { idTag: tag })).toEqual({ idTagInfo: { status: 'Invalid' } });

    expect(await remoteStart('CP-R1', tag)).toMatchObject({
      outcome: 'Result',
      payload: { status: 'Accepted' },
    });
    expect(await charger.confirm('Authorize', { idTag: tag })).toEqual({ idTagInfo: { status: 'Accepted' } });
    const started = await charger.confirm('StartTransaction', {
      connectorId: 1,
      idTag: tag,
      meterStart: 1000,
      timestamp: new Date().toISOString(),
    });
    expect(started).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    expect(typeof started.transactionId).toBe('number');
    const stopped = await charger.confirm('StopTransaction', {
      transactionId: started.transactionId,
      idTag: tag,
      meterStop: 2000,
      timestamp: new Date().toISOString(),
    });
    expect(stopped).toEqual({ idTagInfo: { status: 'Accepted' } });

    // Another charger, and another tag on this charger, get nothing from the grant.
    expect(await other.confirm('Authorize', { idTag: tag })).toEqual({ idTagInfo: { status: 'Invalid' } });
    expect(await charger.confirm('Authorize', { idTag: 'R-NOT-GRANTED' })).toEqual({
      idTagInfo: { status: 'Invalid' },
    });
  });

  it('keeps a fleet tag that is Blocked blocked, even when a remote start used it', async () => {
    const charger = await connect('CP-R3');
    await gw.gateway.chargers.upsertIdTag('fleet-r', 'BLOCKED1', {
      status: 'Blocked',
      expiryDate: null,
      parentIdTag: null,
    });
    expect(await remoteStart('CP-R3', 'BLOCKED1')).toMatchObject({ outcome: 'Result' });
    expect(await charger.confirm('Authorize', { idTag: 'BLOCKED1' })).toEqual({
      idTagInfo: { status: 'Blocked' },
    });
  });

  it('stops honouring the grant once it expired', async () => {
    const charger = await connect('CP-R4');
    await gw.gateway.chargers.grantRemoteStartIdTag('CP-R4', 'R-EXPIRED', new Date(Date.now() - 1000));
    expect(await charger.confirm('Authorize', { idTag: 'R-EXPIRED' })).toEqual({
      idTagInfo: { status: 'Invalid' },
    });
    await gw.gateway.chargers.grantRemoteStartIdTag('CP-R4', 'R-FRESH', new Date(Date.now() + 60_000));
    expect(await charger.confirm('Authorize', { idTag: 'R-FRESH' })).toEqual({
      idTagInfo: { status: 'Accepted' },
    });
  });
});
