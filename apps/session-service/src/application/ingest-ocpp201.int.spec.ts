/**
 * OCPP 2.0.1 through the composed session service (issue 13): records produced on
 * `ocpp.v201.events` as the gateway publishes them (testing/gateway-records-201.ts), folded by the
 * same consumer group as `ocpp.v16.events`, over real Kafka and Postgres.
 */
import { ocpp201TransactionNumber, topicName } from '@app/contracts';
import type { SessionState } from '../domain/session';
import { GatewayRecords } from '../testing/gateway-records';
import { toPumpSession } from './session-view';
import { Gateway201Records, type Reading, type TransactionEventInput } from '../testing/gateway-records-201';
import { readTopicUntil, startHarness, waitFor, type Harness } from '../testing/harness';

const FLEET = 'fleet-201';
const t0 = new Date('2026-04-01T10:00:00Z');
const at = (min: number) => new Date(t0.getTime() + min * 60_000);
/** An energy register reading in kWh, as decimal text. */
const kwh = (value: string, context?: string): Reading => ({
  value,
  unit: 'kWh',
  measurand: 'Energy.Active.Import.Register',
  ...(context ? { context } : {}),
});

/**
 * A local 2.0.1 transaction on EVSE 1: Started (Transaction.Begin 0.5005 kWh: 501 Wh exactly, 500
 * through a float), three periodic Updated, Ended (Transaction.End 16.5015 kWh: 16502 Wh).
 */
function localTransaction(transactionId: string): TransactionEventInput[] {
  const base = { transactionId, evseId: 1 };
  return [
    {
      ...base,
      eventType: 'Started',
      seqNo: 0,
      at: at(1),
      idToken: 'RFID-201',
      chargingState: 'Charging',
      readings: [kwh('0.5005', 'Transaction.Begin')],
    },
    { ...base, eventType: 'Updated', seqNo: 1, at: at(16), readings: [kwh('4.2505', 'Sample.Periodic')] },
    { ...base, eventType: 'Updated', seqNo: 2, at: at(31), readings: [kwh('9.0005', 'Sample.Periodic')] },
    { ...base, eventType: 'Updated', seqNo: 3, at: at(46), readings: [kwh('14.5005', 'Sample.Periodic')] },
    {
      ...base,
      eventType: 'Ended',
      seqNo: 4,
      at: at(50),
      stoppedReason: 'EVDisconnected',
      readings: [kwh('16.5015', 'Transaction.End')],
    },
  ];
}
describe('ingest of ocpp.v201.events (real Kafka + Postgres)', () => {
  let h: Harness;
  let v201: string;
  beforeAll(async () => {
    h = await startHarness('sess_ocpp201', { poolSize: 5 });
    v201 = topicName('ocppV201Events', h.tk.prefix);
  });
  afterAll(async () => {
    await h?.close();
  });

  const sessionOf = async (cp: string, stationTx: string) => {
    const { rows } = await h.runtime.pool.query<{
      state: SessionState;
      status: string;
      transaction_id: string;
    }>(
      'select state, status, transaction_id from sessions where charge_point_id = $1 and transaction_id = $2',
      [cp, ocpp201TransactionNumber(cp, stationTx)],
    );
    return rows[0];
  };
  const closedSession = (cp: string, stationTx: string) =>
    waitFor(
      async () => {
        const r = await sessionOf(cp, stationTx);
        return r?.status === 'CLOSED' ? r : null;
      },
      20000,
      `CLOSED session ${cp}/${stationTx}`,
    );
  /** The charging.sessions.v1 records of one session once its SessionCompleted is there, in order. */
  const publishedOf = async (sessionId: string) =>
    (
      await readTopicUntil(h.tk.kafka, topicName('chargingSessions', h.tk.prefix), (rs) =>
        rs.some((r) => r.key === sessionId && r.value.type === 'SessionCompleted'),
      )
    ).filter((r) => r.key === sessionId);

  it('sessions.transaction_id is bigint: a 2.0.1 number (>= 2^31) fits', async () => {
    const { rows } = await h.runtime.pool.query(
      "select data_type from information_schema.columns where table_name = 'sessions' and column_name = 'transaction_id'",
    );
    expect(rows).toEqual([{ data_type: 'bigint' }]);
  });

  it('the status projection shows protocol ocpp2.0.1: connect, boot, EVSE status, firmware on chargers.status.v1', async () => {
    const st = new Gateway201Records('CP-201-STATUS', FLEET, 'gw-201');
    await h.produce(v201, [
      st.connected({ '1': 'DE*201*E1' }, at(0)),
      st.boot(at(0.1), {
        model: 'Wall-201',
        vendorName: 'ACME',
        serialNumber: 'SN-201',
        firmwareVersion: '2.0.7',
      }),
      st.status(1, 'Unavailable', at(0.15)),
      st.firmwareStatus('Installed', at(0.2)),
    ]);
    const row = await waitFor(async () => {
      const r = await h.runtime.pool.query(
        "select protocol, connected, gateway_id, boot, firmware_status from chargers where charge_point_id = 'CP-201-STATUS'",
      );
      return r.rows[0]?.firmware_status ? r.rows[0] : null;
    });
    expect(row).toMatchObject({
      protocol: 'ocpp2.0.1',
      connected: true,
      gateway_id: 'gw-201',
      boot: {
        vendor: 'ACME',
        model: 'Wall-201',
        chargePointSerialNumber: 'SN-201',
        firmwareVersion: '2.0.7',
      },
    });
    const statuses = (
      await readTopicUntil(h.tk.kafka, topicName('chargerStatus', h.tk.prefix), (rs) =>
        rs.some((r) => r.key === 'CP-201-STATUS' && r.value.data.firmware !== null),
      )
    ).filter((r) => r.key === 'CP-201-STATUS');
    expect(statuses[statuses.length - 1].value).toMatchObject({
      type: 'ChargerStatusChanged',
      data: {
        chargePointId: 'CP-201-STATUS',
        protocol: 'ocpp2.0.1',
        online: true,
        boot: { vendor: 'ACME', model: 'Wall-201' },
        firmware: { status: 'Installed' },
        connectors: [{ connectorId: 1, evseId: 'DE*201*E1', status: 'Unavailable', errorCode: null }],
      },
    });
    const view = await h.runtime.readChargers.view('CP-201-STATUS');
    expect(view).toMatchObject({ protocol: 'ocpp2.0.1' });
  });

  it('a local 2.0.1 session Started → Updated ×3 → Ended folds to CLOSED with the exact Wh of the kWh texts', async () => {
    const cp = 'CP-201-LOCAL';
    const st = new Gateway201Records(cp, FLEET);
    await h.produce(v201, [
      st.connected({ '1': 'DE*201*L1' }, at(0)),
      st.status(1, 'Occupied', at(0.5)),
      ...localTransaction('tx-local-1').map((e) => st.transactionEvent(e)),
    ]);
    const row = await closedSession(cp, 'tx-local-1');
    const number = ocpp201TransactionNumber(cp, 'tx-local-1');
    expect(number).toBeGreaterThanOrEqual(2 ** 31);
    expect(row.transaction_id).toBe(String(number));
    expect(row.state).toMatchObject({
      authType: 'LOCAL',
      fleetId: FLEET,
      connectorId: 1,
      evse: 'DE*201*L1',
      idTag: 'RFID-201',
      start: {
        transactionId: number,
        chargerTransactionId: 'tx-local-1',
        meterStartWh: 501,
        startedAt: at(1).toISOString(),
      },
      stop: { meterStopWh: 16502, completedAt: at(50).toISOString(), stopReason: 'EVDisconnected' },
      // The Ended's Transaction.End reading is the last meter value too.
      lastMeter: { wh: 16502, measuredAt: at(50).toISOString() },
    });
    expect(row.state.flags).not.toContain('SEQ_NO_GAP');

    const published = await publishedOf(row.state.sessionId);
    expect(published.map((p) => p.value.type)).toEqual([
      'SessionStarted',
      'SessionMeterUpdated',
      'SessionMeterUpdated',
      'SessionMeterUpdated',
      'SessionMeterUpdated',
      'SessionCompleted',
    ]);
    expect(published[5].value.data).toMatchObject({
      transactionId: number,
      chargerTransactionId: 'tx-local-1',
      meterStartWh: 501,
      meterStopWh: 16502,
      stopReason: 'EVDisconnected',
      fleetId: FLEET,
    });
    const connector = await h.runtime.pool.query(
      'select evse, status, last_session_id from connectors where charge_point_id = $1 and connector_id = 1',
      [cp],
    );
    expect(connector.rows).toEqual([
      { evse: 'DE*201*L1', status: 'Occupied', last_session_id: row.state.sessionId },
    ]);
  });

  it('a duplicated TransactionEvent (same seqNo, new message and record id) folds once: in one batch, in a later one (seqNos from the stored state), after the close', async () => {
    const plain = new Gateway201Records('CP-201-ONCE', FLEET);
    const twice = new Gateway201Records('CP-201-TWICE', FLEET);
    const events = localTransaction('tx-dup');
    await h.produce(v201, [plain.connected({}, at(0)), ...events.map((e) => plain.transactionEvent(e))]);
    // Every event twice, the Updated ones a third time; the first Updated again once the session
    // is stored (a later batch reads its folded seqNos from Postgres), the Ended again after the close.
    const repeated = (e: TransactionEventInput) =>
      Array.from({ length: e.eventType === 'Updated' ? 3 : 2 }, () => twice.transactionEvent(e));
    await h.produce(v201, [twice.connected({}, at(0)), ...events.slice(0, 2).flatMap(repeated)]);
    await waitFor(
      async () => {
        const r = await sessionOf('CP-201-TWICE', 'tx-dup');
        return r?.state.lastMeter?.wh === 4251;
      },
      20000,
      'the first Updated folded',
    );
    await h.produce(v201, [twice.transactionEvent(events[1]), ...events.slice(2).flatMap(repeated)]);
    const once = await closedSession('CP-201-ONCE', 'tx-dup');
    const dup = await closedSession('CP-201-TWICE', 'tx-dup');
    await h.produce(v201, [twice.transactionEvent({ ...events[4], receivedAt: at(70) })]);
    await h.produce(v201, [twice.heartbeat(at(71))]);
    await waitFor(async () => {
      const r = await h.runtime.pool.query(
        "select last_message_at from chargers where charge_point_id = 'CP-201-TWICE'",
      );
      return r.rows[0]?.last_message_at?.toISOString() === at(71).toISOString();
    });

    const a = await publishedOf(once.state.sessionId);
    const b = await publishedOf(dup.state.sessionId);
    const shape = (rs: typeof a) =>
      rs.map((r) => ({ type: r.value.type, wh: r.value.data.meterWh ?? r.value.data.meterStopWh ?? null }));
    expect(shape(b)).toEqual(shape(a));
    expect(shape(b).map((x) => x.type)).toEqual([
      'SessionStarted',
      'SessionMeterUpdated',
      'SessionMeterUpdated',
      'SessionMeterUpdated',
      'SessionMeterUpdated',
      'SessionCompleted',
    ]);
    const stored = await h.runtime.pool.query(
      `select count(*)::int as n from events where stream_id = $1 and type = 'SessionCompleted'`,
      [`session-${dup.state.sessionId}`],
    );
    expect(stored.rows[0].n).toBe(1);
    expect((await sessionOf('CP-201-TWICE', 'tx-dup')).state).toMatchObject({
      stop: { meterStopWh: 16502 },
      lastMeter: { wh: 16502 },
    });
  });

  it('a 1.6 and a 2.0.1 charger side by side in one fleet: both sessions CLOSED, the same session shape', async () => {
    const fleet = 'fleet-mixed';
    const old16 = new GatewayRecords('CP-MIX-16', fleet);
    const new201 = new Gateway201Records('CP-MIX-201', fleet);
    await Promise.all([
      h.produce(topicName('ocppEvents', h.tk.prefix), [
        old16.connected({ '1': 'DE*MIX*16' }, at(0)),
        old16.startTransaction(1, 4242, 1000, at(1)),
        old16.meterValues(1, 4242, 6000, at(20)),
        old16.stopTransaction(4242, 16000, at(50), 'EVDisconnected'),
      ]),
      h.produce(v201, [
        new201.connected({ '1': 'DE*MIX*201' }, at(0)),
        ...localTransaction('tx-mix').map((e) => new201.transactionEvent(e)),
      ]),
    ]);
    const s201 = await closedSession('CP-MIX-201', 'tx-mix');
    const s16 = await waitFor(async () => {
      const { rows } = await h.runtime.pool.query<{ state: SessionState; status: string }>(
        "select state, status from sessions where charge_point_id = 'CP-MIX-16' and transaction_id = 4242",
      );
      return rows[0]?.status === 'CLOSED' ? rows[0] : null;
    });
    expect(s16.state).toMatchObject({
      evse: 'DE*MIX*16',
      start: { meterStartWh: 1000 },
      stop: { meterStopWh: 16000 },
    });
    expect(s16.state.start?.chargerTransactionId).toBeUndefined();
    expect(s201.state).toMatchObject({
      evse: 'DE*MIX*201',
      start: { meterStartWh: 501 },
      stop: { meterStopWh: 16502 },
    });
    // The API's view of both: the same fields, the energy from each charger's registers.
    const v16 = toPumpSession(s16.state);
    const v201s = toPumpSession(s201.state);
    expect(Object.keys(v201s).sort()).toEqual(Object.keys(v16).sort());
    expect([v16.energy_in_kwh, v201s.energy_in_kwh]).toEqual([15, 16.001]);
    const [c16, c201] = await Promise.all([
      publishedOf(s16.state.sessionId),
      publishedOf(s201.state.sessionId),
    ]);
    const completedKeys = (rs: typeof c16) =>
      Object.keys(rs[rs.length - 1].value.data)
        .filter((k) => k !== 'chargerTransactionId')
        .sort();
    expect(completedKeys(c201)).toEqual(completedKeys(c16));
    const protocols = await h.runtime.pool.query(
      'select charge_point_id, protocol from chargers where fleet_id = $1 order by charge_point_id',
      [fleet],
    );
    expect(protocols.rows).toEqual([
      { charge_point_id: 'CP-MIX-16', protocol: 'ocpp1.6' },
      { charge_point_id: 'CP-MIX-201', protocol: 'ocpp2.0.1' },
    ]);
  });

  it('a missing seqNo flags the completed session SEQ_NO_GAP', async () => {
    const st = new Gateway201Records('CP-201-GAP', FLEET);
    const events = localTransaction('tx-gap').filter((e) => e.seqNo !== 2);
    await h.produce(v201, [st.connected({}, at(0)), ...events.map((e) => st.transactionEvent(e))]);
    const row = await closedSession('CP-201-GAP', 'tx-gap');
    expect(row.state.flags).toContain('SEQ_NO_GAP');
  });
});
