import { createEnvelopeValidator } from '@app/contracts/schemas';
import {
  operatorFleetsFinanceKeys,
  startApiHarness,
  type ApiHarness,
  type Json,
} from '../testing/api-harness';
import { GatewayRecords } from '../testing/gateway-records';
import { waitFor } from '../testing/harness';

/**
 * What a charger looks like, end to end on the real broker and Postgres: gateway records on
 * ocpp.v16.events → ingest → GET /v1/chargers(/:id) and ChargerStatusChanged on chargers.status.v1;
 * fleet scoping; ChargerRegistryApplied raising charger_registry.applied_version.
 */
describe('charger status API and chargers.status.v1 (real Kafka + Postgres)', () => {
  const keys = operatorFleetsFinanceKeys();
  let h: ApiHarness<keyof typeof keys>;
  const statuses: { key: string; value: Json }[] = [];
  const [OPERATOR, FLEET1, FLEET2, FINANCE] = [keys.operator, keys.fleet1, keys.fleet2, keys.finance].map(
    (k) => k.key,
  );
  const t0 = new Date('2026-06-01T08:00:00.000Z');
  const at = (min: number) => new Date(t0.getTime() + min * 60_000);

  const get = (path: string, key: string | null) => h.api('GET', path, key);
  const publish: ApiHarness['publish'] = (records) => h.publish(records);
  const lastStatusOf = (cp: string) => [...statuses].reverse().find((s) => s.key === cp)?.value;

  beforeAll(async () => {
    h = await startApiHarness('charger_status', {
      keys,
      // Registered through the registry (its routes are tested in charger-registry.int.spec.ts):
      // CP-A in fleet-1 with EVSE ids, CP-R in fleet-1 never connects.
      beforeStart: async (sql) => {
        await sql.query(
          `insert into charger_registry (charge_point_id, fleet_id, evse_ids, version, updated_by)
           values ('CP-A', 'fleet-1', '{"1": "DE*ST*EA1", "2": "DE*ST*EA2"}', 5, 'test'),
                  ('CP-R', 'fleet-1', '{"1": "DE*ST*ER1"}', 6, 'test')`,
        );
      },
    });
    await h.collect('chargerStatus', statuses);
  }, 60000);

  afterAll(async () => {
    await h?.close();
  });

  const a = new GatewayRecords('CP-A', 'fleet-1', 'gw-7');
  const dev = new GatewayRecords('CP-DEV', 'fleet-2', 'gw-8');

  it('a connected, booted charger shows online with its boot data, connector statuses and session; its picture is on chargers.status.v1', async () => {
    await publish([
      a.connected({ '1': 'DE*ST*EA1', '2': 'DE*ST*EA2' }, at(0)),
      a.call(
        'BootNotification',
        {
          chargePointVendor: 'ACME',
          chargePointModel: 'Wall-22',
          chargePointSerialNumber: 'SN-A',
          firmwareVersion: '1.4.2',
          iccid: '8949000000000000001',
          imsi: '262010000000001',
          meterType: 'EEM-350',
        },
        { status: 'Accepted', currentTime: at(0.1).toISOString(), interval: 300 },
        at(0.1),
      ),
      a.status(1, 'Preparing', at(0.2)),
      a.call(
        'StatusNotification',
        {
          connectorId: 2,
          status: 'Faulted',
          errorCode: 'GroundFailure',
          info: 'RCD tripped',
          vendorId: 'com.acme',
          vendorErrorCode: 'E42',
          timestamp: at(0.3).toISOString(),
        },
        {},
        at(0.3),
      ),
      a.startTransaction(1, 501, 1000, at(1)),
      a.status(1, 'Charging', at(1.1)),
      a.call('FirmwareStatusNotification', { status: 'Installed' }, {}, at(2)),
      a.heartbeat(at(3)),
    ]);
    const view = await waitFor(async () => {
      const r = await get('/v1/chargers/CP-A', OPERATOR);
      return r.status === 200 && r.body.connectors[0]?.status === 'Charging' && r.body.firmware
        ? r.body
        : null;
    });
    expect(view).toMatchObject({
      id: 'CP-A',
      fleet: 'fleet-1',
      active: true,
      online: true,
      online_since: at(0).toISOString(),
      last_message_at: at(3).toISOString(),
      gateway_id: 'gw-7',
      protocol: 'ocpp1.6',
      boot: {
        vendor: 'ACME',
        model: 'Wall-22',
        charge_point_serial_number: 'SN-A',
        charge_box_serial_number: null,
        firmware_version: '1.4.2',
        iccid: '8949000000000000001',
        imsi: '262010000000001',
        meter_type: 'EEM-350',
        meter_serial_number: null,
        booted_at: at(0.1).toISOString(),
      },
      firmware: { status: 'Installed', at: at(2).toISOString() },
      diagnostics: null,
    });
    const session = await h.sql.query<{ session_id: string }>(
      `select session_id from sessions where charge_point_id = 'CP-A' and transaction_id = 501`,
    );
    expect(view.connectors).toEqual([
      {
        connector_id: 1,
        evse_id: 'DE*ST*EA1',
        status: 'Charging',
        error_code: 'NoError',
        info: null,
        vendor_id: null,
        vendor_error_code: null,
        since: at(1.1).toISOString(),
        session_id: session.rows[0].session_id,
      },
      {
        connector_id: 2,
        evse_id: 'DE*ST*EA2',
        status: 'Faulted',
        error_code: 'GroundFailure',
        info: 'RCD tripped',
        vendor_id: 'com.acme',
        vendor_error_code: 'E42',
        since: at(0.3).toISOString(),
        session_id: null,
      },
    ]);

    // The same picture on chargers.status.v1, keyed by the charger, valid against its schema.
    const published = await waitFor(async () => {
      const s = lastStatusOf('CP-A');
      return s?.data.firmware ? s : null;
    });
    expect(createEnvelopeValidator()(published)).toEqual([]);
    expect(published).toMatchObject({
      type: 'ChargerStatusChanged',
      schema: 'chargers.status/v1',
      subject: 'CP-A',
    });
    expect(published.data).toMatchObject({
      chargePointId: 'CP-A',
      fleetId: 'fleet-1',
      active: true,
      online: true,
      gatewayId: 'gw-7',
      boot: { vendor: 'ACME', firmwareVersion: '1.4.2', iccid: '8949000000000000001' },
      connectors: [
        { connectorId: 1, status: 'Charging', sessionId: session.rows[0].session_id, evseId: 'DE*ST*EA1' },
        { connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure', vendorErrorCode: 'E42' },
      ],
      firmware: { status: 'Installed' },
    });
    expect(published.data.lastMessageAt).toBe(at(3).toISOString());

    // A Heartbeat alone publishes nothing; the API shows its time.
    const before = statuses.filter((x) => x.key === 'CP-A').length;
    await publish([a.heartbeat(at(3.5))]);
    await waitFor(async () => {
      const r = await get('/v1/chargers/CP-A', OPERATOR);
      return r.body.last_message_at === at(3.5).toISOString() ? r : null;
    });
    await new Promise((r) => setTimeout(r, 1000)); // the status relay polls every 100 ms
    expect(statuses.filter((x) => x.key === 'CP-A')).toHaveLength(before);
  });

  it('an older StatusNotification delivered late does not overwrite the newer one', async () => {
    await publish([a.status(2, 'Available', at(0.25)), a.heartbeat(at(4))]);
    await waitFor(async () => {
      const r = await get('/v1/chargers/CP-A', OPERATOR);
      return r.body.last_message_at === at(4).toISOString() ? r : null;
    });
    const r = await get('/v1/chargers/CP-A', OPERATOR);
    expect(r.body.connectors[1]).toMatchObject({ status: 'Faulted', since: at(0.3).toISOString() });
  });

  it('lists registered chargers that never connected (offline) and seen ones without a registry entry (active), filtered by online', async () => {
    await publish([dev.connected({}, at(0)), dev.status(1, 'Available', at(0.5))]);
    await waitFor(async () => ((await get('/v1/chargers/CP-DEV', OPERATOR)).status === 200 ? true : null));

    const all = await get('/v1/chargers', OPERATOR);
    expect(all.status).toBe(200);
    expect(all.body.chargers.map((c: Json) => [c.id, c.fleet, c.online, c.active])).toEqual([
      ['CP-A', 'fleet-1', true, true],
      ['CP-DEV', 'fleet-2', true, true],
      ['CP-R', 'fleet-1', false, true],
    ]);
    expect(all.body.next_cursor).toBeNull();
    expect(all.body.chargers[2]).toMatchObject({
      online_since: null,
      gateway_id: null,
      boot: null,
      connectors: [{ connector_id: 1, evse_id: 'DE*ST*ER1', status: null, session_id: null }],
    });

    const online = await get('/v1/chargers?online=true', OPERATOR);
    expect(online.body.chargers.map((c: Json) => c.id)).toEqual(['CP-A', 'CP-DEV']);
    const offline = await get('/v1/chargers?online=false', OPERATOR);
    expect(offline.body.chargers.map((c: Json) => c.id)).toEqual(['CP-R']);
    const fleet2 = await get('/v1/chargers?fleet=fleet-2', OPERATOR);
    expect(fleet2.body.chargers.map((c: Json) => c.id)).toEqual(['CP-DEV']);

    // Keyset pages of one: every charger once, in id order.
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Json } = await get(
        `/v1/chargers?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        OPERATOR,
      );
      ids.push(...page.body.chargers.map((c: Json) => c.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(ids).toEqual(['CP-A', 'CP-DEV', 'CP-R']);
  });

  it('a fleet key sees only its fleet: another fleet in the list is empty, another fleet’s charger is 404', async () => {
    const mine = await get('/v1/chargers', FLEET1);
    expect(mine.body.chargers.map((c: Json) => c.id)).toEqual(['CP-A', 'CP-R']);
    expect((await get('/v1/chargers?fleet=fleet-2', FLEET1)).body).toEqual({
      chargers: [],
      next_cursor: null,
    });
    expect((await get('/v1/chargers/CP-A', FLEET1)).status).toBe(200);
    const other = await get('/v1/chargers/CP-A', FLEET2);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('CHARGER_NOT_FOUND');
    const unknown = await get('/v1/chargers/CP-NOPE', OPERATOR);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('CHARGER_NOT_FOUND');
  });

  it('refuses without a credential, with a role that does not read chargers, and a bad query naming the parameter', async () => {
    expect((await get('/v1/chargers', null)).status).toBe(401);
    expect((await get('/v1/chargers', FINANCE)).status).toBe(403);
    const bad = await get('/v1/chargers?limit=501', OPERATOR);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('limit');
    const badCursor = await get('/v1/chargers?cursor=nonsense', OPERATOR);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.code).toBe('INVALID_CURSOR');
    expect((await get('/v1/chargers?online=maybe', OPERATOR)).status).toBe(400);
  });

  it('a disconnect takes the charger offline, published too', async () => {
    await publish([a.disconnected(at(10))]);
    const view = await waitFor(async () => {
      const r = await get('/v1/chargers/CP-A', FLEET1);
      return r.body.online === false ? r.body : null;
    });
    expect(view).toMatchObject({ online: false, online_since: at(10).toISOString(), gateway_id: null });
    const published = await waitFor(async () => {
      const s = lastStatusOf('CP-A');
      return s?.data.online === false ? s : null;
    });
    expect(published.data).toMatchObject({
      online: false,
      onlineSince: at(10).toISOString(),
      gatewayId: null,
    });
  });

  it('ChargerRegistryApplied raises charger_registry.applied_version, never lowers it', async () => {
    const applied = (cp: string, version: number) =>
      new GatewayRecords(cp, 'fleet-1', 'gw-7').registryApplied(version, at(11));
    await publish([applied('CP-A', 5), applied('CP-A', 3), applied('CP-R', 6)]);
    const version = async (cp: string) =>
      Number(
        (await h.sql.query('select applied_version from charger_registry where charge_point_id = $1', [cp]))
          .rows[0].applied_version,
      );
    await waitFor(async () => ((await version('CP-R')) === 6 ? true : null));
    // Passed the edge check (a refused record would go to the dead-letter topic and change nothing).
    expect(await version('CP-A')).toBe(5);
  });
});
