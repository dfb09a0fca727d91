import { Partitioners, type Producer } from 'kafkajs';
import { Client } from 'pg';
import {
  CHARGER_REGISTRY_SCHEMAS,
  chargerRegistryKey,
  idTagRegistryKey,
  makeEnvelope,
  topicName,
  type ChargerConnected,
  type ChargerDisconnected,
  type ChargerRegistration,
  type ChargerRegistryApplied,
  type Envelope,
  type IdTagRegistration,
} from '@app/contracts';
import { createEnvelopeValidator } from '@app/contracts/schemas';
import { hashChargerPassword } from '@app/ocpp/charger-password';
import {
  createTestDatabase,
  createTestKafka,
  migrateApp,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { HandshakeRefusedError, OcppClient } from '@app/testing/simulator';
import { startGateway, TopicRecorder, type RunningGateway } from './harness';

/**
 * The registry topic on the real broker and Postgres, with two gateway replicas sharing one
 * database: records produced to `chargers.registry.v1` (as session-service's outbox does) become
 * the chargers and id tags the handshakes and Authorize see on every replica; the replica holding a
 * charger's connection closes it when its password changes or it is deactivated.
 */
describe('ocpp-gateway registry consumer (real Kafka + Postgres, two replicas)', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let gwA: RunningGateway;
  let gwB: RunningGateway;
  let events: TopicRecorder;
  let producer: Producer;
  let pg: Client;
  const clients: OcppClient[] = [];
  const FLEET = 'fleet-reg';
  const P1 = 'registry-password-one';
  const P2 = 'registry-password-two';
  let hash1: string;
  let hash2: string;

  const connect = async (gw: RunningGateway, chargePointId: string, password: string) => {
    const c = await OcppClient.connect({ url: gw.url, chargePointId, password, callTimeoutMs: 10000 });
    clients.push(c);
    return c;
  };
  const refused = (gw: RunningGateway, chargePointId: string, password: string) =>
    expect(connect(gw, chargePointId, password)).rejects.toEqual(new HandshakeRefusedError(401));

  const charger = (
    chargePointId: string,
    version: number,
    fields: Partial<ChargerRegistration> = {},
  ): ChargerRegistration => ({
    chargePointId,
    fleetId: FLEET,
    passwordHash: hash1,
    evseIds: {},
    active: true,
    version,
    updatedAt: new Date().toISOString(),
    updatedBy: 'test',
    ...fields,
  });
  const idTag = (
    tag: string,
    version: number,
    fields: Partial<IdTagRegistration> = {},
  ): IdTagRegistration => ({
    fleetId: FLEET,
    idTag: tag,
    status: 'Accepted',
    expiryDate: null,
    parentIdTag: null,
    deleted: false,
    version,
    updatedAt: new Date().toISOString(),
    updatedBy: 'test',
    ...fields,
  });

  const produce = async (
    ...records: Array<ChargerRegistration | IdTagRegistration | { raw: string; key: string }>
  ) => {
    await producer.send({
      topic: topicName('chargerRegistry', tk.prefix),
      acks: -1,
      messages: records.map((r) => {
        if ('raw' in r) return { key: r.key, value: r.raw };
        const isCharger = 'chargePointId' in r;
        const key = isCharger ? chargerRegistryKey(r.chargePointId) : idTagRegistryKey(r.fleetId, r.idTag);
        const envelope = isCharger
          ? makeEnvelope({
              type: 'ChargerRegistered',
              source: 'session-service',
              subject: key,
              schema: CHARGER_REGISTRY_SCHEMAS.ChargerRegistered,
              data: r,
            })
          : makeEnvelope({
              type: 'IdTagRegistered',
              source: 'session-service',
              subject: key,
              schema: CHARGER_REGISTRY_SCHEMAS.IdTagRegistered,
              data: r,
            });
        return { key, value: JSON.stringify(envelope) };
      }),
    });
  };

  const applied = (chargePointId: string, version: number) =>
    events.waitFor<ChargerRegistryApplied>(
      (e) =>
        e.type === 'ChargerRegistryApplied' &&
        e.data.chargePointId === chargePointId &&
        e.data.version === version,
    );
  const appliedEvents = (chargePointId: string, version?: number) =>
    events.matching<ChargerRegistryApplied>(
      (e) =>
        e.type === 'ChargerRegistryApplied' &&
        e.data.chargePointId === chargePointId &&
        (version === undefined || e.data.version === version),
    );

  /** Waits until the shared database holds the id tag at `version` (id tags announce nothing). */
  const idTagAt = async (tag: string, version: number) => {
    const deadline = Date.now() + 15000;
    for (;;) {
      const { rows } = await pg.query<{ v: string }>(
        `select registry_version::text as v from id_tags where fleet_id = $1 and id_tag = $2`,
        [FLEET, tag],
      );
      if (rows[0] && Number(rows[0].v) >= version) return;
      if (Date.now() > deadline) throw new Error(`id tag ${tag} not at version ${version} within 15 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  /** Waits until both replicas' registry groups committed everything produced so far. */
  const caughtUp = async (gateways = ['gw-reg-a', 'gw-reg-b']) => {
    const admin = tk.kafka.admin();
    await admin.connect();
    try {
      const topic = topicName('chargerRegistry', tk.prefix);
      const ends = await admin.fetchTopicOffsets(topic);
      const deadline = Date.now() + 15000;
      for (const gw of gateways) {
        for (;;) {
          const [committed] = await admin.fetchOffsets({
            groupId: `${tk.prefix}ocpp-gateway-${gw}:registry`,
            topics: [topic],
          });
          const behind = ends.filter((end) => {
            const at = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
            return BigInt(at) < BigInt(end.high);
          });
          if (behind.length === 0) break;
          if (Date.now() > deadline) throw new Error(`${gw} has not read the registry topic to its end`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    [db, tk, hash1, hash2] = await Promise.all([
      createTestDatabase('gwreg'),
      createTestKafka('gwreg'),
      hashChargerPassword(P1),
      hashChargerPassword(P2),
    ]);
    await migrateApp('ocpp-gateway', db.url);
    const env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      OCPP_COMMANDS_ENABLED: 'false',
    };
    [gwA, gwB] = await Promise.all([
      startGateway({ ...env, GATEWAY_ID: 'gw-reg-a' }),
      startGateway({ ...env, GATEWAY_ID: 'gw-reg-b' }),
    ]);
    events = new TopicRecorder(tk.kafka, topicName('ocppEvents', tk.prefix));
    producer = tk.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    pg = new Client({ connectionString: db.url });
    await Promise.all([events.start(), producer.connect(), pg.connect()]);
  });

  afterAll(async () => {
    for (const c of clients) c.terminate();
    await Promise.all([events?.stop(), producer?.disconnect(), pg?.end()]);
    await Promise.all([gwA?.stop(), gwB?.stop()]);
    await db?.drop();
  });

  it('a charger registered only through the topic connects with its password, on every replica', async () => {
    await refused(gwA, 'CP-REG', P1);
    await produce(charger('CP-REG', 10, { evseIds: { '1': 'DE*REG*E1' } }));
    const first = await applied('CP-REG', 10);
    expect(first.data).toMatchObject({ closedConnection: false });
    expect(['gw-reg-a', 'gw-reg-b']).toContain(first.data.gatewayId);
    expect(first.subject).toBe('CP-REG');

    await refused(gwA, 'CP-REG', 'not-the-password-123');
    const onA = await connect(gwA, 'CP-REG', P1);
    const connected = await events.waitFor<ChargerConnected>(
      (e) =>
        e.type === 'ChargerConnected' && e.data.chargePointId === 'CP-REG' && e.data.gatewayId === 'gw-reg-a',
    );
    expect(connected.data).toMatchObject({ fleetId: FLEET, evseIds: { '1': 'DE*REG*E1' } });
    onA.terminate();
    expect((await connect(gwB, 'CP-REG', P1)).isOpen).toBe(true);
  });

  it('a newer version rotates the password: the holder closes the connection (1008), the old one is refused everywhere', async () => {
    // Connected to replica B (from the previous test); whichever replica writes the row, B closes it.
    const held = clients[clients.length - 1];
    expect(held.isOpen).toBe(true);
    await produce(charger('CP-REG', 20, { passwordHash: hash2, evseIds: { '1': 'DE*REG*E1' } }));
    await applied('CP-REG', 20);
    // Refused at once on both replicas: both read the row the first replica wrote.
    await refused(gwA, 'CP-REG', P1);
    await refused(gwB, 'CP-REG', P1);

    const closed = await held.closed;
    expect(closed).toEqual({ code: 1008, reason: 'password-changed' });
    const disconnected = await events.waitFor<ChargerDisconnected>(
      (e) => e.type === 'ChargerDisconnected' && e.data.chargePointId === 'CP-REG' && e.data.code === 1008,
    );
    expect(disconnected.data).toMatchObject({ gatewayId: 'gw-reg-b', reason: 'password-changed' });
    const byHolder = await events.waitFor<ChargerRegistryApplied>(
      (e) =>
        e.type === 'ChargerRegistryApplied' &&
        e.data.chargePointId === 'CP-REG' &&
        e.data.version === 20 &&
        e.data.closedConnection,
    );
    expect(byHolder.data.gatewayId).toBe('gw-reg-b');

    expect((await connect(gwA, 'CP-REG', P2)).isOpen).toBe(true);
  });

  it('an older version is ignored: it neither restores the old password nor closes the connection', async () => {
    const held = clients[clients.length - 1]; // CP-REG on replica A with P2
    expect(held.isOpen).toBe(true);
    // The old record, then a newer one of the same key (same partition, so read after it).
    await produce(
      charger('CP-REG', 15),
      charger('CP-REG', 30, { passwordHash: hash2, evseIds: { '1': 'DE*REG*E2' } }),
    );
    await applied('CP-REG', 30);
    expect(appliedEvents('CP-REG', 15)).toEqual([]);
    await refused(gwA, 'CP-REG', P1);
    await refused(gwB, 'CP-REG', P1);
    expect(held.isOpen).toBe(true);
    // A change that keeps the password (an EVSE id) leaves the connection alone.
    expect(appliedEvents('CP-REG', 30).every((e) => !e.data.closedConnection)).toBe(true);
    const { rows } = await pg.query(
      `select evse_ids, registry_version::text as v from chargers where id = 'CP-REG'`,
    );
    expect(rows[0]).toEqual({ evse_ids: { '1': 'DE*REG*E2' }, v: '30' });
  });

  it('skips a record that is not a valid registry envelope and goes on with the next', async () => {
    await produce(
      { key: chargerRegistryKey('CP-BAD'), raw: 'not json' },
      {
        key: chargerRegistryKey('CP-BAD'),
        raw: JSON.stringify(
          makeEnvelope({
            type: 'ChargerRegistered',
            source: 'session-service',
            subject: chargerRegistryKey('CP-BAD'),
            schema: CHARGER_REGISTRY_SCHEMAS.ChargerRegistered,
            data: { ...charger('CP-BAD', 40), passwordHash: 'plain-text-password' },
          }),
        ),
      },
      charger('CP-BAD', 41, { passwordHash: hash2 }),
    );
    await applied('CP-BAD', 41);
    expect(appliedEvents('CP-BAD', 40)).toEqual([]);
    expect((await connect(gwB, 'CP-BAD', P2)).isOpen).toBe(true);
  });

  it('active:false closes the connection (1008 "deactivated") and refuses every later handshake', async () => {
    const held = clients.find(
      (c) => c.isOpen && c.ws.url.includes(`:${gwA.port}/`) && c.ws.url.endsWith('/CP-REG'),
    )!;
    expect(held).toBeDefined();
    await produce(charger('CP-REG', 50, { passwordHash: hash2, active: false }));
    expect(await held.closed).toEqual({ code: 1008, reason: 'deactivated' });
    const disconnected = await events.waitFor<ChargerDisconnected>(
      (e) =>
        e.type === 'ChargerDisconnected' &&
        e.data.chargePointId === 'CP-REG' &&
        e.data.reason === 'deactivated',
    );
    expect(disconnected.data).toMatchObject({ gatewayId: 'gw-reg-a', code: 1008 });
    await applied('CP-REG', 50);
    await refused(gwA, 'CP-REG', P2);
    await refused(gwB, 'CP-REG', P2);
    const byHolder = await events.waitFor<ChargerRegistryApplied>(
      (e) =>
        e.type === 'ChargerRegistryApplied' &&
        e.data.chargePointId === 'CP-REG' &&
        e.data.version === 50 &&
        e.data.closedConnection,
    );
    expect(byHolder.data.gatewayId).toBe('gw-reg-a');
  });

  it('id tag changes apply at the next Authorize on every replica; a removal is not undone by a replay', async () => {
    await produce(
      charger('CP-TAG-A', 60, { passwordHash: hash1 }),
      charger('CP-TAG-B', 61, { passwordHash: hash1 }),
    );
    await Promise.all([applied('CP-TAG-A', 60), applied('CP-TAG-B', 61)]);
    const [onA, onB] = await Promise.all([connect(gwA, 'CP-TAG-A', P1), connect(gwB, 'CP-TAG-B', P1)]);
    const authorize = async (c: OcppClient, tag: string) =>
      ((await c.confirm('Authorize', { idTag: tag })) as { idTagInfo: { status: string } }).idTagInfo.status;

    expect(await authorize(onA, 'TAG-REG-1')).toBe('Invalid');
    await produce(idTag('TAG-REG-1', 62));
    await idTagAt('TAG-REG-1', 62);
    expect([await authorize(onA, 'TAG-REG-1'), await authorize(onB, 'TAG-REG-1')]).toEqual([
      'Accepted',
      'Accepted',
    ]);

    await produce(idTag('TAG-REG-1', 63, { status: 'Blocked' }));
    await idTagAt('TAG-REG-1', 63);
    expect([await authorize(onA, 'TAG-REG-1'), await authorize(onB, 'TAG-REG-1')]).toEqual([
      'Blocked',
      'Blocked',
    ]);

    await produce(idTag('TAG-REG-1', 64, { status: 'Blocked', deleted: true }));
    await idTagAt('TAG-REG-1', 64);
    expect([await authorize(onA, 'TAG-REG-1'), await authorize(onB, 'TAG-REG-1')]).toEqual([
      'Invalid',
      'Invalid',
    ]);

    // A replica replaying the topic from its beginning meets the Accepted version again: ignored.
    await produce(idTag('TAG-REG-1', 62), idTag('TAG-REG-2', 65, { expiryDate: '2020-01-01T00:00:00.000Z' }));
    await caughtUp();
    expect(await authorize(onB, 'TAG-REG-1')).toBe('Invalid');
    expect(await authorize(onA, 'TAG-REG-2')).toBe('Expired');
    const { rows } = await pg.query(
      `select registry_version::text as v, deleted from id_tags where fleet_id = $1 and id_tag = 'TAG-REG-1'`,
      [FLEET],
    );
    expect(rows[0]).toEqual({ v: '64', deleted: true });
  });

  it('a handshake that read the row just before a change, and finished after it, is refused', async () => {
    await produce(charger('CP-RACE', 70, { passwordHash: hash1 }));
    await applied('CP-RACE', 70);
    expect((await connect(gwA, 'CP-RACE', P1)).isOpen).toBe(true);
    // What replica B's consumer does with a rotation whose row it has not read yet: B's next
    // handshake still reads version 70 from the database, and must not let P1 in.
    const closed = gwB.gateway.server.enforceRegistration(charger('CP-RACE', 71, { passwordHash: hash2 }));
    expect(closed).toBe(false);
    await refused(gwB, 'CP-RACE', P1);
    expect((await connect(gwA, 'CP-RACE', P1)).isOpen).toBe(true);
  });

  it('a new replica reads the topic from its beginning and ends at the newest version of every key', async () => {
    const fresh = await createTestDatabase('gwreg2');
    let gwC: RunningGateway | undefined;
    const other = new Client({ connectionString: fresh.url });
    try {
      await migrateApp('ocpp-gateway', fresh.url);
      gwC = await startGateway({
        DATABASE_URL: fresh.url,
        KAFKA_BROKERS: tk.brokers.join(','),
        KAFKA_TOPIC_PREFIX: tk.prefix,
        OCPP_COMMANDS_ENABLED: 'false',
        GATEWAY_ID: 'gw-reg-c',
      });
      await caughtUp(['gw-reg-c']);
      await other.connect();
      const chargers = await other.query(
        `select id, active, registry_version::text as v, password_hash = $1 as second_password
           from chargers order by id`,
        [hash2],
      );
      expect(chargers.rows).toEqual([
        { id: 'CP-BAD', active: true, v: '41', second_password: true },
        { id: 'CP-RACE', active: true, v: '70', second_password: false },
        { id: 'CP-REG', active: false, v: '50', second_password: true },
        { id: 'CP-TAG-A', active: true, v: '60', second_password: false },
        { id: 'CP-TAG-B', active: true, v: '61', second_password: false },
      ]);
      const tags = await other.query(
        `select id_tag, status, deleted, registry_version::text as v from id_tags order by id_tag`,
      );
      expect(tags.rows).toEqual([
        { id_tag: 'TAG-REG-1', status: 'Blocked', deleted: true, v: '64' },
        { id_tag: 'TAG-REG-2', status: 'Accepted', deleted: false, v: '65' },
      ]);
      await expect(connect(gwC, 'CP-REG', P2)).rejects.toEqual(new HandshakeRefusedError(401));
      expect((await connect(gwC, 'CP-BAD', P2)).isOpen).toBe(true);
    } finally {
      await other.end().catch(() => undefined);
      await gwC?.stop();
      await fresh.drop();
    }
  });

  it('every event on ocpp.v16.events matches the contract schemas', () => {
    const validate = createEnvelopeValidator();
    const registry = events.records.filter((r) => r.envelope.type === 'ChargerRegistryApplied');
    expect(registry.length).toBeGreaterThanOrEqual(6);
    for (const r of registry)
      expect(r.key).toBe((r.envelope as Envelope<ChargerRegistryApplied>).data.chargePointId);
    expect(events.records.flatMap((r) => validate(r.envelope).map((p) => `${r.envelope.type} ${p}`))).toEqual(
      [],
    );
  });
});
