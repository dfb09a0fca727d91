import { parseQuery, QueryError } from '@app/http';
import type { ChargerListFilter, ChargerRecord, ChargerStatusQueries } from './charger-status-ports';
import { encodeChargerCursor, LIST_CHARGERS_QUERY, ReadChargers, toChargerView } from './charger-view';
import { RegistryError } from './charger-registry-ports';

const T = '2026-05-01T10:00:00.000Z';
const registeredOnly: ChargerRecord = {
  chargePointId: 'CP-R',
  charger: null,
  connectors: [],
  registry: {
    chargePointId: 'CP-R',
    fleetId: 'f-1',
    active: false,
    evseIds: { '2': 'DE*V*E2', '1': 'DE*V*E1' },
  },
  createdAt: T,
  updatedAt: T,
};

function fakeQueries(records: ChargerRecord[]) {
  const calls: ChargerListFilter[] = [];
  const queries: ChargerStatusQueries = {
    find: async (id) => records.find((r) => r.chargePointId === id) ?? null,
    list: async (f) => {
      calls.push(f);
      return records
        .filter((r) => f.fleetId === undefined || (r.registry?.fleetId ?? r.charger?.fleetId) === f.fleetId)
        .filter((r) => f.after === undefined || r.chargePointId > f.after)
        .slice(0, f.limit);
    },
  };
  return { queries, calls };
}

describe('charger view', () => {
  it('a registered charger that never connected: offline, no boot, its registered connectors by id', () => {
    expect(toChargerView(registeredOnly)).toEqual({
      id: 'CP-R',
      fleet: 'f-1',
      active: false,
      online: false,
      online_since: null,
      last_message_at: null,
      gateway_id: null,
      protocol: 'ocpp1.6',
      boot: null,
      connectors: [1, 2].map((n) => ({
        connector_id: n,
        evse_id: `DE*V*E${n}`,
        status: null,
        error_code: null,
        info: null,
        vendor_id: null,
        vendor_error_code: null,
        since: null,
        session_id: null,
      })),
      firmware: null,
      diagnostics: null,
      created_at: T,
      updated_at: T,
    });
  });

  const other = {
    ...registeredOnly,
    chargePointId: 'CP-S',
    registry: { ...registeredOnly.registry!, chargePointId: 'CP-S', fleetId: 'f-2' },
  };

  it("a fleet credential gets 404 CHARGER_NOT_FOUND for another fleet's charger, as for an unknown one", async () => {
    const read = new ReadChargers(fakeQueries([registeredOnly, other]).queries);
    await expect(read.get({ kind: 'fleet', fleetId: 'f-1' }, 'CP-R')).resolves.toMatchObject({ id: 'CP-R' });
    for (const id of ['CP-S', 'CP-X'])
      await expect(read.get({ kind: 'fleet', fleetId: 'f-1' }, id)).rejects.toEqual(
        new RegistryError(404, 'CHARGER_NOT_FOUND', `no charger ${id}`),
      );
    await expect(read.get({ kind: 'all' }, 'CP-S')).resolves.toMatchObject({ fleet: 'f-2' });
  });

  it("a fleet credential's list is its fleet's; asking for another fleet gives none without a query", async () => {
    const { queries, calls } = fakeQueries([registeredOnly, other]);
    const read = new ReadChargers(queries);
    const q = (raw: Record<string, string>) => parseQuery(LIST_CHARGERS_QUERY, raw);
    expect((await read.list({ kind: 'fleet', fleetId: 'f-1' }, q({}))).chargers.map((c) => c.id)).toEqual([
      'CP-R',
    ]);
    expect(calls.pop()).toEqual({ fleetId: 'f-1', online: undefined, after: undefined, limit: 51 });
    expect(await read.list({ kind: 'fleet', fleetId: 'f-1' }, q({ fleet: 'f-2' }))).toEqual({
      chargers: [],
      nextCursor: null,
    });
    expect(calls).toHaveLength(0);
    await read.list({ kind: 'all' }, q({ fleet: 'f-2', online: 'false', limit: '7' }));
    expect(calls.pop()).toEqual({ fleetId: 'f-2', online: false, after: undefined, limit: 8 });
  });

  it('pages by id with the cursor it gave; a cursor it did not give is INVALID_CURSOR; limit 1..500', async () => {
    const read = new ReadChargers(fakeQueries([registeredOnly, other]).queries);
    const q = (raw: Record<string, string>) => parseQuery(LIST_CHARGERS_QUERY, raw);
    const first = await read.list({ kind: 'all' }, q({ limit: '1' }));
    expect(first.chargers.map((c) => c.id)).toEqual(['CP-R']);
    expect(first.nextCursor).toBe(encodeChargerCursor('CP-R'));
    const second = await read.list({ kind: 'all' }, q({ limit: '1', cursor: first.nextCursor! }));
    expect(second).toMatchObject({ chargers: [{ id: 'CP-S' }], nextCursor: null });
    for (const cursor of [
      'nonsense',
      Buffer.from('["c",""]').toString('base64url'),
      Buffer.from('{}').toString('base64url'),
    ])
      expect(() => q({ cursor })).toThrow(QueryError);
    expect(() => q({ limit: '501' })).toThrow(/limit/);
    expect(() => q({ limit: '0' })).toThrow(/limit/);
    expect(() => q({ online: 'yes' })).toThrow(/online/);
  });
});
