/**
 * Issue 10, audit: every change names who made it, in the audit log, in the stored row and in the
 * event it publishes; the log cannot be edited; only admins read it. Against the real
 * billing-service (Nest app, Postgres, Kafka) with real API keys in its credentials database.
 * On the main of before issue 10 every test here fails: no credential was asked for, nothing
 * recorded an actor, and GET /v1/audit did not exist.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  makeEnvelope,
  parseEnvelope,
  SESSION_EVENT_SCHEMAS,
  topicName,
  type ChargeCalculated,
  type SessionCompleted,
  type TariffPublished,
} from '@app/contracts';
import { createEnvelopeValidator } from '@app/contracts/schemas';
import { KafkaPublisher } from '@app/kafka';
import { ApiKeyStore, hashApiKey } from '@app/auth';
import { provisionApiKeys } from '@app/auth/testing';
import {
  readTopicUntil,
  startBilling,
  waitFor,
  type RunningBilling,
} from '../../apps/billing-service/test/billing-app';
import { TARIFF_D } from '@app/testing/fixtures';

const KEYS = {
  finance: { key: 'sk_test_audit_finance_0123456789', name: 'audit finance', roles: ['finance' as const] },
  operator: {
    key: 'sk_test_audit_operator_0123456789',
    name: 'audit operator',
    roles: ['operator' as const],
  },
  admin: { key: 'sk_test_audit_admin_0123456789', name: 'audit admin', roles: ['admin' as const] },
  fleetA: {
    key: 'sk_test_audit_fleet_a_0123456789',
    name: 'fleet a',
    roles: ['fleet' as const],
    fleet: 'fleet-a',
  },
  fleetB: {
    key: 'sk_test_audit_fleet_b_0123456789',
    name: 'fleet b',
    roles: ['fleet' as const],
    fleet: 'fleet-b',
  },
};
type Who = keyof typeof KEYS;

const TARIFF = TARIFF_D;

function completed(fleetId: string): SessionCompleted {
  return {
    sessionId: randomUUID(),
    fleetId,
    chargePointId: 'CP-AUDIT',
    connectorId: 1,
    evse: 'CP-AUDIT*1',
    transactionId: 7,
    authType: 'REMOTE',
    userReference: null,
    idTag: 'TAG-AUDIT',
    tariff: TARIFF,
    meterStartWh: 1000,
    meterStopWh: 9765,
    startedAt: '2026-11-30T10:00:00Z',
    completedAt: '2026-11-30T10:15:00Z',
    stopReason: 'Remote',
    flags: [],
    signedMeterValues: [],
  };
}

describe('audit: who changed what (billing-service, real Kafka + Postgres)', () => {
  let b: RunningBilling;
  let auth: Client;
  let publisher: KafkaPublisher;
  const ids = {} as Record<Who, string>;

  async function call(
    who: Who | null,
    method: string,
    path: string,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${b.url}${path}`, {
      method,
      headers: {
        ...(who ? { 'x-api-key': KEYS[who].key } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function billedSession(fleetId: string): Promise<{ sessionId: string; chargeId: string }> {
    const s = completed(fleetId);
    const env = makeEnvelope({
      type: 'SessionCompleted',
      source: 'session-service',
      subject: s.sessionId,
      schema: SESSION_EVENT_SCHEMAS.SessionCompleted,
      data: s,
    });
    await publisher.publish({
      topic: topicName('chargingSessions', b.kafka.prefix),
      key: s.sessionId,
      value: JSON.stringify(env),
    });
    const chargeId = await waitFor(async () => {
      const res = await call('finance', 'GET', `/v1/charges?session_id=${s.sessionId}`);
      return res.body?.charges?.[0]?.id as string | undefined;
    });
    return { sessionId: s.sessionId, chargeId };
  }

  async function auditRows(targetId: string) {
    const { rows } = await auth.query(
      'select actor_kind, actor_id, action, target_type, target_id, service, details from auth_audit_log where target_id = $1 order by seq',
      [targetId],
    );
    return rows;
  }

  beforeAll(async () => {
    b = await startBilling('sec_audit');
    await provisionApiKeys(b.db.url, Object.values(KEYS));
    auth = new Client({ connectionString: b.db.url });
    await auth.connect();
    const store = new ApiKeyStore(auth);
    for (const who of Object.keys(KEYS) as Who[])
      ids[who] = (await store.findByHash(hashApiKey(KEYS[who].key)))!.id;
    publisher = new KafkaPublisher(b.kafka.kafka);
    await publisher.connect();
  });
  afterAll(async () => {
    await publisher?.disconnect();
    await auth?.end();
    await b?.stop();
  });

  it('a correction and a cancellation name the finance key in the audit log, the stored rows and the published events', async () => {
    const first = await billedSession('fleet-a');
    const corrected = await call('finance', 'POST', `/v1/charges/${first.chargeId}/corrections`, {
      reason: 'meter replaced',
      meter_stop: 5000,
    });
    expect(corrected.status).toBe(201);
    const actor = { kind: 'api_key', id: ids.finance };
    expect(corrected.body.reversal.actor).toEqual(actor);
    expect(corrected.body.charge.actor).toEqual(actor);

    const second = await billedSession('fleet-a');
    const cancelled = await call('finance', 'POST', `/v1/charges/${second.chargeId}/corrections`, {
      reason: 'test session',
      cancel: true,
    });
    expect(cancelled.status).toBe(201);

    // The audit log.
    expect(await auditRows(first.chargeId)).toEqual([
      expect.objectContaining({
        actor_kind: 'api_key',
        actor_id: ids.finance,
        action: 'charge.corrected',
        target_type: 'charge',
        service: 'billing-service',
      }),
    ]);
    const [cancelRow] = await auditRows(second.chargeId);
    expect(cancelRow).toMatchObject({
      actor_kind: 'api_key',
      actor_id: ids.finance,
      action: 'charge.cancelled',
    });
    expect(cancelRow.details).toMatchObject({
      reason: 'test session',
      reversal_id: cancelled.body.reversal.id,
    });

    // The stored rows (GoBD: who booked the reversal).
    const billing = new Client({ connectionString: b.db.url });
    await billing.connect();
    try {
      const { rows } = await billing.query(
        `select charge_id, kind, actor_kind, actor_id from charges where session_id = any($1::uuid[]) order by seq`,
        [[first.sessionId, second.sessionId]],
      );
      const booked = rows.filter((r) => r.charge_id !== first.chargeId && r.charge_id !== second.chargeId);
      expect(booked).toHaveLength(3); // reversal + replacement, and the cancellation's reversal
      for (const r of booked) expect({ kind: r.actor_kind, id: r.actor_id }).toEqual(actor);
      // A session's original charge is booked by billing itself from SessionCompleted: no key involved.
      for (const r of rows.filter((r) => !booked.includes(r))) expect(r.actor_kind).toBeNull();
    } finally {
      await billing.end();
    }

    // The published events.
    const records = await readTopicUntil(
      b.kafka,
      topicName('sessionCharges', b.kafka.prefix),
      (rs) => rs.filter((r) => [first.sessionId, second.sessionId].includes(r.key!.toString())).length >= 5,
    );
    const validate = createEnvelopeValidator();
    const events = records
      .filter((r) => [first.sessionId, second.sessionId].includes(r.key!.toString()))
      .map((r) => parseEnvelope(r.value))
      .map((e) => {
        expect(validate(e)).toEqual([]);
        return e.data as ChargeCalculated;
      });
    const corrections = events.filter((e) => e.kind === 'REVERSAL' || e.replacesChargeId);
    expect(corrections).toHaveLength(3);
    for (const e of corrections) expect(e.actor).toEqual(actor);
  });

  it('a tariff created, versioned, assigned and unassigned names the operator key everywhere', async () => {
    const created = await call('operator', 'POST', '/v1/tariffs', {
      name: 'Audited',
      tariff: TARIFF,
      effective_from: '2026-01-01T00:00:00Z',
    });
    expect(created.status).toBe(201);
    const tariffId = created.body.tariff.id as string;
    const versioned = await call('operator', 'POST', `/v1/tariffs/${tariffId}/versions`, {
      effective_from: '2026-06-01T00:00:00Z',
      tariff: { ...TARIFF, kwh_price: '0.55' },
    });
    expect(versioned.status).toBe(201);
    expect(
      (await call('operator', 'PUT', '/v1/tariff-assignments/CHARGE_POINT/CP-AUDIT', { tariff_id: tariffId }))
        .status,
    ).toBe(200);
    expect((await call('operator', 'DELETE', '/v1/tariff-assignments/CHARGE_POINT/CP-AUDIT')).status).toBe(
      204,
    );

    const actor = { kind: 'api_key', id: ids.operator };
    expect(versioned.body.tariff.versions.map((v: { created_by: unknown }) => v.created_by)).toEqual([
      actor,
      actor,
    ]);
    expect((await auditRows(tariffId)).map((r) => [r.action, r.actor_id])).toEqual([
      ['tariff.created', ids.operator],
      ['tariff.versioned', ids.operator],
    ]);
    expect(
      (await auditRows('CHARGE_POINT/CP-AUDIT')).map((r) => [
        r.action,
        r.actor_id,
        r.details.tariff_id ?? r.details.previous_tariff_id,
      ]),
    ).toEqual([
      ['tariff.assigned', ids.operator, tariffId],
      ['tariff.unassigned', ids.operator, tariffId],
    ]);

    const records = await readTopicUntil(
      b.kafka,
      topicName('tariffs', b.kafka.prefix),
      (rs) => rs.filter((r) => r.key!.toString() === tariffId).length >= 4,
    );
    const published = records
      .filter((r) => r.key!.toString() === tariffId)
      .map((r) => parseEnvelope(r.value).data as TariffPublished);
    for (const p of published) expect(p.publishedBy).toEqual(actor);
    expect(published[published.length - 1].versions.map((v) => v.created_by)).toEqual([actor, actor]);
  });

  it('the audit log refuses UPDATE and DELETE', async () => {
    const { rows } = await auth.query('select id from auth_audit_log limit 1');
    expect(rows).toHaveLength(1);
    await expect(
      auth.query(`update auth_audit_log set actor_id = 'nobody' where id = $1`, [rows[0].id]),
    ).rejects.toThrow(/append-only/);
    await expect(auth.query('delete from auth_audit_log where id = $1', [rows[0].id])).rejects.toThrow(
      /append-only/,
    );
    expect((await auth.query('select 1 from auth_audit_log where id = $1', [rows[0].id])).rowCount).toBe(1);
  });

  it('GET /v1/audit is 401 without a key, 403 for every role but admin, and pages the log for admin', async () => {
    expect((await call(null, 'GET', '/v1/audit')).status).toBe(401);
    for (const who of ['finance', 'operator', 'fleetA'] as const) {
      const res = await call(who, 'GET', '/v1/audit');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    const page1 = await call('admin', 'GET', '/v1/audit?limit=2&from=2026-01-01');
    expect(page1.status).toBe(200);
    expect(page1.body.entries).toHaveLength(2);
    const page2 = await call(
      'admin',
      'GET',
      `/v1/audit?limit=100&from=2026-01-01&cursor=${page1.body.next_cursor}`,
    );
    const all = [...page1.body.entries, ...page2.body.entries];
    expect(new Set(all.map((e: { id: string }) => e.id)).size).toBe(all.length);
    expect(new Set(all.map((e: { action: string }) => e.action))).toEqual(
      new Set([
        'charge.corrected',
        'charge.cancelled',
        'tariff.created',
        'tariff.versioned',
        'tariff.assigned',
        'tariff.unassigned',
      ]),
    );
    const bad = await call('admin', 'GET', '/v1/audit?from=999999999999');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/from/);
  });

  it("a fleet key sees its own charges and gets 404 for another fleet's, as for an unknown one", async () => {
    const own = await billedSession('fleet-a');
    expect((await call('fleetA', 'GET', `/v1/charges/${own.chargeId}`)).body.charge.id).toBe(own.chargeId);
    expect(
      (await call('fleetA', 'GET', `/v1/charges?session_id=${own.sessionId}`)).body.charges,
    ).toHaveLength(1);

    const other = await call('fleetB', 'GET', `/v1/charges/${own.chargeId}`);
    const unknown = await call('fleetB', 'GET', `/v1/charges/${randomUUID()}`);
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(other.body.error.code).toBe(unknown.body.error.code);
    expect((await call('fleetB', 'GET', `/v1/charges?session_id=${own.sessionId}`)).body).toEqual({
      charges: [],
    });
    // Staff are not bound to a fleet.
    expect((await call('finance', 'GET', `/v1/charges/${own.chargeId}`)).status).toBe(200);
  });
});
