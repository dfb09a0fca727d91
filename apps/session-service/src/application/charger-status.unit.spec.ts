import fc from 'fast-check';
import {
  makeEnvelope,
  OCPP_EVENT_SCHEMAS,
  OCPP_EVENTS_SOURCE,
  type ChargerStatus,
  type Envelope,
} from '@app/contracts';
import { GatewayRecords, type GatewayRecord } from '../testing/gateway-records';
import { Gateway201Records } from '../testing/gateway-records-201';
import {
  affectsChargerStatus,
  ChargerStatusFold,
  type ChargerProjection,
  type RegistryEntry,
} from './charger-status';
import type { ChargerStatusEvent, ChargerStatusRepository } from './charger-status-ports';
import { IngestOcppEvents } from './ingest-ocpp-events';
import type { ChargerRepository, ConnectorRow, LoadedSession, SessionRepository, Tx } from './ports';

const TX = {} as Tx;
const CP = 'CP-S';
const FLEET = 'fleet-s';
const at = (minutes: number) => new Date(Date.parse('2026-03-01T08:00:00.000Z') + minutes * 60_000);
const env = (r: GatewayRecord) => JSON.parse(r.value) as Envelope;

function disconnected(g: GatewayRecords, when: Date, gatewayId = g.gatewayId): Envelope {
  return makeEnvelope({
    type: 'ChargerDisconnected',
    source: OCPP_EVENTS_SOURCE,
    subject: g.chargePointId,
    schema: OCPP_EVENT_SCHEMAS.ChargerDisconnected,
    time: when,
    data: {
      chargePointId: g.chargePointId,
      fleetId: g.fleetId,
      gatewayId,
      disconnectedAt: when.toISOString(),
      code: 1006,
      reason: 'closed-by-charger',
    },
  });
}

function registryApplied(chargePointId: string, version: number): Envelope {
  return makeEnvelope({
    type: 'ChargerRegistryApplied',
    source: OCPP_EVENTS_SOURCE,
    subject: chargePointId,
    schema: OCPP_EVENT_SCHEMAS.ChargerRegistryApplied,
    data: {
      chargePointId,
      version,
      gatewayId: 'gw-1',
      appliedAt: at(0).toISOString(),
      closedConnection: false,
    },
  });
}

const boot = (g: GatewayRecords, when: Date) =>
  env(
    g.call(
      'BootNotification',
      {
        chargePointVendor: 'ACME',
        chargePointModel: 'Wall-22',
        chargePointSerialNumber: 'SN-7',
        firmwareVersion: '1.4.2',
        iccid: '8949000000000000007',
        imsi: '262010000000007',
      },
      { status: 'Accepted', currentTime: when.toISOString(), interval: 300 },
      when,
    ),
  );

const statusReport = (g: GatewayRecords, connectorId: number, status: string, when: Date, extra = {}) =>
  env(
    g.call(
      'StatusNotification',
      { connectorId, errorCode: 'NoError', status, timestamp: when.toISOString(), ...extra },
      {},
      when,
    ),
  );

/**
 * In-memory stores behind the ingest use case: what it writes is what the next batch loads, as
 * with Postgres. `published` are the ChargerStatusChanged appended, in order.
 */
function memoryIngest(registry: RegistryEntry[] = []) {
  const sessions = new Map<string, LoadedSession>();
  const chargers = new Map<string, ChargerProjection>();
  const connectors = new Map<string, ConnectorRow>();
  const versions = new Map<string, number>();
  const applied = new Map<string, number>();
  const published: ChargerStatus[] = [];
  const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
  const sessionRepo = {
    loadForChargers: async (_tx: Tx, cps: string[]) =>
      [...sessions.values()].filter((s) => cps.includes(s.state.chargePointId ?? '')),
    save: async (
      _tx: Tx,
      uow: { changed(): { state: LoadedSession['state']; expectedVersion: number; events: unknown[] }[] },
    ) =>
      uow.changed().map((c) => {
        sessions.set(c.state.sessionId, { state: c.state, version: c.expectedVersion + c.events.length });
        return c.state;
      }),
  } as unknown as SessionRepository;
  const store: Pick<
    ChargerRepository,
    'loadConnectors' | 'saveConnectors' | 'saveAnomalies' | 'loadCandidateTariffs'
  > &
    ChargerStatusRepository = {
    loadConnectors: async (_tx, cps) =>
      [...connectors.values()].filter((c) => cps.includes(c.chargePointId)).map(copy),
    saveConnectors: async (_tx, rows) => {
      for (const r of rows) {
        const { evseReported, ...row } = copy(r);
        const stored = connectors.get(`${r.chargePointId}:${r.connectorId}`);
        connectors.set(`${r.chargePointId}:${r.connectorId}`, {
          ...row,
          evse: evseReported || !stored ? row.evse : stored.evse,
        });
      }
    },
    saveAnomalies: async () => undefined,
    loadCandidateTariffs: async () => [],
    loadChargers: async (_tx, cps) =>
      cps.flatMap((cp) => (chargers.has(cp) ? [copy(chargers.get(cp)!)] : [])),
    loadRegistryEntries: async (_tx, cps) => registry.filter((r) => cps.includes(r.chargePointId)),
    loadStatusVersions: async (_tx, cps) =>
      new Map(cps.flatMap((cp) => (versions.has(cp) ? [[cp, versions.get(cp)!] as const] : []))),
    saveChargers: async (_tx, rows) => {
      for (const r of rows) {
        const { registrationReported, ...row } = copy(r);
        void registrationReported;
        chargers.set(r.chargePointId, row);
      }
    },
    touchLastMessages: async (_tx, rows) => {
      for (const r of rows) {
        const c = chargers.get(r.chargePointId);
        if (c && (!c.lastMessageAt || c.lastMessageAt < r.at)) c.lastMessageAt = r.at;
      }
    },
    appendStatuses: async (_tx, events: ChargerStatusEvent[]) => {
      for (const e of events) {
        const cp = e.status.chargePointId;
        if ((versions.get(cp) ?? 0) !== e.expectedVersion) throw new Error(`wrong expected version of ${cp}`);
        versions.set(cp, e.expectedVersion + 1);
        published.push(copy(e.status));
      }
    },
    recordRegistryApplied: async (_tx, rows) => {
      for (const r of rows)
        applied.set(r.chargePointId, Math.max(applied.get(r.chargePointId) ?? 0, r.version));
    },
  };
  const ingest = new IngestOcppEvents(sessionRepo, store as ChargerRepository & ChargerStatusRepository);
  return {
    /** One Kafka batch, in one transaction. */
    batch: (...envelopes: Envelope[]) => ingest.handle(TX, envelopes),
    published,
    chargers,
    connectors,
    applied,
    last: () => published[published.length - 1],
  };
}

describe('charger status: given ocpp.v16.events batches, then the ChargerStatusChanged published', () => {
  const g = () => new GatewayRecords(CP, FLEET, 'gw-1');

  it('a connect with EVSE ids, a boot and connector reports: one picture per batch, online, boot data, connectors', async () => {
    const gw = g();
    const m = memoryIngest();
    const r = await m.batch(
      env(gw.connected({ '1': 'DE*S*E1', '2': 'DE*S*E2' }, at(0))),
      boot(gw, at(0.1)),
      statusReport(gw, 1, 'Available', at(0.2)),
      statusReport(gw, 2, 'Faulted', at(0.3), {
        errorCode: 'GroundFailure',
        info: 'RCD tripped',
        vendorId: 'com.acme',
        vendorErrorCode: 'E42',
      }),
    );
    expect(r.chargerStatuses).toBe(1);
    expect(m.published).toEqual([
      {
        chargePointId: CP,
        fleetId: FLEET,
        protocol: 'ocpp1.6',
        active: true,
        online: true,
        onlineSince: at(0).toISOString(),
        lastMessageAt: at(0.3).toISOString(),
        gatewayId: 'gw-1',
        boot: {
          vendor: 'ACME',
          model: 'Wall-22',
          chargePointSerialNumber: 'SN-7',
          chargeBoxSerialNumber: null,
          firmwareVersion: '1.4.2',
          iccid: '8949000000000000007',
          imsi: '262010000000007',
          meterType: null,
          meterSerialNumber: null,
          bootedAt: at(0.1).toISOString(),
        },
        connectors: [
          {
            connectorId: 1,
            evseId: 'DE*S*E1',
            status: 'Available',
            errorCode: 'NoError',
            info: null,
            vendorId: null,
            vendorErrorCode: null,
            since: at(0.2).toISOString(),
            sessionId: null,
          },
          {
            connectorId: 2,
            evseId: 'DE*S*E2',
            status: 'Faulted',
            errorCode: 'GroundFailure',
            info: 'RCD tripped',
            vendorId: 'com.acme',
            vendorErrorCode: 'E42',
            since: at(0.3).toISOString(),
            sessionId: null,
          },
        ],
        firmware: null,
        diagnostics: null,
        updatedAt: at(0.3).toISOString(),
      },
    ]);
  });

  it('Heartbeats and MeterValues alone publish nothing, yet move lastMessageAt', async () => {
    const gw = g();
    const m = memoryIngest();
    await m.batch(env(gw.connected({}, at(0))));
    const r = await m.batch(env(gw.heartbeat(at(5))), env(gw.call('Heartbeat', {}, {}, at(6))));
    expect(r.chargerStatuses).toBe(0);
    expect(m.published).toHaveLength(1);
    expect(m.chargers.get(CP)!.lastMessageAt).toBe(at(6).toISOString());
  });

  it('a redelivered report (same timestamp, same content) publishes nothing', async () => {
    const gw = g();
    const m = memoryIngest();
    await m.batch(env(gw.connected({}, at(0))), statusReport(gw, 1, 'Available', at(1)));
    await m.batch(statusReport(gw, 1, 'Available', at(1)));
    expect(m.published).toHaveLength(1);
  });

  it('the connector shows the session started on it, until the connector is free again', async () => {
    const gw = g();
    const m = memoryIngest();
    await m.batch(env(gw.connected({ '1': 'DE*S*E1' }, at(0))), statusReport(gw, 1, 'Preparing', at(1)));
    await m.batch(env(gw.startTransaction(1, 77, 1000, at(2))));
    const sessionId = m.last().connectors[0].sessionId;
    expect(sessionId).toEqual(expect.any(String));
    await m.batch(statusReport(gw, 1, 'Charging', at(3)));
    expect(m.last().connectors[0]).toMatchObject({ status: 'Charging', sessionId });
    await m.batch(env(gw.stopTransaction(77, 5000, at(30))), statusReport(gw, 1, 'Finishing', at(30.1)));
    expect(m.last().connectors[0]).toMatchObject({ status: 'Finishing', sessionId });
    await m.batch(statusReport(gw, 1, 'Available', at(31)));
    expect(m.last().connectors[0]).toMatchObject({ status: 'Available', sessionId: null });
  });

  it('firmware and diagnostics status notifications, then a disconnect: offline since then, no gateway', async () => {
    const gw = g();
    const m = memoryIngest();
    await m.batch(env(gw.connected({}, at(0))));
    await m.batch(
      env(gw.call('FirmwareStatusNotification', { status: 'Downloading' }, {}, at(1))),
      env(gw.call('FirmwareStatusNotification', { status: 'Installed' }, {}, at(2))),
      env(gw.call('DiagnosticsStatusNotification', { status: 'Uploaded' }, {}, at(3))),
    );
    expect(m.published).toHaveLength(2);
    expect(m.last()).toMatchObject({
      firmware: { status: 'Installed', at: at(2).toISOString() },
      diagnostics: { status: 'Uploaded', at: at(3).toISOString() },
    });
    await m.batch(disconnected(gw, at(4)));
    expect(m.last()).toMatchObject({ online: false, onlineSince: at(4).toISOString(), gatewayId: null });
  });

  it('a late disconnect from a replica that no longer holds the charger leaves it online on the new one', async () => {
    const gw = g();
    const moved = new GatewayRecords(CP, FLEET, 'gw-2');
    const m = memoryIngest();
    await m.batch(env(gw.connected({}, at(0))));
    await m.batch(env(moved.connected({}, at(5))), disconnected(gw, at(5.1)));
    expect(m.last()).toMatchObject({ online: true, gatewayId: 'gw-2', onlineSince: at(5).toISOString() });
  });

  it('active and fleet come from the registry entry; a charger without one is active', async () => {
    const m = memoryIngest([
      { chargePointId: CP, fleetId: FLEET, active: false, evseIds: { '3': 'DE*S*E3' } },
    ]);
    await m.batch(
      env(g().connected({}, at(0))),
      env(new GatewayRecords('CP-DEV', 'dev').connected({}, at(0))),
    );
    const byId = new Map(m.published.map((s) => [s.chargePointId, s]));
    expect(byId.get(CP)).toMatchObject({
      active: false,
      connectors: [{ connectorId: 3, evseId: 'DE*S*E3' }],
    });
    expect(byId.get('CP-DEV')).toMatchObject({ active: true, fleetId: 'dev', connectors: [] });
  });

  it('ChargerRegistryApplied records the newest applied version and changes no picture', async () => {
    const m = memoryIngest();
    const r = await m.batch(registryApplied(CP, 7), registryApplied(CP, 5), registryApplied('CP-2', 3));
    expect(r.chargerStatuses).toBe(0);
    expect(Object.fromEntries(m.applied)).toEqual({ [CP]: 7, 'CP-2': 3 });
  });
});

describe('charger status: out-of-order StatusNotifications', () => {
  it('an older report than the stored one does not overwrite it (and publishes nothing)', async () => {
    const gw = new GatewayRecords(CP, FLEET);
    const m = memoryIngest();
    await m.batch(env(gw.connected({}, at(0))), statusReport(gw, 1, 'Charging', at(10)));
    const r = await m.batch(statusReport(gw, 1, 'Preparing', at(9)));
    expect(r.chargerStatuses).toBe(0);
    expect(m.connectors.get(`${CP}:1`)).toMatchObject({ status: 'Charging', statusAt: at(10).toISOString() });
  });

  it("property: for any order and any batching of one connector's reports, the stored and last published status is the latest timestamp's", async () => {
    const STATUSES = [
      'Available',
      'Preparing',
      'Charging',
      'SuspendedEV',
      'Finishing',
      'Faulted',
      'Unavailable',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc
          .uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 12 })
          .chain((minutes) =>
            fc.tuple(
              fc.shuffledSubarray(
                minutes.map((t, i) => ({ t, status: STATUSES[i % STATUSES.length] })),
                { minLength: minutes.length, maxLength: minutes.length },
              ),
              fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }),
            ),
          ),
        async ([reports, sizes]) => {
          const gw = new GatewayRecords(CP, FLEET);
          const m = memoryIngest();
          await m.batch(env(gw.connected({}, at(-1))));
          const records = reports.map((r) => statusReport(gw, 1, r.status, at(r.t)));
          for (let i = 0, b = 0; i < records.length; b++) {
            const n = sizes[b % sizes.length];
            await m.batch(...records.slice(i, i + n));
            i += n;
          }
          const latest = reports.reduce((a, b) => (b.t > a.t ? b : a));
          expect(m.connectors.get(`${CP}:1`)).toMatchObject({
            status: latest.status,
            statusAt: at(latest.t).toISOString(),
          });
          expect(m.last().connectors).toEqual([
            expect.objectContaining({
              connectorId: 1,
              status: latest.status,
              since: at(latest.t).toISOString(),
            }),
          ]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('ChargerStatusFold', () => {
  it('nothing to publish for a registered charger no record of the batch named', () => {
    const fold = new ChargerStatusFold(
      [],
      [],
      [{ chargePointId: CP, fleetId: FLEET, active: true, evseIds: { '1': 'DE*S*E1' } }],
    );
    expect(fold.changes()).toEqual([]);
  });

  it("a batch folded without the chargers' state only collects last message times", () => {
    const gw = new GatewayRecords(CP, FLEET);
    const fold = new ChargerStatusFold([], [], [], false);
    fold.apply(env(gw.heartbeat(at(1))));
    fold.apply(env(gw.heartbeat(at(3))));
    fold.apply(env(gw.heartbeat(at(2))));
    expect(fold.lastMessageTimes()).toEqual([{ chargePointId: CP, fleetId: FLEET, at: at(3).toISOString() }]);
    expect(fold.chargerRows()).toEqual([]);
    expect(fold.changes()).toEqual([]);
  });
});

describe('charger status: given ocpp.v201.events batches (OCPP 2.0.1), then the ChargerStatusChanged published', () => {
  const g201 = () => new Gateway201Records(CP, FLEET, 'gw-1');

  it('a 2.0.1 connect, boot and firmware report: protocol ocpp2.0.1, the boot data under the 1.6 names', async () => {
    const gw = g201();
    const m = memoryIngest();
    await m.batch(
      env(gw.connected({ '1': 'DE*S*E1' }, at(0))),
      env(
        gw.boot(at(0.1), {
          serialNumber: 'SN-201',
          model: 'Wall-201',
          vendorName: 'ACME',
          firmwareVersion: '2.0.7',
          modem: { iccid: '8949000000000000201', imsi: '262010000000201' },
        }),
      ),
    );
    expect(m.last()).toMatchObject({
      protocol: 'ocpp2.0.1',
      online: true,
      gatewayId: 'gw-1',
      boot: {
        vendor: 'ACME',
        model: 'Wall-201',
        chargePointSerialNumber: 'SN-201',
        chargeBoxSerialNumber: null,
        firmwareVersion: '2.0.7',
        iccid: '8949000000000000201',
        imsi: '262010000000201',
        meterType: null,
        meterSerialNumber: null,
        bootedAt: at(0.1).toISOString(),
      },
      connectors: [{ connectorId: 1, evseId: 'DE*S*E1' }],
    });
    expect(m.chargers.get(CP)!.protocol).toBe('ocpp2.0.1');

    const r = await m.batch(
      env(gw.firmwareStatus('Downloading', at(1))),
      env(gw.firmwareStatus('Installed', at(2))),
    );
    expect(r.chargerStatuses).toBe(1);
    expect(m.last()).toMatchObject({
      protocol: 'ocpp2.0.1',
      firmware: { status: 'Installed', at: at(2).toISOString() },
    });
  });

  it('a boot without serial number or modem: nulls, not empty strings', async () => {
    const gw = g201();
    const m = memoryIngest();
    await m.batch(env(gw.connected({}, at(0))), env(gw.boot(at(1))));
    expect(m.last().boot).toEqual({
      vendor: 'ACME',
      model: 'Wall-201',
      chargePointSerialNumber: null,
      chargeBoxSerialNumber: null,
      firmwareVersion: null,
      iccid: null,
      imsi: null,
      meterType: null,
      meterSerialNumber: null,
      bootedAt: at(1).toISOString(),
    });
  });

  it("the protocol is the standing connection's: 2.0.1, then 1.6 after a reconnect; a late 2.0.1 connect changes nothing", async () => {
    const m = memoryIngest();
    await m.batch(env(g201().connected({}, at(0))));
    expect(m.last().protocol).toBe('ocpp2.0.1');
    await m.batch(disconnected(new GatewayRecords(CP, FLEET, 'gw-1'), at(1)));
    await m.batch(env(new GatewayRecords(CP, FLEET, 'gw-2').connected({}, at(2))));
    // A 1.6 ChargerConnected from before issue 13 has no protocol field: 1.6.
    expect(m.last()).toMatchObject({ protocol: 'ocpp1.6', online: true, gatewayId: 'gw-2' });
    await m.batch(env(g201().connected({}, at(1.5))));
    expect(m.last()).toMatchObject({ protocol: 'ocpp1.6', gatewayId: 'gw-2' });
    expect(m.chargers.get(CP)!.protocol).toBe('ocpp1.6');
  });

  it('an EVSE shows the 2.0.1 session started on it, also when the first energy reading comes with an Updated', async () => {
    const gw = g201();
    const m = memoryIngest();
    const tx = { transactionId: 'tx-e1', evseId: 1 };
    const reading = (value: string, context: string) => [
      { value, unit: 'kWh', measurand: 'Energy.Active.Import.Register', context },
    ];
    await m.batch(env(gw.connected({ '1': 'DE*S*E1' }, at(0))), env(gw.status(1, 'Occupied', at(1))));
    // No energy reading: no session yet (route-ocpp201-record.ts).
    await m.batch(env(gw.transactionEvent({ ...tx, eventType: 'Started', seqNo: 0, at: at(2) })));
    expect(m.last().connectors[0]).toMatchObject({ status: 'Occupied', sessionId: null });
    // A batch of an Updated alone: the session starts here, the EVSE row is the stored one.
    await m.batch(
      env(
        gw.transactionEvent({
          ...tx,
          eventType: 'Updated',
          seqNo: 1,
          at: at(3),
          readings: reading('1.5', 'Sample.Periodic'),
        }),
      ),
    );
    const sessionId = m.last().connectors[0].sessionId;
    expect(sessionId).toEqual(expect.any(String));
    expect(m.last().connectors[0]).toMatchObject({ connectorId: 1, evseId: 'DE*S*E1', status: 'Occupied' });
    await m.batch(
      env(
        gw.transactionEvent({
          ...tx,
          eventType: 'Ended',
          seqNo: 2,
          at: at(30),
          readings: reading('9.5', 'Transaction.End'),
        }),
      ),
      env(gw.status(1, 'Available', at(31))),
    );
    expect(m.last().connectors[0]).toMatchObject({ status: 'Available', sessionId: null });
  });

  it('a station back on 2.0.1 after a 1.6 connection: online on 2.0.1 whatever the order the two topics are folded in', async () => {
    const old16 = new GatewayRecords(CP, FLEET, 'gw-1');
    const records = {
      c16: env(old16.connected({}, at(0))),
      d16: disconnected(old16, at(1)),
      c201: env(g201().connected({}, at(2))),
    };
    // Each topic's records keep their order; the topics interleave in any way.
    for (const order of [
      ['c16', 'd16', 'c201'],
      ['c16', 'c201', 'd16'],
      ['c201', 'c16', 'd16'],
    ] as const) {
      const m = memoryIngest();
      for (const k of order) await m.batch(records[k]);
      expect({ order, picture: m.last() }).toMatchObject({
        order,
        picture: { protocol: 'ocpp2.0.1', online: true, onlineSince: at(2).toISOString(), gatewayId: 'gw-1' },
      });
    }
  });

  it('a 2.0.1 station first seen through a status report (no connect folded) is on 2.0.1', async () => {
    const m = memoryIngest();
    await m.batch(env(g201().status(1, 'Available', at(1))));
    expect(m.last()).toMatchObject({
      protocol: 'ocpp2.0.1',
      connectors: [{ connectorId: 1, status: 'Available' }],
    });
    expect(m.chargers.get(CP)!.protocol).toBe('ocpp2.0.1');
  });

  it('2.0.1 Heartbeats move lastMessageAt and publish nothing', async () => {
    const gw = g201();
    const m = memoryIngest();
    await m.batch(env(gw.connected({}, at(0))));
    const r = await m.batch(env(gw.heartbeat(at(5))));
    expect(r.chargerStatuses).toBe(0);
    expect(m.published).toHaveLength(1);
    expect(m.chargers.get(CP)!.lastMessageAt).toBe(at(5).toISOString());
  });
});

describe('affectsChargerStatus', () => {
  const gw = new Gateway201Records(CP, FLEET);
  const tx = (eventType: 'Started' | 'Updated' | 'Ended') =>
    env(gw.transactionEvent({ eventType, transactionId: 'tx-1', seqNo: 0, at: at(0), evseId: 1 }));
  it.each([
    ['2.0.1 BootNotification', true, env(gw.boot(at(0)))],
    ['2.0.1 StatusNotification', true, env(gw.status(1, 'Occupied', at(0)))],
    ['2.0.1 FirmwareStatusNotification', true, env(gw.firmwareStatus('Installed', at(0)))],
    ['2.0.1 TransactionEvent Started', true, tx('Started')],
    ['2.0.1 TransactionEvent Updated', false, tx('Updated')],
    ['2.0.1 TransactionEvent Ended', false, tx('Ended')],
    ['2.0.1 Heartbeat', false, env(gw.heartbeat(at(0)))],
    ['2.0.1 ChargerConnected', true, env(gw.connected({}, at(0)))],
    ['1.6 StartTransaction', true, env(new GatewayRecords(CP, FLEET).startTransaction(1, 1, 0, at(0)))],
    ['1.6 MeterValues', false, env(new GatewayRecords(CP, FLEET).meterValues(1, 1, 0, at(0)))],
  ])('%s → %s', (_name, expected, e) => {
    expect(affectsChargerStatus(e)).toBe(expected);
  });
});
