/**
 * Issue 10, audit: a command sent to a charger on someone's request names its actor in the audit
 * log, and no command leaves unrecorded. The real session runtime (Postgres, Kafka) through the
 * integration harness; its credentials tables (audit log) live in the test database.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { parseEnvelope, topicName, type Envelope, type OcppCommand } from '@app/contracts';
import { createTestDatabase, type TestDatabase, type TestKafka } from '@app/testing';
import { startHarness, type Harness } from '../../apps/session-service/src/testing/harness';
import { GatewayRecords } from '../../apps/session-service/src/testing/gateway-records';
import { PostgresCommandAudit } from '../../apps/session-service/src/infrastructure/command-audit';

/** Every record of `topic` within `ms` (from the beginning). */
async function recordsOf(t: TestKafka, topic: string, ms: number): Promise<OcppCommand[]> {
  const consumer = t.kafka.consumer({ groupId: `audit-read-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: OcppCommand[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => void got.push(parseEnvelope(message.value).data as OcppCommand),
  });
  await new Promise((r) => setTimeout(r, ms));
  await consumer.disconnect();
  return got;
}

/** The first published charging.sessions.v1 event of `type` for `sessionId` (the relay publishes after commit). */
async function publishedEvent(t: TestKafka, sessionId: string, type: string, ms = 15_000): Promise<Envelope> {
  const consumer = t.kafka.consumer({ groupId: `audit-events-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName('chargingSessions', t.prefix), fromBeginning: true });
  try {
    return await new Promise<Envelope>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} of ${sessionId} within ${ms} ms`)), ms);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const e = parseEnvelope(message.value);
          if (e.type === type && e.subject === sessionId) {
            clearTimeout(timer);
            resolve(e);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

/** A LOCAL session ACTIVE on `chargePointId` (StartTransaction through ocpp.v16.events); its id. */
async function activeSession(h: Harness, chargePointId: string, transactionId: number): Promise<string> {
  const g = new GatewayRecords(chargePointId, 'fleet-aud');
  await h.produce(topicName('ocppEvents', h.tk.prefix), [
    g.connected(),
    g.startTransaction(1, transactionId, 1000, new Date()),
  ]);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await h.runtime.pool.query<{ session_id: string }>(
      `select session_id from sessions where charge_point_id = $1 and status = 'ACTIVE'`,
      [chargePointId],
    );
    if (rows[0]) return rows[0].session_id;
    if (Date.now() > deadline) throw new Error(`no ACTIVE session on ${chargePointId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('audit: commands sent to chargers (session runtime, real Kafka + Postgres)', () => {
  let h: Harness;
  let db: Client;

  beforeAll(async () => {
    h = await startHarness('sec_audit_cmd');
    db = new Client({ connectionString: h.db.url });
    await db.connect();
    await db.query(
      `insert into chargers (charge_point_id, fleet_id, last_seen_at) values ('CP-AUD-1', 'fleet-aud', now())`,
    );
  });
  afterAll(async () => {
    await db?.end();
    await h?.close();
  });

  it('a remote start records the key that asked, the charger and the command, before the command is sent', async () => {
    const actor = { kind: 'api_key' as const, id: randomUUID() };
    const { session } = await h.runtime.startSession.execute({
      fleetId: 'fleet-aud',
      evse: 'CP-AUD-1*1',
      userReference: null,
      idempotencyKey: null,
      actor,
    });
    const { rows } = await db.query(
      `select actor_kind, actor_id, action, target_type, target_id, service, details from auth_audit_log
       where details->>'session_id' = $1`,
      [session.sessionId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_kind: 'api_key',
      actor_id: actor.id,
      action: 'charger.command_sent',
      target_type: 'charger',
      target_id: 'CP-AUD-1',
      service: 'session-service',
      details: { command: 'RemoteStartTransaction', fleet_id: 'fleet-aud' },
    });
    const sent = await recordsOf(h.tk, topicName('ocppCommands', h.tk.prefix), 3000);
    expect(sent.map((c) => c.commandId)).toContain(rows[0].details.command_id);
    // The event the start publishes names who asked, too.
    const requested = await publishedEvent(h.tk, session.sessionId, 'SessionRequested');
    expect(requested.data).toMatchObject({ sessionId: session.sessionId, actor });
  });

  it('a remote stop records the key that asked before RemoteStopTransaction is sent', async () => {
    const sessionId = await activeSession(h, 'CP-AUD-3', 301);
    const actor = { kind: 'jwt' as const, id: 'oidc|operator-7' };
    // Nobody answers for the charger: the stop times out, but the command was sent and recorded.
    await expect(h.runtime.stopSession.execute('fleet-aud', sessionId, actor)).rejects.toMatchObject({
      code: 'CHARGER_TIMEOUT',
    });
    const { rows } = await db.query(
      `select actor_kind, actor_id, target_id, details from auth_audit_log where details->>'session_id' = $1`,
      [sessionId],
    );
    expect(rows).toEqual([
      {
        actor_kind: 'jwt',
        actor_id: 'oidc|operator-7',
        target_id: 'CP-AUD-3',
        details: expect.objectContaining({ command: 'RemoteStopTransaction', fleet_id: 'fleet-aud' }),
      },
    ]);
    const sent = await recordsOf(h.tk, topicName('ocppCommands', h.tk.prefix), 3000);
    expect(sent.filter((c) => c.action === 'RemoteStopTransaction').map((c) => c.commandId)).toEqual([
      rows[0].details.command_id,
    ]);
    const stopRequested = await publishedEvent(h.tk, sessionId, 'SessionStopRequested');
    expect(stopRequested.data).toMatchObject({ sessionId, requestedBy: 'API', actor });
  });

  it("the service's own max_charging_time stop is recorded with the system as its actor", async () => {
    await h.runtime.chargerStore.saveTariff(h.runtime.pool, {
      tariffId: 'tariff-aud-1min',
      name: 'one minute',
      versions: [
        {
          version: 1,
          effective_from: '2020-01-01T00:00:00Z',
          tariff: {
            tariff_id: 'tariff-aud-1min',
            version: 1,
            kwh_price: '0.50',
            session_price: '0',
            time_tariffs: [],
            vat: '0.19',
            currency: 'EUR',
            max_charging_time: 1,
          },
        },
      ],
      assignments: [{ scope: 'CHARGE_POINT', ref: 'CP-AUD-5' }],
      publishedAt: new Date().toISOString(),
    });
    const sessionId = await activeSession(h, 'CP-AUD-5', 501);
    await h.runtime.runTimers.runOnce(new Date(Date.now() + 3 * 60_000));
    const { rows } = await db.query(
      `select actor_kind, actor_id, details from auth_audit_log where details->>'session_id' = $1`,
      [sessionId],
    );
    expect(rows).toEqual([
      {
        actor_kind: 'system',
        actor_id: 'session-service',
        details: expect.objectContaining({ command: 'RemoteStopTransaction', reason: 'MAX_CHARGING_TIME' }),
      },
    ]);
    const sent = await recordsOf(h.tk, topicName('ocppCommands', h.tk.prefix), 3000);
    expect(sent.filter((c) => c.sessionId === sessionId).map((c) => [c.action, c.commandId])).toEqual([
      ['RemoteStopTransaction', rows[0].details.command_id],
    ]);
    const stopRequested = await publishedEvent(h.tk, sessionId, 'SessionStopRequested');
    expect(stopRequested.data).toMatchObject({
      requestedBy: 'MAX_CHARGING_TIME',
      actor: { kind: 'system', id: 'session-service' },
    });
  });

  it('sends no command when the audit log cannot be written', async () => {
    // A database without the audit table: every entry fails, as when the credentials database is down.
    const noAudit: TestDatabase = await createTestDatabase('sec_audit_none');
    const broken = new Client({ connectionString: noAudit.url });
    await broken.connect();
    const h2 = await startHarness('sec_audit_cmd2', { commandAudit: new PostgresCommandAudit(broken) });
    try {
      await h2.runtime.pool.query(
        `insert into chargers (charge_point_id, fleet_id, last_seen_at) values ('CP-AUD-2', 'fleet-aud', now())`,
      );
      await expect(
        h2.runtime.startSession.execute({
          fleetId: 'fleet-aud',
          evse: 'CP-AUD-2*1',
          userReference: null,
          idempotencyKey: null,
          actor: { kind: 'api_key', id: randomUUID() },
        }),
      ).rejects.toThrow(/auth_audit_log/);
      const sessionId = await activeSession(h2, 'CP-AUD-4', 401);
      await expect(
        h2.runtime.stopSession.execute('fleet-aud', sessionId, { kind: 'api_key', id: randomUUID() }),
      ).rejects.toMatchObject({ status: 503, code: 'AUDIT_UNAVAILABLE' });
      expect(await recordsOf(h2.tk, topicName('ocppCommands', h2.tk.prefix), 3000)).toEqual([]);
      const { rows } = await h2.runtime.pool.query(`select outcome from commands where session_id = $1`, [
        sessionId,
      ]);
      expect(rows).toEqual([{ outcome: 'NotSent' }]);
    } finally {
      await h2.close();
      await broken.end();
      await noAudit.drop();
    }
  });
});
