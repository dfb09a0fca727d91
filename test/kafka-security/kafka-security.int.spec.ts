/**
 * The three apps against a broker that is closed as production clusters are (SASL_SSL only,
 * StandardAuthorizer, nothing allowed without an ACL), each app with its own user and exactly the
 * ACLs of kafkaAclsFor (which the Strimzi KafkaUsers mirror): a charging session goes through
 * gateway → session-service → billing-service, and whatever is outside a user's ACLs, or comes
 * without credentials, is refused by the broker.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Client } from 'pg';
import type { Kafka } from 'kafkajs';
import { provisionApiKeys } from '@app/auth/testing';
import {
  DEV_TOPIC_SETTINGS,
  KAFKA_APPS,
  allTopicSpecs,
  kafkaAclsFor,
  makeEnvelope,
  parseEnvelope,
  topicName,
  type KafkaApp,
} from '@app/contracts';
import { createKafka, ensureTopics, kafkaReachable, type KafkaSecurity } from '@app/kafka';
import {
  APPS,
  createTestDatabase,
  freePort,
  migrateApp,
  startAppProcess,
  uniqueSuffix,
  type AppProcess,
  type TestDatabase,
} from '@app/testing';
import { startSecureBroker, type SecureBroker } from '@app/testing/stack/secure-broker';
import { SimulatedCharger, sleep } from '@app/testing/simulator';

jest.setTimeout(240_000);

// One mechanism per app, so every one the apps support is exercised.
const MECHANISM = {
  'ocpp-gateway': 'scram-sha-512',
  'session-service': 'scram-sha-256',
  'billing-service': 'plain',
} as const;

describe('Kafka security: one SASL_SSL user per app with least-privilege ACLs', () => {
  let broker: SecureBroker;
  const prefix = `sec-${uniqueSuffix()}.`;
  const procs: AppProcess[] = [];
  const dbs: Record<string, TestDatabase> = {};
  const client = (security: KafkaSecurity | undefined, clientId = 'security-test') =>
    createKafka({ brokers: broker.brokers, clientId, security, log: () => undefined });
  const proc = (name: KafkaApp) => procs.find((p) => p.name === name)!;

  /** Produces one record as the given client; resolves with the error message, or 'ok'. */
  async function tryProduce(kafka: Kafka, topic: string): Promise<string> {
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    try {
      await producer.connect();
      const envelope = makeEnvelope({
        type: 'SecurityProbe',
        source: 'test',
        subject: 'x',
        schema: 'probe/v1',
        data: {},
      });
      await producer.send({ topic, acks: -1, messages: [{ key: 'x', value: JSON.stringify(envelope) }] });
      return 'ok';
    } catch (e) {
      return String((e as Error).message);
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  }

  beforeAll(async () => {
    broker = await startSecureBroker({
      users: [...KAFKA_APPS.map((name) => ({ name, mechanism: MECHANISM[name] })), { name: 'no-acls' }],
    });
    await ensureTopics(broker.admin, allTopicSpecs(prefix, DEV_TOPIC_SETTINGS));
    for (const app of KAFKA_APPS) await broker.grant(app, kafkaAclsFor(app, prefix));

    for (const app of APPS) {
      dbs[app.name] = await createTestDatabase(`sec_${app.database}`);
      await migrateApp(app.name, dbs[app.name].url);
    }
    // The credentials database every app opens; this test calls no HTTP API, so it holds no keys.
    dbs.access = await createTestDatabase('sec_access');
    await provisionApiKeys(dbs.access.url, []);
    const started = await Promise.allSettled(
      APPS.map(async (app) =>
        startAppProcess(
          app.name,
          {
            PORT: String(await freePort()),
            DATABASE_URL: dbs[app.name].url,
            AUTH_DATABASE_URL: dbs.access.url,
            KAFKA_TOPIC_PREFIX: prefix,
            OCPP_ALLOW_UNREGISTERED: 'true',
            ...broker.envFor(app.name),
          },
          { readyTimeoutMs: 120_000 },
        ),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }, 240_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(Object.values(dbs).map((d) => d.drop()));
    await broker?.stop();
  }, 60_000);

  // OCPP 2.0.1 records travel on their own topics (ocpp.v201.*): the same ACL split must carry them.
  it.each(['ocpp1.6', 'ocpp2.0.1'] as const)(
    'runs a charging session (%s) through gateway, session-service and billing-service, each as its own user',
    async (protocol) => {
      const chargePointId = `SEC-${randomBytes(3).toString('hex').toUpperCase()}`;
      const charger = new SimulatedCharger({
        url: `ws://127.0.0.1:${proc('ocpp-gateway').port}/ocpp`,
        chargePointId,
        powerW: 7_200_000,
        protocol,
      });
      let transactionId: number;
      try {
        // Every confirm() needs a CALLRESULT: the gateway got each record acknowledged by the broker.
        await charger.connect();
        expect(charger.protocol).toBe(protocol);
        transactionId = await charger.startTransaction(1, 'SECTAG01');
        await sleep(500);
        await charger.sendMeterValues(1);
        await charger.stopTransaction(1, 'Local');
      } finally {
        await charger.close();
      }

      // session-service read the gateway's events and published the completed session (its outbox).
      const completed = await readUntil(broker.admin, topicName('chargingSessions', prefix), 60_000, (env) =>
        env.type === 'SessionCompleted' &&
        (env.data as { chargePointId?: string }).chargePointId === chargePointId
          ? env
          : null,
      );
      expect(completed.data).toMatchObject({ chargePointId, transactionId: transactionId! });
      // A 2.0.1 transaction: the number above the 1.6 range, the station's own id beside it.
      if (protocol === 'ocpp2.0.1') {
        expect(transactionId!).toBeGreaterThanOrEqual(2 ** 31);
        expect(typeof (completed.data as { chargerTransactionId?: unknown }).chargerTransactionId).toBe(
          'string',
        );
      }

      // billing-service read it with its user and group: no tariff is assigned, so it is an anomaly.
      const billingDb = new Client({ connectionString: dbs['billing-service'].url });
      await billingDb.connect();
      try {
        const deadline = Date.now() + 60_000;
        let rows: { kind: string; session_id: string }[] = [];
        while (rows.length === 0 && Date.now() < deadline) {
          rows = (
            await billingDb.query('select kind, session_id from anomalies where charge_point_id = $1', [
              chargePointId,
            ])
          ).rows;
          if (rows.length === 0) await sleep(300);
        }
        expect(rows).toEqual([
          { kind: 'MISSING_TARIFF', session_id: (completed.data as { sessionId: string }).sessionId },
        ]);
      } finally {
        await billingDb.end();
      }
      for (const p of procs)
        expect({ app: p.name, ready: (await fetch(`${p.baseUrl}/health/ready`)).status }).toEqual({
          app: p.name,
          ready: 200,
        });
    },
  );

  it('refuses a client without credentials, without TLS, or with a wrong password', async () => {
    // PLAINTEXT to the SASL_SSL port: the TLS handshake never completes.
    expect(await kafkaReachable(client(undefined), 3000)).toBe(false);
    // TLS but no SASL: the broker waits for a SASL handshake that never comes, then drops it.
    expect(await kafkaReachable(client({ ssl: broker.securityFor('ocpp-gateway').ssl }), 3000)).toBe(false);
    const wrong = broker.securityFor('ocpp-gateway');
    wrong.sasl!.password = 'not-the-password';
    expect(await tryProduce(client(wrong), topicName('ocppEvents', prefix))).toMatch(/SASL|authentication/i);
    // The CA is checked: without it, the self-made broker certificate is rejected.
    const noCa = broker.securityFor('ocpp-gateway');
    delete noCa.ssl!.ca;
    expect(await kafkaReachable(client(noCa), 3000)).toBe(false);
    // ...and with it, the same user gets in, with or without a client certificate (mutual TLS).
    expect(await kafkaReachable(client(broker.securityFor('ocpp-gateway')), 5000)).toBe(true);
    const mtls = broker.securityFor('ocpp-gateway');
    mtls.ssl = {
      ...mtls.ssl!,
      cert: fs.readFileSync(broker.files.clientCert, 'utf8'),
      key: fs.readFileSync(broker.files.clientKey, 'utf8'),
    };
    expect(await tryProduce(client(mtls), topicName('ocppEvents', prefix))).toBe('ok');
  });

  it('lets each app user write only its own topics', async () => {
    const as = (user: string) => client(broker.securityFor(user), `as-${user}`);
    const denied = /not authorized|authorization failed/i;
    const gateway = as('ocpp-gateway');
    expect(await tryProduce(gateway, topicName('ocppEvents', prefix))).toBe('ok');
    expect(await tryProduce(gateway, topicName('ocppCommands', prefix))).toMatch(denied);
    expect(await tryProduce(gateway, topicName('chargingSessions', prefix))).toMatch(denied);
    // OCPP 2.0.1 has its own topics with the same split: the gateway writes events and results.
    expect(await tryProduce(gateway, topicName('ocppV201Events', prefix))).toBe('ok');
    expect(await tryProduce(gateway, topicName('ocppV201CommandResults', prefix))).toBe('ok');
    expect(await tryProduce(gateway, topicName('ocppV201Commands', prefix))).toMatch(denied);
    const sessions = as('session-service');
    expect(await tryProduce(sessions, topicName('ocppCommands', prefix))).toBe('ok');
    expect(await tryProduce(sessions, topicName('ocppV201Commands', prefix))).toBe('ok');
    expect(await tryProduce(sessions, topicName('ocppEvents', prefix))).toMatch(denied);
    expect(await tryProduce(sessions, topicName('ocppV201Events', prefix))).toMatch(denied);
    expect(await tryProduce(sessions, topicName('sessionCharges', prefix))).toMatch(denied);
    const billing = as('billing-service');
    expect(await tryProduce(billing, topicName('sessionCharges', prefix))).toBe('ok');
    expect(await tryProduce(billing, topicName('ocppCommands', prefix))).toMatch(denied);
    expect(await tryProduce(billing, topicName('ocppV201Commands', prefix))).toMatch(denied);
    // A valid user with no ACLs at all gets nothing.
    expect(await tryProduce(as('no-acls'), topicName('ocppEvents', prefix))).toMatch(denied);
  });

  it('keeps each app user to its own consumer groups and the topics it consumes', async () => {
    const gateway = client(broker.securityFor('ocpp-gateway'), 'as-gateway-reader');
    // The gateway may not read the sessions topic, even in a group name it owns...
    expect(
      await tryConsume(gateway, `${prefix}ocpp-gateway-probe`, topicName('chargingSessions', prefix)),
    ).toMatch(/not authorized|authorization/i);
    // ...nor use billing's group for a topic it does read (kafkajs only says it found no coordinator;
    // the broker's authorizer log says why).
    const billingGroup = `${prefix}billing-service.sessions`;
    expect(await tryConsume(gateway, billingGroup, topicName('ocppCommands', prefix))).not.toBe('ok');
    expect(broker.denials('ocpp-gateway')).toContain(`DESCRIBE Group:LITERAL:${billingGroup}`);
    expect(broker.denials('ocpp-gateway').filter((d) => d.includes('ocpp-gateway-probe'))).toEqual([]);
    // With its own group and its own topic it joins.
    expect(await tryConsume(gateway, `${prefix}ocpp-gateway-probe`, topicName('ocppCommands', prefix))).toBe(
      'ok',
    );
    expect(
      await tryConsume(gateway, `${prefix}ocpp-gateway-probe-201`, topicName('ocppV201Commands', prefix)),
    ).toBe('ok');
    // Billing reads no OCPP topic of either protocol.
    const billing = client(broker.securityFor('billing-service'), 'as-billing-reader');
    expect(
      await tryConsume(billing, `${prefix}billing-service.probe`, topicName('ocppV201Events', prefix)),
    ).toMatch(/not authorized|authorization/i);
  });

  it('an app with an unreadable password file stops at start with one line naming the variable', async () => {
    const env = {
      ...broker.envFor('session-service'),
      KAFKA_SASL_PASSWORD_FILE: '/nonexistent/kafka-password',
    };
    const app = await startAppProcess(
      'session-service',
      { DATABASE_URL: dbs['session-service'].url, AUTH_DATABASE_URL: dbs.access.url, ...env },
      { waitReady: false },
    );
    const code = await new Promise<number | null>((resolve) => {
      if (app.child.exitCode !== null) resolve(app.child.exitCode);
      else app.child.once('exit', (c) => resolve(c));
    });
    expect(code).toBe(1);
    expect(app.output().trim()).toBe(
      'invalid configuration: KAFKA_SASL_PASSWORD_FILE names a file that cannot be read (/nonexistent/kafka-password: ENOENT)',
    );
  });

  it('an app started without credentials does not get ready', async () => {
    const db = await createTestDatabase('sec_gw_anon');
    try {
      await migrateApp('ocpp-gateway', db.url);
      const anonymous = await startAppProcess(
        'ocpp-gateway',
        {
          DATABASE_URL: db.url,
          AUTH_DATABASE_URL: dbs.access.url,
          KAFKA_BROKERS: broker.brokers.join(','),
          KAFKA_TOPIC_PREFIX: prefix,
          OCPP_ALLOW_UNREGISTERED: 'true',
        },
        { waitReady: false },
      );
      try {
        // Longer than a start may take (3 s); readiness must never say 200.
        const until = Date.now() + 8_000;
        let statuses = new Set<number>();
        while (Date.now() < until) {
          const status = await fetch(`${anonymous.baseUrl}/health/ready`).then(
            (r) => r.status,
            () => 0,
          );
          statuses.add(status);
          await sleep(500);
        }
        statuses = new Set([...statuses].filter((s) => s !== 0));
        // It listens, and readiness answers 503 (no broker lets it in), never 200.
        expect([...statuses]).toContain(503);
        expect([...statuses]).not.toContain(200);
      } finally {
        await anonymous.kill();
      }
    } finally {
      await db.drop();
    }
  });
});

/** Joins `groupId` on `topic`; 'ok' once a partition is assigned, else the error message. */
async function tryConsume(kafka: Kafka, groupId: string, topic: string): Promise<string> {
  const consumer = kafka.consumer({ groupId, retry: { retries: 0 } });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('no assignment within 20 s'), 20_000);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve('ok');
      });
      consumer.on(consumer.events.CRASH, (e) => {
        clearTimeout(timer);
        const err = e.payload.error as Error & { originalError?: Error; cause?: Error; type?: string };
        resolve(
          [
            err.message,
            err.originalError?.message,
            err.cause?.message,
            err.name,
            err.type,
            (err.originalError as { type?: string })?.type,
          ]
            .filter(Boolean)
            .join(' / '),
        );
      });
      consumer.run({ eachMessage: async () => undefined }).catch((e: Error & { originalError?: Error }) => {
        clearTimeout(timer);
        resolve([e.message, e.originalError?.message, e.name].filter(Boolean).join(' / '));
      });
    });
  } catch (e) {
    const err = e as Error & { originalError?: Error; cause?: Error };
    return [
      err.message,
      err.originalError?.message,
      err.cause?.message,
      err.name,
      (err.originalError as { type?: string })?.type,
    ]
      .filter(Boolean)
      .join(' / ');
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** Reads `topic` from the beginning (as the super user) until `match` returns a value. */
async function readUntil<T>(
  kafka: Kafka,
  topic: string,
  timeoutMs: number,
  match: (env: ReturnType<typeof parseEnvelope>) => T | null,
): Promise<T> {
  const consumer = kafka.consumer({ groupId: `sec-reader-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`nothing matched on ${topic} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (!message.value) return;
          const found = match(parseEnvelope(message.value));
          if (found !== null) {
            clearTimeout(timer);
            resolve(found);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}
