import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, migrateApp, type TestDatabase } from '@app/testing';
import { TARIFF_A } from '@app/testing/fixtures';

const tariff = { ...TARIFF_A, time_tariffs: [] };

const actor = { actor_kind: 'api_key', actor_id: randomUUID() };

function insertCharge(c: Client, over: Record<string, unknown> = {}) {
  const row: Record<string, unknown> = {
    charge_id: randomUUID(),
    kind: 'CHARGE',
    session_id: randomUUID(),
    fleet_id: 'fleet-1',
    charge_point_id: 'CP1',
    evse: 'CP1*1',
    tariff: JSON.stringify(tariff),
    meter_start: 0,
    meter_stop: 15000,
    started_at: '2024-05-01T10:00:00Z',
    completed_at: '2024-05-01T10:50:00Z',
    inputs: '{}',
    energy_wh: 15000,
    duration_s: 3000,
    energy_amount: '13.2000',
    session_amount: '0.0000',
    time_amount: '0.6000',
    net: '13.80',
    vat: '2.62',
    gross: '16.42',
    vat_rate: '0.19',
    currency: 'EUR',
    ...over,
  };
  const cols = Object.keys(row);
  return c.query(
    `insert into charges (${cols.join(',')}) values (${cols.map((_, i) => `$${i + 1}`).join(',')}) returning charge_id`,
    Object.values(row),
  );
}

describe('billing schema (GoBD, idempotency)', () => {
  let db: TestDatabase;
  let c: Client;

  beforeAll(async () => {
    db = await createTestDatabase('billing_schema');
    await migrateApp('billing-service', db.url);
    c = new Client({ connectionString: db.url });
    await c.connect();
  });
  afterAll(async () => {
    await c.end();
    await db.drop();
  });

  it('keeps one CHARGE per session, whatever redelivers it', async () => {
    const sessionId = randomUUID();
    await insertCharge(c, { session_id: sessionId });
    await expect(insertCharge(c, { session_id: sessionId })).rejects.toThrow(/charges_one_bill_per_session/);
  });

  it('rejects UPDATE, DELETE and TRUNCATE of a stored charge', async () => {
    const { rows } = await insertCharge(c);
    const id = rows[0].charge_id as string;
    await expect(c.query(`update charges set net = 0 where charge_id = $1`, [id])).rejects.toThrow(
      /append-only: UPDATE rejected/,
    );
    await expect(c.query(`delete from charges where charge_id = $1`, [id])).rejects.toThrow(
      /append-only: DELETE rejected/,
    );
    await expect(c.query(`truncate charges`)).rejects.toThrow(/append-only: TRUNCATE rejected/);
    const after = await c.query(`select net::text from charges where charge_id = $1`, [id]);
    expect(after.rows[0].net).toBe('13.80');
  });

  it('links a reversal and a replacement, each at most once, each with a reason', async () => {
    const sessionId = randomUUID();
    const { rows } = await insertCharge(c, { session_id: sessionId });
    const original = rows[0].charge_id as string;
    const negated = {
      energy_amount: '-13.2000',
      session_amount: '0.0000',
      time_amount: '-0.6000',
      net: '-13.80',
      vat: '-2.62',
      gross: '-16.42',
    };
    await expect(
      insertCharge(c, { session_id: sessionId, kind: 'REVERSAL', reverses_charge_id: original, ...negated }),
    ).rejects.toThrow(/check/);
    await insertCharge(c, {
      session_id: sessionId,
      kind: 'REVERSAL',
      reverses_charge_id: original,
      reason: 'wrong tariff',
      ...negated,
      ...actor,
    });
    await expect(
      insertCharge(c, {
        session_id: sessionId,
        kind: 'REVERSAL',
        reverses_charge_id: original,
        reason: 'again',
        ...negated,
        ...actor,
      }),
    ).rejects.toThrow(/charges_reversed_once/);
    await insertCharge(c, {
      session_id: sessionId,
      replaces_charge_id: original,
      reason: 'wrong tariff',
      ...actor,
    });
    await expect(
      insertCharge(c, { session_id: sessionId, replaces_charge_id: original, reason: 'x', ...actor }),
    ).rejects.toThrow(/charges_replaced_once/);
  });

  it('refuses a reversal or replacing charge that does not name who booked it (GoBD)', async () => {
    const sessionId = randomUUID();
    const { rows } = await insertCharge(c, { session_id: sessionId });
    const original = rows[0].charge_id as string;
    const negated = {
      energy_amount: '-13.2000',
      session_amount: '0.0000',
      time_amount: '-0.6000',
      net: '-13.80',
      vat: '-2.62',
      gross: '-16.42',
    };
    const reversal = {
      session_id: sessionId,
      kind: 'REVERSAL',
      reverses_charge_id: original,
      reason: 'meter replaced',
      ...negated,
    };
    await expect(insertCharge(c, reversal)).rejects.toThrow(/charges_correction_has_actor/);
    await expect(
      insertCharge(c, { session_id: sessionId, replaces_charge_id: original, reason: 'x' }),
    ).rejects.toThrow(/charges_correction_has_actor/);
    await expect(insertCharge(c, { ...reversal, actor_kind: 'root', actor_id: 'x' })).rejects.toThrow(
      /charges_actor_kind/,
    );
    await expect(insertCharge(c, { ...reversal, actor_kind: 'cli', actor_id: null })).rejects.toThrow(
      /charges_actor_pair/,
    );
    await insertCharge(c, { ...reversal, actor_kind: 'cli', actor_id: 'jdoe' });
  });

  it('rejects a gross that is not net + vat', async () => {
    await expect(insertCharge(c, { gross: '16.43' })).rejects.toThrow(/check/);
  });

  it('never edits a tariff version in place', async () => {
    const tariffId = randomUUID();
    await c.query(`insert into tariffs (tariff_id, name) values ($1, 'A')`, [tariffId]);
    await c.query(
      `insert into tariff_versions (tariff_id, version, effective_from, kwh_price, session_price, time_tariffs, vat, currency, max_charging_time, created_by_kind, created_by_id)
       values ($1, 1, now(), 0.88, 0, '[]', 0.19, 'EUR', 4320, 'api_key', $2)`,
      [tariffId, randomUUID()],
    );
    await expect(
      c.query(`update tariff_versions set kwh_price = 1 where tariff_id = $1`, [tariffId]),
    ).rejects.toThrow(/append-only/);
  });

  it('refuses a tariff version that does not name who created it', async () => {
    const tariffId = randomUUID();
    await c.query(`insert into tariffs (tariff_id, name) values ($1, 'B')`, [tariffId]);
    await expect(
      c.query(
        `insert into tariff_versions (tariff_id, version, effective_from, kwh_price, session_price, time_tariffs, vat, currency, max_charging_time)
         values ($1, 1, now(), 0.88, 0, '[]', 0.19, 'EUR', 4320)`,
        [tariffId],
      ),
    ).rejects.toThrow(/tariff_versions_has_actor/);
  });
});
