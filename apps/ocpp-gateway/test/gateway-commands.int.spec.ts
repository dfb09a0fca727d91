import { topicName, type OcppCallReceivedOf } from '@app/contracts';
import { createEnvelopeValidator } from '@app/contracts/schemas';
import { KafkaPublisher } from '@app/kafka';
import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { OcppClient, SimulatedCharger } from '@app/testing/simulator';
import { sendCommand, startGateway, TopicRecorder, type RunningGateway, type TestCommand } from './harness';

/**
 * Commands through the topics: `ocpp.v16.commands` → gateway → charger → `ocpp.v16.command-results`,
 * with the dev-stack setting OCPP_ALLOW_UNREGISTERED (chargers join the demo fleet on first connect).
 */
describe('ocpp-gateway commands (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let gw: RunningGateway;
  let events: TopicRecorder;
  let results: TopicRecorder;
  let publisher: KafkaPublisher;
  let sim: SimulatedCharger;
  const extra: OcppClient[] = [];

  const send = (command: TestCommand) => sendCommand(publisher, results, tk.prefix, command);

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase('gwcmd'), createTestKafka('gwcmd')]);
    await migrateApp('ocpp-gateway', db.url);
    gw = await startGateway({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      GATEWAY_ID: 'gw-cmd',
      OCPP_ALLOW_UNREGISTERED: 'true',
      DEMO_FLEET_ID: 'demo',
      OCPP_PING_INTERVAL_S: '1',
    });
    events = new TopicRecorder(tk.kafka, topicName('ocppEvents', tk.prefix));
    results = new TopicRecorder(tk.kafka, topicName('ocppCommandResults', tk.prefix));
    publisher = new KafkaPublisher(tk.kafka);
    await Promise.all([events.start(), results.start(), publisher.connect()]);
    sim = new SimulatedCharger({ url: gw.url, chargePointId: 'CP-REMOTE' });
    await sim.connect();
  });

  afterAll(async () => {
    await sim?.close();
    for (const c of extra) c.terminate();
    await Promise.all([events?.stop(), results?.stop(), publisher?.disconnect()]);
    await gw?.stop();
    await db?.drop();
  });

  it('registers an unknown charger to the demo fleet and accepts any id tag (dev stack)', async () => {
    const connected = await events.waitFor<{ fleetId: string }>(
      (e) => e.type === 'ChargerConnected' && e.subject === 'CP-REMOTE',
    );
    expect(connected.data.fleetId).toBe('demo');
    expect(await sim.client.confirm('Authorize', { idTag: 'ANYTHING' })).toEqual({
      idTagInfo: { status: 'Accepted' },
    });
  });

  it('round-trips a remote start and a remote stop through the topics', async () => {
    const start = await send({
      chargePointId: 'CP-REMOTE',
      action: 'RemoteStartTransaction',
      payload: { connectorId: 1, idTag: 'REMOTE01' },
      sessionId: 'sess-1',
    });
    expect(start).toMatchObject({
      outcome: 'Result',
      payload: { status: 'Accepted' },
      action: 'RemoteStartTransaction',
      sessionId: 'sess-1',
      gatewayId: 'gw-cmd',
    });
    const started = await events.waitFor<OcppCallReceivedOf<'StartTransaction'>>(
      (e) =>
        e.type === 'OcppCallReceived' && e.subject === 'CP-REMOTE' && e.data.action === 'StartTransaction',
    );
    expect(started.data.payload).toMatchObject({ connectorId: 1, idTag: 'REMOTE01' });
    const transactionId = started.data.reply.transactionId;
    await sim.settle();

    const stop = await send({
      chargePointId: 'CP-REMOTE',
      action: 'RemoteStopTransaction',
      payload: { transactionId },
    });
    expect(stop).toMatchObject({ outcome: 'Result', payload: { status: 'Accepted' } });
    const stopped = await events.waitFor<OcppCallReceivedOf<'StopTransaction'>>(
      (e) =>
        e.type === 'OcppCallReceived' && e.subject === 'CP-REMOTE' && e.data.action === 'StopTransaction',
    );
    expect(stopped.data.payload).toMatchObject({ transactionId, reason: 'Remote' });
    await sim.settle();
  });

  it('reports the charger rejecting a command as a Result', async () => {
    const r = await send({
      chargePointId: 'CP-REMOTE',
      action: 'RemoteStopTransaction',
      payload: { transactionId: 424242 },
    });
    expect(r).toMatchObject({ outcome: 'Result', payload: { status: 'Rejected' } });
  });

  it('reports Offline for a charger no replica holds', async () => {
    const r = await send({ chargePointId: 'CP-NOWHERE', action: 'Reset', payload: { type: 'Soft' } });
    expect(r).toMatchObject({ outcome: 'Offline', chargePointId: 'CP-NOWHERE' });
  });

  it('reports Timeout when the charger does not answer before the deadline', async () => {
    const mute = await OcppClient.connect({ url: gw.url, chargePointId: 'CP-MUTE' });
    extra.push(mute);
    mute.onCall(() => new Promise(() => undefined));
    const before = Date.now();
    const r = await send({
      chargePointId: 'CP-MUTE',
      action: 'UnlockConnector',
      payload: { connectorId: 1 },
      deadlineMs: 1500,
    });
    expect(r.outcome).toBe('Timeout');
    expect(Date.now() - before).toBeGreaterThanOrEqual(1400);
  });

  it("reports the charger's CALLERROR as an Error", async () => {
    const grumpy = await OcppClient.connect({ url: gw.url, chargePointId: 'CP-GRUMPY' });
    extra.push(grumpy);
    grumpy.onCall(() => {
      throw new Error('no');
    });
    const r = await send({ chargePointId: 'CP-GRUMPY', action: 'GetConfiguration', payload: {} });
    expect(r).toMatchObject({ outcome: 'Error', error: { code: 'InternalError', description: 'no' } });
  });

  it('does not send a command whose payload breaks the schema, and says why', async () => {
    const r = await send({
      chargePointId: 'CP-REMOTE',
      action: 'RemoteStartTransaction',
      payload: { connectorId: 1 },
    });
    expect(r).toMatchObject({ outcome: 'Error', error: { code: 'OccurenceConstraintViolation' } });
  });

  it('drops a charger that stops answering pings, and reports it', async () => {
    const dead = await OcppClient.connect({ url: gw.url, chargePointId: 'CP-DEAD', autoPong: false });
    extra.push(dead);
    const closed = await dead.closed;
    expect(closed.code).toBe(1006);
    const d = await events.waitFor<{ reason: string }>(
      (e) => e.type === 'ChargerDisconnected' && e.subject === 'CP-DEAD',
    );
    expect(d.data.reason).toBe('ping-timeout');
    expect(sim.client.isOpen).toBe(true);
  });

  it('every command result and event matches the contract schemas', () => {
    const validate = createEnvelopeValidator();
    const all = [...results.records, ...events.records];
    expect(results.records.length).toBeGreaterThanOrEqual(6);
    expect(all.flatMap((r) => validate(r.envelope).map((p) => `${r.envelope.type} ${p}`))).toEqual([]);
  });
});
