import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createEnvelopeValidator } from '@app/contracts/schemas';
import { RegistryStatusOutbox } from '../application/charger-registry-status';
import { SessionServiceComposition } from '../composition';
import { ChargerStore } from '../infrastructure/database/charger-store';
import { PostgresChargerStatusQueries } from '../infrastructure/database/charger-status-queries';
import { startApiHarness, testApiKey, type ApiHarness, type Json } from '../testing/api-harness';
import { GatewayRecords } from '../testing/gateway-records';
import { waitFor } from '../testing/harness';

/**
 * A registry change is a change of the charger's picture too: registering, PATCHing and
 * deactivating a charger put its new whole picture on chargers.status.v1 (appended in the
 * registry change's transaction, published by the status relay), without waiting for the charger
 * to report anything; a change that leaves the picture as it was (a password rotation, a PATCH to
 * the same fleet) publishes none; a registry change racing an ingest batch of the same charger
 * loses neither's change. Real Kafka + Postgres.
 */
describe('registry changes on chargers.status.v1 (real Kafka + Postgres)', () => {
  const keys = { operator: testApiKey('operator', 'ops', ['operator']) };
  let h: ApiHarness<keyof typeof keys>;
  const statuses: { key: string; value: Json }[] = [];
  const OPERATOR = keys.operator.key;
  const t0 = new Date('2026-06-01T08:00:00.000Z');
  const at = (min: number) => new Date(t0.getTime() + min * 60_000);

  const api = (method: string, path: string, body?: unknown) => h.api(method, path, OPERATOR, body);
  const publish: ApiHarness['publish'] = (records) => h.publish(records);
  const statusesOf = (cp: string) => statuses.filter((s) => s.key === cp).map((s) => s.value);
  const lastStatusOf = (cp: string) => statusesOf(cp).at(-1);
  const row = async (id: string) =>
    (await h.sql.query('select * from charger_registry where charge_point_id = $1', [id])).rows[0];
  /** Plays the gateway: once the row's version passes `after`, it is applied (as ingest records it). */
  const applyAfter = async (id: string, after: number) => {
    await waitFor(async () => Number((await row(id)).version) > after);
    await h.sql.query('update charger_registry set applied_version = version where charge_point_id = $1', [
      id,
    ]);
  };
  /** The status relay polls every 100 ms: after this, a picture that was appended is on the topic. */
  const settle = () => new Promise((r) => setTimeout(r, 1500));

  beforeAll(async () => {
    h = await startApiHarness('registry_status', { keys, env: { REGISTRY_APPLY_WAIT_SECONDS: '5' } });
    await h.collect('chargerStatus', statuses);
  }, 60000);

  afterAll(async () => {
    await h?.close();
  });

  it('a registered charger that never connected is on the topic (offline, active, its EVSE ids), the same picture GET shows', async () => {
    const created = await api('POST', '/v1/chargers', {
      id: 'CP-NEW',
      fleet: 'fleet-1',
      generate: true,
      connectors: [
        { connector_id: 1, evse_id: 'DE*RS*N1' },
        { connector_id: 2, evse_id: 'DE*RS*N2' },
      ],
    });
    expect(created.status).toBe(201);
    const published = await waitFor(
      async () => lastStatusOf('CP-NEW'),
      15000,
      'CP-NEW on chargers.status.v1',
    );
    expect(createEnvelopeValidator()(published)).toEqual([]);
    expect(published).toMatchObject({ type: 'ChargerStatusChanged', subject: 'CP-NEW' });
    expect(published.data).toMatchObject({
      chargePointId: 'CP-NEW',
      fleetId: 'fleet-1',
      active: true,
      online: false,
      onlineSince: null,
      gatewayId: null,
      boot: null,
      connectors: [
        { connectorId: 1, evseId: 'DE*RS*N1', status: null, sessionId: null },
        { connectorId: 2, evseId: 'DE*RS*N2', status: null, sessionId: null },
      ],
    });
    const view = (await api('GET', '/v1/chargers/CP-NEW')).body;
    expect(published.data.connectors.map((c: Json) => c.evseId)).toEqual(
      view.connectors.map((c: Json) => c.evse_id),
    );
    expect(published.data.updatedAt).toBe(view.updated_at);
    await settle();
    expect(statusesOf('CP-NEW')).toHaveLength(1);
  });

  it('PATCH of an EVSE id publishes the picture with the new EVSE id before the charger reports anything; a PATCH to the same fleet and a password rotation publish none', async () => {
    const cp = new GatewayRecords('CP-PAT', 'fleet-1', 'gw-1');
    expect(
      (
        await api('POST', '/v1/chargers', {
          id: 'CP-PAT',
          fleet: 'fleet-1',
          generate: true,
          connectors: [{ connector_id: 1, evse_id: 'DE*RS*P1' }],
        })
      ).status,
    ).toBe(201);
    await publish([
      cp.connected({ '1': 'DE*RS*P1' }, at(0)),
      cp.call(
        'BootNotification',
        { chargePointVendor: 'ACME', chargePointModel: 'Wall-22' },
        { status: 'Accepted', currentTime: at(0.1).toISOString(), interval: 300 },
        at(0.1),
      ),
      cp.status(1, 'Available', at(0.2)),
    ]);
    await waitFor(async () => lastStatusOf('CP-PAT')?.data.connectors[0]?.status === 'Available');
    const count = statusesOf('CP-PAT').length;

    const patched = await api('PATCH', '/v1/chargers/CP-PAT', {
      connectors: [{ connector_id: 1, evse_id: 'DE*RS*P1-NEW' }],
    });
    expect(patched.status).toBe(200);
    const published = await waitFor(
      async () => (statusesOf('CP-PAT').length > count ? lastStatusOf('CP-PAT') : null),
      15000,
      'the PATCHed picture',
    );
    // The whole picture: what the charger reported stays, the EVSE id is the new one.
    expect(published.data).toMatchObject({
      chargePointId: 'CP-PAT',
      fleetId: 'fleet-1',
      active: true,
      online: true,
      gatewayId: 'gw-1',
      boot: { vendor: 'ACME', model: 'Wall-22' },
      connectors: [{ connectorId: 1, evseId: 'DE*RS*P1-NEW', status: 'Available' }],
    });
    expect(statusesOf('CP-PAT')).toHaveLength(count + 1);

    // Nothing of the picture changes: no picture (the registry record is still published).
    const same = await api('PATCH', '/v1/chargers/CP-PAT', { fleet: 'fleet-1' });
    expect(same.status).toBe(200);
    const version = Number((await row('CP-PAT')).version);
    const [rotated] = await Promise.all([
      api('POST', '/v1/chargers/CP-PAT/password', { generate: true }),
      applyAfter('CP-PAT', version),
    ]);
    expect(rotated.status).toBe(200);
    await settle();
    expect(statusesOf('CP-PAT')).toHaveLength(count + 1);

    // A fleet change is published (the picture names the fleet).
    expect((await api('PATCH', '/v1/chargers/CP-PAT', { fleet: 'fleet-2' })).status).toBe(200);
    const moved = await waitFor(async () =>
      lastStatusOf('CP-PAT')?.data.fleetId === 'fleet-2' ? lastStatusOf('CP-PAT') : null,
    );
    expect(moved.data.connectors).toMatchObject([{ connectorId: 1, evseId: 'DE*RS*P1-NEW' }]);
  });

  it('deactivating an offline charger publishes its picture with active:false; deactivating it again publishes nothing', async () => {
    const cp = new GatewayRecords('CP-OFF', 'fleet-1', 'gw-2');
    expect(
      (
        await api('POST', '/v1/chargers', {
          id: 'CP-OFF',
          fleet: 'fleet-1',
          generate: true,
          connectors: [{ connector_id: 1, evse_id: 'DE*RS*O1' }],
        })
      ).status,
    ).toBe(201);
    await publish([cp.connected({ '1': 'DE*RS*O1' }, at(0)), cp.status(1, 'Available', at(0.1))]);
    await publish([cp.disconnected(at(1))]);
    await waitFor(
      async () =>
        lastStatusOf('CP-OFF')?.data.online === false &&
        lastStatusOf('CP-OFF')?.data.onlineSince === at(1).toISOString(),
    );
    const count = statusesOf('CP-OFF').length;

    const version = Number((await row('CP-OFF')).version);
    const [res] = await Promise.all([api('DELETE', '/v1/chargers/CP-OFF'), applyAfter('CP-OFF', version)]);
    expect(res).toMatchObject({ status: 200, body: { active: false, online: false } });
    const published = await waitFor(
      async () => (statusesOf('CP-OFF').length > count ? lastStatusOf('CP-OFF') : null),
      15000,
      'the deactivated picture',
    );
    expect(createEnvelopeValidator()(published)).toEqual([]);
    expect(published.data).toMatchObject({
      chargePointId: 'CP-OFF',
      fleetId: 'fleet-1',
      active: false,
      online: false,
      onlineSince: at(1).toISOString(),
      connectors: [{ connectorId: 1, evseId: 'DE*RS*O1', status: 'Available' }],
    });

    expect((await api('DELETE', '/v1/chargers/CP-OFF')).status).toBe(200);
    await settle();
    expect(statusesOf('CP-OFF')).toHaveLength(count + 1);
  });

  it('PATCHes racing status reports of the same charger: the last picture on the topic has both the last EVSE id and the last status (neither change lost)', async () => {
    const cp = new GatewayRecords('CP-RACE', 'fleet-3', 'gw-3');
    expect(
      (
        await api('POST', '/v1/chargers', {
          id: 'CP-RACE',
          fleet: 'fleet-3',
          generate: true,
          connectors: [{ connector_id: 1, evse_id: 'DE*RACE*0' }],
        })
      ).status,
    ).toBe(201);
    await publish([cp.connected({ '1': 'DE*RACE*0' }, at(0))]);
    await waitFor(async () => lastStatusOf('CP-RACE')?.data.online === true);
    const states = ['Preparing', 'SuspendedEV', 'Unavailable', 'Finishing', 'Available'];
    const rounds = 10;
    for (let i = 1; i <= rounds; i++) {
      const [patched] = await Promise.all([
        api('PATCH', '/v1/chargers/CP-RACE', { connectors: [{ connector_id: 1, evse_id: `DE*RACE*${i}` }] }),
        publish([cp.status(1, states[i % states.length], at(i))]),
      ]);
      expect(patched.status).toBe(200);
    }
    const last = states[rounds % states.length];
    // The view settles on both last changes; so must the last picture published.
    await waitFor(async () => {
      const v = (await api('GET', '/v1/chargers/CP-RACE')).body;
      return v.connectors[0].status === last && v.connectors[0].since === at(rounds).toISOString();
    });
    const view = (await api('GET', '/v1/chargers/CP-RACE')).body;
    expect(view.connectors[0]).toMatchObject({ evse_id: `DE*RACE*${rounds}`, status: last });
    const published = await waitFor(
      async () => {
        const s = lastStatusOf('CP-RACE');
        return s?.data.connectors[0].evseId === `DE*RACE*${rounds}` && s.data.connectors[0].status === last
          ? s
          : null;
      },
      15000,
      'the last picture with both changes',
    );
    expect(published.data.connectors).toEqual(
      view.connectors.map((c: Json) => ({
        connectorId: c.connector_id,
        evseId: c.evse_id,
        status: c.status,
        errorCode: c.error_code,
        info: c.info,
        vendorId: c.vendor_id,
        vendorErrorCode: c.vendor_error_code,
        since: c.since,
        sessionId: c.session_id,
      })),
    );
    // And it stays the last one.
    await settle();
    expect(lastStatusOf('CP-RACE')).toEqual(published);
  });

  /** A connection of its own whose statements run one after the other (no pipelining). */
  const connection = async () => {
    const c = new Client({ connectionString: h.db.url });
    await c.connect();
    return c;
  };

  it('an ingest batch whose reads straddle a registry change committing is refused at its status append (the consumer retries it on fresh reads)', async () => {
    const cp = new GatewayRecords('CP-STR', 'fleet-4', 'gw-4');
    expect(
      (
        await api('POST', '/v1/chargers', {
          id: 'CP-STR',
          fleet: 'fleet-4',
          generate: true,
          connectors: [{ connector_id: 1, evse_id: 'DE*STR*1' }],
        })
      ).status,
    ).toBe(201);
    await publish([cp.connected({ '1': 'DE*STR*1' }, at(0))]);
    await waitFor(async () => lastStatusOf('CP-STR')?.data.online === true);

    // The batch's reads run; right after the registry entry was read, a PATCH commits (it appends
    // the picture with the new EVSE id). The batch's picture would carry the old one.
    const client = await connection();
    let patched = false;
    const tx = new Proxy(client, {
      get(target, prop) {
        if (prop === 'query')
          return async (...args: unknown[]) => {
            const r = await (target.query as (...a: unknown[]) => Promise<unknown>)(...args);
            if (!patched && typeof args[0] === 'string' && args[0].includes('from charger_registry where')) {
              patched = true;
              const res = await api('PATCH', '/v1/chargers/CP-STR', {
                connectors: [{ connector_id: 1, evse_id: 'DE*STR*2' }],
              });
              expect(res.status).toBe(200);
            }
            return r;
          };
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const ingest = h.app.get(SessionServiceComposition).ingest;
    try {
      await client.query('begin');
      const batch = [JSON.parse(cp.status(1, 'Unavailable', at(1)).value)];
      await expect(ingest.handle(tx, batch)).rejects.toMatchObject({ name: 'WrongExpectedVersionError' });
      expect(patched).toBe(true);
    } finally {
      await client.query('rollback');
      await client.end();
    }
    const published = await waitFor(async () =>
      lastStatusOf('CP-STR')?.data.connectors[0].evseId === 'DE*STR*2' ? lastStatusOf('CP-STR') : null,
    );
    expect(published.data.connectors[0].status).toBeNull();
  });

  it('a registry change whose picture was read before an ingest batch committed is refused at its append (the transaction runner re-runs it)', async () => {
    const cp = new GatewayRecords('CP-STR2', 'fleet-4', 'gw-4');
    expect(
      (await api('POST', '/v1/chargers', { id: 'CP-STR2', fleet: 'fleet-4', generate: true })).status,
    ).toBe(201);
    await publish([cp.connected({}, at(0))]);
    await waitFor(async () => lastStatusOf('CP-STR2')?.data.online === true);
    const outbox = new RegistryStatusOutbox({
      queries: new PostgresChargerStatusQueries(h.app.get(SessionServiceComposition).pool),
      statuses: new ChargerStore(),
    });
    const client = await connection();
    try {
      await client.query('begin');
      const before = await outbox.before(client, 'CP-STR2');
      // Meanwhile ingest commits a new picture of the charger.
      await publish([cp.disconnected(at(1))]);
      await waitFor(async () => lastStatusOf('CP-STR2')?.data.online === false);
      await client.query(`update charger_registry set active = false where charge_point_id = 'CP-STR2'`);
      await expect(outbox.after(client, before, randomUUID())).rejects.toMatchObject({
        name: 'WrongExpectedVersionError',
      });
    } finally {
      await client.query('rollback');
      await client.end();
    }
  });
});
