import fc from 'fast-check';
import type { ChargerRegistration, ChargerRegistryApplied, IdTagRegistration } from '@app/contracts';
import {
  ApplyRegistryRecords,
  type LocalRegistryEnforcement,
  type RegistryCopyStore,
  type RegistryRecord,
} from './apply-registry-records';

/** The shared database copy, with the store's rule: a row is written only from a newer version. */
class MemoryCopy implements RegistryCopyStore {
  chargers = new Map<string, ChargerRegistration>();
  idTags = new Map<string, IdTagRegistration>();
  calls: ChargerRegistration[][] = [];
  async applyChargers(records: ChargerRegistration[]) {
    this.calls.push(records);
    const changed = new Set<string>();
    for (const r of records) {
      if ((this.chargers.get(r.chargePointId)?.version ?? 0) >= r.version) continue;
      this.chargers.set(r.chargePointId, r);
      changed.add(r.chargePointId);
    }
    return changed;
  }
  async applyIdTags(records: IdTagRegistration[]) {
    for (const r of records) {
      const key = `${r.fleetId}/${r.idTag}`;
      if ((this.idTags.get(key)?.version ?? 0) < r.version) this.idTags.set(key, r);
    }
  }
}

class Local implements LocalRegistryEnforcement {
  closing = new Set<string>();
  seen: ChargerRegistration[] = [];
  enforceRegistration(r: ChargerRegistration) {
    this.seen.push(r);
    return this.closing.delete(r.chargePointId);
  }
}

class Sink {
  published: ChargerRegistryApplied[] = [];
  failures = 0;
  async chargerRegistryApplied(e: ChargerRegistryApplied) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('not acknowledged');
    }
    this.published.push(e);
  }
}

const charger = (id: string, version: number, fields: Partial<ChargerRegistration> = {}): RegistryRecord => ({
  type: 'ChargerRegistered',
  data: {
    chargePointId: id,
    fleetId: 'f',
    passwordHash: 'scrypt$x',
    evseIds: {},
    active: true,
    version,
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'test',
    ...fields,
  },
});
const tag = (idTag: string, version: number, fields: Partial<IdTagRegistration> = {}): RegistryRecord => ({
  type: 'IdTagRegistered',
  data: {
    fleetId: 'f',
    idTag,
    status: 'Accepted',
    expiryDate: null,
    parentIdTag: null,
    deleted: false,
    version,
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'test',
    ...fields,
  },
});

function setup(store = new MemoryCopy()) {
  const local = new Local();
  const sink = new Sink();
  const apply = new ApplyRegistryRecords({
    store,
    local,
    sink,
    gatewayId: 'gw-1',
    now: () => new Date('2026-01-02T00:00:00.000Z'),
  });
  return { store, local, sink, apply };
}

describe('ApplyRegistryRecords', () => {
  it('writes the newest record per key once, and announces the chargers whose row it changed', async () => {
    const { store, sink, apply } = setup();
    await apply.execute([charger('CP-1', 3), charger('CP-1', 5), charger('CP-2', 4), tag('T', 6)]);
    expect(store.calls).toEqual([[charger('CP-1', 5).data, charger('CP-2', 4).data]]);
    expect(sink.published).toEqual([
      {
        chargePointId: 'CP-1',
        version: 5,
        gatewayId: 'gw-1',
        appliedAt: '2026-01-02T00:00:00.000Z',
        closedConnection: false,
      },
      {
        chargePointId: 'CP-2',
        version: 4,
        gatewayId: 'gw-1',
        appliedAt: '2026-01-02T00:00:00.000Z',
        closedConnection: false,
      },
    ]);
    expect(store.idTags.get('f/T')?.version).toBe(6);
  });

  it('says nothing for a row another replica wrote first, unless it closed its own connection', async () => {
    const shared = new MemoryCopy();
    const first = setup(shared);
    const second = setup(shared);
    await first.apply.execute([charger('CP-1', 5, { passwordHash: 'scrypt$new' }), charger('CP-2', 6)]);
    second.local.closing.add('CP-1');
    await second.apply.execute([charger('CP-1', 5, { passwordHash: 'scrypt$new' }), charger('CP-2', 6)]);
    expect(second.sink.published).toEqual([
      expect.objectContaining({ chargePointId: 'CP-1', version: 5, closedConnection: true }),
    ]);
    // Every replica checks its own connections, changed row or not.
    expect(second.local.seen.map((r) => r.chargePointId)).toEqual(['CP-1', 'CP-2']);
  });

  it('an announcement that was not acknowledged is made when the batch is retried', async () => {
    const { sink, apply } = setup();
    sink.failures = 1;
    await expect(apply.execute([charger('CP-1', 7)])).rejects.toThrow('not acknowledged');
    await apply.execute([charger('CP-1', 7)]); // the row is already at 7: it does not change again
    expect(sink.published).toEqual([expect.objectContaining({ chargePointId: 'CP-1', version: 7 })]);
    await apply.execute([charger('CP-1', 7)]);
    expect(sink.published).toHaveLength(1);
  });

  it('announces nothing for id tags (the API does not wait for them)', async () => {
    const { sink, apply } = setup();
    await apply.execute([tag('A', 1), tag('A', 2, { deleted: true })]);
    expect(sink.published).toEqual([]);
  });

  it('whatever the batches and replays, each key ends at its newest version', async () => {
    const record = fc.oneof(
      fc
        .record({ id: fc.constantFrom('CP-1', 'CP-2', 'CP-3'), v: fc.integer({ min: 1, max: 50 }) })
        .map((x) => charger(x.id, x.v)),
      fc
        .record({ id: fc.constantFrom('T1', 'T2'), v: fc.integer({ min: 1, max: 50 }) })
        .map((x) => tag(x.id, x.v)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(record, { maxLength: 6 }), { maxLength: 6 }), async (batches) => {
        const { store, sink, apply } = setup();
        for (const batch of batches) await apply.execute(batch);
        const newest = new Map<string, number>();
        for (const r of batches.flat()) {
          const key = r.type === 'ChargerRegistered' ? r.data.chargePointId : `f/${r.data.idTag}`;
          newest.set(key, Math.max(newest.get(key) ?? 0, r.data.version));
        }
        for (const [key, v] of newest) {
          expect((store.chargers.get(key) ?? store.idTags.get(key))?.version).toBe(v);
        }
        // Each announced version was newer than every earlier announcement of its charger.
        const last = new Map<string, number>();
        for (const e of sink.published) {
          expect(e.version).toBeGreaterThan(last.get(e.chargePointId) ?? 0);
          last.set(e.chargePointId, e.version);
        }
      }),
    );
  });
});
