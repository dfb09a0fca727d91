import { makeEnvelope, topicName, type ChargeCalculated, type TariffPublished } from '@app/contracts';
import { GatewayRecords } from './testing/gateway-records';
import { readTopic, startHarness, waitFor, type Harness } from './testing/harness';
import type { SessionState } from './domain/session';
import { TARIFF_A } from '@app/testing/fixtures';

const tariff: TariffPublished = {
  tariffId: 'tariff-a',
  name: 'A',
  publishedAt: '2026-01-01T00:00:00Z',
  assignments: [{ scope: 'FLEET', ref: 'fleet-1' }],
  versions: [
    {
      version: 1,
      effective_from: '2025-01-01T00:00:00Z',
      tariff: { ...TARIFF_A },
    },
  ],
};

describe('the composed session service: OCPP events → aggregates, projections, outbox (real Kafka + Postgres)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sess_runtime');
  });
  afterAll(async () => {
    await h?.close();
  });

  const sessionByTx = async (cp: string, tx: number) => {
    const { rows } = await h.runtime.pool.query<{ state: SessionState; status: string }>(
      'select state, status from sessions where charge_point_id = $1 and transaction_id = $2',
      [cp, tx],
    );
    return rows[0];
  };

  it('folds a charger-started session to CLOSED with the tariff snapshot, and publishes its domain events', async () => {
    await h.produce(topicName('tariffs', h.tk.prefix), [
      {
        key: tariff.tariffId,
        value: JSON.stringify(
          makeEnvelope({
            type: 'TariffVersionPublished',
            source: 'billing-service',
            subject: tariff.tariffId,
            schema: 'billing.tariff/v1',
            data: tariff,
          }),
        ),
      },
    ]);
    await waitFor(
      async () => (await h.runtime.pool.query('select 1 from tariffs')).rowCount,
      20000,
      'tariff stored',
    );

    const cp = new GatewayRecords('CP-RT-1', 'fleet-1');
    const t0 = new Date('2026-03-01T10:00:00Z');
    const at = (min: number) => new Date(t0.getTime() + min * 60_000);
    const topic = topicName('ocppEvents', h.tk.prefix);
    await h.produce(topic, [
      cp.connected({ '1': 'DE*TST*E1' }),
      cp.heartbeat(),
      cp.status(1, 'Preparing', at(0)),
      cp.startTransaction(1, 4711, 1000, at(1)),
      cp.status(1, 'Charging', at(1)),
      cp.meterValues(1, 4711, 6000, at(20)),
      cp.meterValues(1, 4711, 3000, at(10), at(21)), // an old reading delivered late
      cp.stopTransaction(4711, 16000, at(51), 'EVDisconnected'),
      cp.stopTransaction(4711, 16000, at(51), 'EVDisconnected'), // the charger sent it twice
      cp.stopTransaction(999, 5, at(52)), // unknown transaction
    ]);
    const row = await waitFor(
      async () => {
        const r = await sessionByTx('CP-RT-1', 4711);
        return r?.status === 'CLOSED' ? r : null;
      },
      20000,
      'CLOSED session',
    );
    expect(row.state).toMatchObject({
      authType: 'LOCAL',
      fleetId: 'fleet-1',
      evse: 'DE*TST*E1',
      start: { meterStartWh: 1000, startedAt: at(1).toISOString() },
      stop: { meterStopWh: 16000, completedAt: at(51).toISOString(), stopReason: 'EVDisconnected' },
      lastMeter: { wh: 6000, measuredAt: at(20).toISOString() },
      chargingState: 'Charging',
      tariff: { tariff_id: 'tariff-a', version: 1, kwh_price: '0.88' },
    });
    expect(row.state.flags).not.toContain('MISSING_TARIFF');

    const anomalies = await waitFor(async () => {
      const r = await h.runtime.pool.query('select kind, charge_point_id from anomalies');
      return r.rowCount ? r.rows : null;
    });
    expect(anomalies).toEqual([{ kind: 'STOP_FOR_UNKNOWN_TRANSACTION', charge_point_id: 'CP-RT-1' }]);
    const connectors = await h.runtime.pool.query(
      'select evse, status from connectors where charge_point_id = $1 and connector_id = 1',
      ['CP-RT-1'],
    );
    expect(connectors.rows[0]).toEqual({ evse: 'DE*TST*E1', status: 'Charging' });

    const published = await readTopic(h.tk.kafka, topicName('chargingSessions', h.tk.prefix), 4);
    const types = published.map((p) => p.value.type);
    expect(types).toEqual([
      'SessionStarted',
      'SessionMeterUpdated',
      'SessionMeterUpdated',
      'SessionCompleted',
    ]);
    const completed = published[3];
    expect(completed.key).toBe(row.state.sessionId);
    expect(completed.value).toMatchObject({
      source: 'session-service',
      schema: 'charging.session-completed/v1',
      data: {
        meterStartWh: 1000,
        meterStopWh: 16000,
        tariff: { kwh_price: '0.88' },
        fleetId: 'fleet-1',
        transactionId: 4711,
      },
    });
  });

  it('a closed session follows its connector until it is free: Finishing and Available after the stop, not the next use', async () => {
    const cp = new GatewayRecords('CP-RT-FREE', 'fleet-1');
    const t0 = new Date('2026-03-02T10:00:00Z');
    const at = (min: number) => new Date(t0.getTime() + min * 60_000);
    const topic = topicName('ocppEvents', h.tk.prefix);
    await h.produce(topic, [
      cp.connected({ '1': 'DE*TST*F1' }),
      cp.startTransaction(1, 4800, 1000, at(1)),
      cp.status(1, 'Charging', at(1)),
      cp.stopTransaction(4800, 9000, at(40), 'EVDisconnected'),
    ]);
    await waitFor(async () => (await sessionByTx('CP-RT-FREE', 4800))?.status === 'CLOSED', 20000, 'closed');
    // Later batches: the closed session is found through its connector, not as an open session.
    await h.produce(topic, [cp.status(1, 'Finishing', at(41))]);
    await waitFor(
      async () => (await sessionByTx('CP-RT-FREE', 4800))?.state.connectorStatus === 'Finishing',
      20000,
      'Finishing reaches the closed session',
    );
    const lastOnConnector = async () =>
      (
        await h.runtime.pool.query(
          "select last_session_id from connectors where charge_point_id = 'CP-RT-FREE' and connector_id = 1",
        )
      ).rows;
    expect(await lastOnConnector()).toEqual([
      { last_session_id: (await sessionByTx('CP-RT-FREE', 4800)).state.sessionId },
    ]);
    await h.produce(topic, [cp.status(1, 'Available', at(42))]);
    await waitFor(
      async () => (await sessionByTx('CP-RT-FREE', 4800))?.state.connectorStatus === 'Available',
      20000,
      'Available reaches the closed session',
    );
    await h.produce(topic, [cp.status(1, 'Preparing', at(60)), cp.heartbeat()]);
    await waitFor(
      async () =>
        (
          await h.runtime.pool.query(
            "select 1 from connectors where charge_point_id = 'CP-RT-FREE' and connector_id = 1 and status = 'Preparing'",
          )
        ).rowCount,
      20000,
      'next use reaches the connector',
    );
    const row = await sessionByTx('CP-RT-FREE', 4800);
    // Freed: the connector forgets it, so later status batches do not load it.
    expect(await lastOnConnector()).toEqual([{ last_session_id: null }]);
    expect({ connector: row.state.connectorStatus, charging: row.state.chargingState }).toEqual({
      connector: 'Available',
      charging: 'Finishing',
    });
  });

  it('puts final_amount on the session from ChargeCalculated, once', async () => {
    const row = await sessionByTx('CP-RT-1', 4711);
    const charge: ChargeCalculated = {
      chargeId: 'charge-1',
      sessionId: row.state.sessionId,
      fleetId: 'fleet-1',
      chargePointId: 'CP-RT-1',
      evse: 'DE*TST*E1',
      kind: 'CHARGE',
      finalAmount: {
        energy: '13.2000',
        session: '0.0000',
        time: '0.6000',
        net: '13.80',
        vat: '2.62',
        gross: '16.42',
        currency: 'EUR',
      },
      inputs: {
        tariff: row.state.tariff!,
        meter_start: 1000,
        meter_stop: 16000,
        started_at: row.state.start!.startedAt,
        completed_at: row.state.stop!.completedAt,
      },
      energyWh: 15000,
      durationS: 3000,
      flags: [],
      calculatedAt: new Date().toISOString(),
    };
    const env = JSON.stringify(
      makeEnvelope({
        type: 'ChargeCalculated',
        source: 'billing-service',
        subject: charge.sessionId,
        schema: 'billing.charge-calculated/v1',
        data: charge,
      }),
    );
    await h.produce(topicName('sessionCharges', h.tk.prefix), [
      { key: charge.sessionId, value: env },
      { key: charge.sessionId, value: env },
    ]);
    const priced = await waitFor(async () => {
      const r = await sessionByTx('CP-RT-1', 4711);
      return r.state.finalAmount ? r : null;
    });
    expect(priced.state.finalAmount).toEqual(charge.finalAmount);
    const events = await h.runtime.pool.query(
      `select count(*)::int as n from events where type = 'SessionPriced'`,
    );
    expect(events.rows[0].n).toBe(1);
  });
});
