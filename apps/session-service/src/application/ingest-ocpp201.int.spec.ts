/**
 * OCPP 2.0.1 through the composed session service (issue 13): records produced on
 * `ocpp.v201.events` as the gateway publishes them (testing/gateway-records-201.ts), folded by the
 * same consumer group as `ocpp.v16.events`, over real Kafka and Postgres.
 */
import { topicName } from '@app/contracts';
import { Gateway201Records } from '../testing/gateway-records-201';
import { readTopicUntil, startHarness, waitFor, type Harness } from '../testing/harness';

const FLEET = 'fleet-201';
const t0 = new Date('2026-04-01T10:00:00Z');
const at = (min: number) => new Date(t0.getTime() + min * 60_000);
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

  it('sessions.transaction_id is bigint: a 2.0.1 number (>= 2^31) fits', async () => {
    const { rows } = await h.runtime.pool.query(
      "select data_type from information_schema.columns where table_name = 'sessions' and column_name = 'transaction_id'",
    );
    expect(rows).toEqual([{ data_type: 'bigint' }]);
  });

  it('the status projection shows protocol ocpp2.0.1: connect, boot, firmware on chargers.status.v1', async () => {
    const st = new Gateway201Records('CP-201-STATUS', FLEET, 'gw-201');
    await h.produce(v201, [
      st.connected({ '1': 'DE*201*E1' }, at(0)),
      st.boot(at(0.1), {
        model: 'Wall-201',
        vendorName: 'ACME',
        serialNumber: 'SN-201',
        firmwareVersion: '2.0.7',
      }),
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
        connectors: [{ connectorId: 1, evseId: 'DE*201*E1' }],
      },
    });
    const view = await h.runtime.readChargers.view('CP-201-STATUS');
    expect(view).toMatchObject({ protocol: 'ocpp2.0.1' });
  });
});
