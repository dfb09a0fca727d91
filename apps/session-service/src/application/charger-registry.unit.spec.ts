import fc from 'fast-check';
import type { Actor } from '@app/contracts';
import {
  chargerRecord,
  idTagRecord,
  ManageChargerRegistry,
  RegistryNotAppliedError,
} from './charger-registry';
import {
  RegistryError,
  type ChargerRegistryRepository,
  type RegistryAuditEntry,
  type RegistryCharger,
  type RegistryIdTag,
  type RegistryRecord,
} from './charger-registry-ports';
import type { TransactionRunner, Tx } from './ports';

/** The registry tables, outbox and sequence in memory; a transaction that throws leaves nothing behind. */
class FakeRegistry implements ChargerRegistryRepository, TransactionRunner {
  sequence = 0;
  chargers = new Map<string, RegistryCharger>();
  tags = new Map<string, RegistryIdTag>();
  outboxed: { record: RegistryRecord; tenantId: string }[] = [];
  projection: { chargePointId: string; fleetId: string; evseIds: Record<string, string> }[] = [];
  /** null: a gateway applies every version at once. */
  applied: Map<string, number> | null = new Map();
  readonly outside = {} as Tx;

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const saved = {
      chargers: new Map(this.chargers),
      tags: new Map(this.tags),
      outboxed: [...this.outboxed],
      projection: [...this.projection],
    };
    try {
      return await work({} as Tx);
    } catch (e) {
      Object.assign(this, saved); // the sequence is not transactional, as in Postgres
      throw e;
    }
  }

  async lockKey(): Promise<void> {}
  async nextVersion(): Promise<number> {
    return ++this.sequence;
  }
  async insertCharger(_tx: Tx, c: RegistryCharger): Promise<boolean> {
    if (this.chargers.has(c.chargePointId)) return false;
    this.chargers.set(c.chargePointId, { ...c });
    return true;
  }
  async lockCharger(_tx: Tx, id: string): Promise<RegistryCharger | null> {
    const c = this.chargers.get(id);
    return c ? { ...c, appliedVersion: this.appliedOf(c) } : null;
  }
  async updateCharger(_tx: Tx, c: RegistryCharger): Promise<void> {
    this.chargers.set(c.chargePointId, { ...c });
  }
  async syncProjection(_tx: Tx, chargePointId: string, fleetId: string, evseIds: Record<string, string>) {
    this.projection.push({ chargePointId, fleetId, evseIds });
  }
  async findEvseOwner(_tx: Tx, fleetId: string, evseIds: string[], except: string) {
    for (const c of [...this.chargers.values()].sort((a, b) =>
      a.chargePointId < b.chargePointId ? -1 : 1,
    )) {
      if (c.fleetId !== fleetId || !c.active || c.chargePointId === except) continue;
      const evseId = Object.values(c.evseIds).find((e) => evseIds.includes(e));
      if (evseId) return { evseId, chargePointId: c.chargePointId };
    }
    return null;
  }
  async findCharger(id: string): Promise<RegistryCharger | null> {
    return this.lockCharger({} as Tx, id);
  }
  async appliedVersion(id: string): Promise<number | null> {
    const c = this.chargers.get(id);
    return c ? this.appliedOf(c) : null;
  }
  async lockIdTag(_tx: Tx, fleetId: string, idTag: string): Promise<RegistryIdTag | null> {
    return this.tags.get(`${fleetId}/${idTag}`) ?? null;
  }
  async upsertIdTag(_tx: Tx, t: RegistryIdTag): Promise<boolean> {
    const key = `${t.fleetId}/${t.idTag}`;
    const created = !this.tags.has(key);
    this.tags.set(key, { ...t });
    return created;
  }
  async deleteIdTag(_tx: Tx, fleetId: string, idTag: string): Promise<void> {
    this.tags.delete(`${fleetId}/${idTag}`);
  }
  async findIdTag(fleetId: string, idTag: string): Promise<RegistryIdTag | null> {
    return this.tags.get(`${fleetId}/${idTag}`) ?? null;
  }
  async listIdTags(
    fleetId: string | null,
    page: { after?: { fleetId: string; idTag: string }; limit: number },
  ): Promise<RegistryIdTag[]> {
    const key = (t: { fleetId: string; idTag: string }) => `${t.fleetId}\u0000${t.idTag}`;
    return [...this.tags.values()]
      .filter((t) => fleetId === null || t.fleetId === fleetId)
      .filter((t) => !page.after || key(t) > key(page.after))
      .sort((a, b) => (key(a) < key(b) ? -1 : 1))
      .slice(0, page.limit);
  }
  async outbox(_tx: Tx, record: RegistryRecord, tenantId: string): Promise<void> {
    this.outboxed.push({ record, tenantId });
  }

  private appliedOf(c: RegistryCharger): number {
    return this.applied === null ? c.version : (this.applied.get(c.chargePointId) ?? 0);
  }
}

const ACTOR: Actor = { kind: 'api_key', id: 'key-1' };

function setup(over: { applyWaitSeconds?: number } = {}) {
  const fake = new FakeRegistry();
  const audits: RegistryAuditEntry[] = [];
  let published = 0;
  const registry = new ManageChargerRegistry(fake, fake, {
    applyWaitSeconds: over.applyWaitSeconds ?? 0.3,
    pollMs: 10,
    published: () => published++,
    hash: async (p) => `scrypt$fake$${Buffer.from(p).toString('base64')}`,
  });
  const audit = async (e: RegistryAuditEntry) => void audits.push(e);
  return { fake, registry, audits, audit, published: () => published };
}

const register = (id: string, fleetId = 'acme', evse: Record<number, string> = {}) => ({
  id,
  fleetId,
  password: { kind: 'generate' as const },
  connectors: Object.entries(evse).map(([c, e]) => ({ connectorId: Number(c), evseId: e })),
});

describe('ManageChargerRegistry', () => {
  it('registers: a generated password once, its hash stored and published, the projection synced, audited without secrets', async () => {
    const { fake, registry, audits, audit, published } = setup();
    const r = await registry.register(register('CP-1', 'acme', { 1: 'E1' }), ACTOR, audit);
    expect(r.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(r.charger).toMatchObject({
      chargePointId: 'CP-1',
      version: 1,
      active: true,
      updatedBy: 'api_key:key-1',
    });
    expect(r.charger.passwordHash).toBe(`scrypt$fake$${Buffer.from(r.password!).toString('base64')}`);
    expect(fake.outboxed).toEqual([
      {
        record: { eventId: expect.any(String), type: 'ChargerRegistered', data: chargerRecord(r.charger) },
        tenantId: 'acme',
      },
    ]);
    expect(fake.projection).toEqual([{ chargePointId: 'CP-1', fleetId: 'acme', evseIds: { '1': 'E1' } }]);
    expect(audits).toEqual([
      {
        id: expect.any(String),
        actor: ACTOR,
        action: 'charger.registered',
        target: { type: 'charger', id: 'CP-1' },
        details: { fleet: 'acme', version: 1, password_generated: true, evse_ids: { '1': 'E1' } },
      },
    ]);
    expect(JSON.stringify(audits)).not.toMatch(/scrypt|password"?:/);
    expect(published()).toBe(1);

    await expect(registry.register(register('CP-1'), ACTOR, audit)).rejects.toMatchObject({
      status: 409,
      code: 'CHARGER_EXISTS',
    });
    expect(fake.outboxed).toHaveLength(1);
    expect(audits).toHaveLength(1);
  });

  it('a change whose audit entry cannot be written is not made (nothing stored, nothing published)', async () => {
    const { fake, registry, published } = setup();
    await expect(registry.register(register('CP-1'), ACTOR, async () => undefined)).resolves.toBeTruthy();
    const failing = async () => {
      throw new Error('audit database down');
    };
    await expect(registry.update('CP-1', { fleetId: 'other' }, ACTOR, failing)).rejects.toThrow(
      'audit database down',
    );
    await expect(
      registry.setIdTag(
        { fleetId: 'acme', idTag: 'T1', status: 'Accepted', expiryDate: null, parentIdTag: null },
        ACTOR,
        failing,
      ),
    ).rejects.toThrow('audit database down');
    expect(fake.chargers.get('CP-1')).toMatchObject({ fleetId: 'acme', version: 1 });
    expect(fake.tags.size).toBe(0);
    expect(fake.outboxed).toHaveLength(1);
    expect(published()).toBe(1);
  });

  it('rotation answers once a gateway applied its version; else RegistryNotAppliedError, stored, with the generated password', async () => {
    const { fake, registry, audit, audits } = setup({ applyWaitSeconds: 0.2 });
    await registry.register(register('CP-1'), ACTOR, audit);
    const t0 = Date.now();
    const late = await registry.rotatePassword('CP-1', { kind: 'generate' }, ACTOR, audit).catch((e) => e);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(late).toBeInstanceOf(RegistryNotAppliedError);
    expect(late).toMatchObject({
      status: 504,
      code: 'REGISTRY_NOT_APPLIED',
      chargePointId: 'CP-1',
      version: 2,
    });
    expect(late.message).toContain('stored');
    expect(late.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(fake.chargers.get('CP-1')!.passwordHash).toBe(
      `scrypt$fake$${Buffer.from(late.password).toString('base64')}`,
    );
    expect(fake.outboxed.map((o) => o.record.data.version)).toEqual([1, 2]);

    // A gateway applies the next version while the rotation waits.
    setTimeout(() => fake.applied!.set('CP-1', 3), 50);
    const ok = await registry.rotatePassword(
      'CP-1',
      { kind: 'given', password: 'g'.repeat(16) },
      ACTOR,
      audit,
    );
    expect(ok).toMatchObject({ applied: true, password: null, charger: { version: 3, appliedVersion: 3 } });
    expect(audits.map((a) => [a.action, a.details.version, a.details.password_generated])).toEqual([
      ['charger.registered', 1, true],
      ['charger.password_rotated', 2, true],
      ['charger.password_rotated', 3, false],
    ]);
  });

  it('deactivation waits for the gateway too; again it changes nothing (no version, no audit, no record)', async () => {
    const { fake, registry, audit, audits, published } = setup({ applyWaitSeconds: 0.1 });
    await registry.register(register('CP-1'), ACTOR, audit);
    await expect(registry.deactivate('CP-1', ACTOR, audit)).rejects.toBeInstanceOf(RegistryNotAppliedError);
    expect(fake.chargers.get('CP-1')).toMatchObject({
      active: false,
      version: 2,
      deactivatedAt: expect.any(String),
    });
    fake.applied!.set('CP-1', 2);
    const again = await registry.deactivate('CP-1', ACTOR, audit);
    expect(again).toMatchObject({ active: false, version: 2, appliedVersion: 2 });
    expect(fake.outboxed).toHaveLength(2);
    expect(audits.map((a) => a.action)).toEqual(['charger.registered', 'charger.deactivated']);
    expect(published()).toBe(2);
    // Kept, not changeable: no rotation or update of a deactivated charger; unknown ones are 404.
    await expect(registry.update('CP-1', { fleetId: 'x' }, ACTOR, audit)).rejects.toMatchObject({
      status: 409,
      code: 'CHARGER_DEACTIVATED',
    });
    await expect(registry.rotatePassword('CP-1', { kind: 'generate' }, ACTOR, audit)).rejects.toMatchObject({
      status: 409,
    });
    for (const call of [
      () => registry.update('CP-2', { fleetId: 'x' }, ACTOR, audit),
      () => registry.rotatePassword('CP-2', { kind: 'generate' }, ACTOR, audit),
      () => registry.deactivate('CP-2', ACTOR, audit),
    ])
      await expect(call()).rejects.toMatchObject({ status: 404, code: 'CHARGER_NOT_FOUND' });
  });

  it('id tags: audited by fleet and version, never by the tag; deleted ones published with deleted:true', async () => {
    const { fake, registry, audit, audits } = setup();
    const tag = {
      fleetId: 'acme',
      idTag: 'AABBCCDD',
      status: 'Accepted' as const,
      expiryDate: null,
      parentIdTag: null,
    };
    expect((await registry.setIdTag(tag, ACTOR, audit)).created).toBe(true);
    expect((await registry.setIdTag({ ...tag, status: 'Blocked' }, ACTOR, audit)).created).toBe(false);
    const removed = await registry.deleteIdTag('acme', 'AABBCCDD', ACTOR, audit);
    expect(removed).toMatchObject({ status: 'Blocked', version: 3 });
    await expect(registry.getIdTag('acme', 'AABBCCDD')).rejects.toMatchObject({
      status: 404,
      code: 'ID_TAG_NOT_FOUND',
    });
    await expect(registry.deleteIdTag('acme', 'AABBCCDD', ACTOR, audit)).rejects.toMatchObject({
      status: 404,
    });
    expect(
      fake.outboxed.map((o) => [
        o.record.type,
        o.record.data.version,
        (o.record.data as { deleted: boolean }).deleted,
      ]),
    ).toEqual([
      ['IdTagRegistered', 1, false],
      ['IdTagRegistered', 2, false],
      ['IdTagRegistered', 3, true],
    ]);
    expect(fake.outboxed[2].record.data).toEqual(idTagRecord(removed, true));
    expect(audits.map((a) => [a.action, a.target])).toEqual([
      ['id_tag.set', { type: 'id_tag', id: 'acme/v1' }],
      ['id_tag.set', { type: 'id_tag', id: 'acme/v2' }],
      ['id_tag.deleted', { type: 'id_tag', id: 'acme/v3' }],
    ]);
    expect(JSON.stringify(audits)).not.toContain('AABBCCDD');
  });

  it('an EVSE id names one connector of a fleet: another active charger of the fleet cannot take it', async () => {
    const { fake, registry, audit } = setup();
    await registry.register(register('CP-1', 'acme', { 1: 'E1' }), ACTOR, audit);
    await expect(
      registry.register(register('CP-2', 'acme', { 1: 'E1' }), ACTOR, audit),
    ).rejects.toMatchObject({
      status: 409,
      code: 'EVSE_ID_TAKEN',
      message: "EVSE id E1 is already charger CP-1's in fleet acme",
    });
    expect(fake.chargers.has('CP-2')).toBe(false);
    // Another fleet may use the same text; moving into the fleet with it is refused.
    await registry.register(register('CP-2', 'other', { 1: 'E1' }), ACTOR, audit);
    await expect(registry.update('CP-2', { fleetId: 'acme' }, ACTOR, audit)).rejects.toMatchObject({
      code: 'EVSE_ID_TAKEN',
    });
    await expect(
      registry.update('CP-2', { connectors: [{ connectorId: 2, evseId: 'E2' }] }, ACTOR, audit),
    ).resolves.toMatchObject({ evseIds: { '1': 'E1', '2': 'E2' } });
    // A charger may keep its own EVSE ids when it changes; once deactivated, its ids are free.
    await expect(
      registry.update('CP-1', { connectors: [{ connectorId: 2, evseId: 'E9' }] }, ACTOR, audit),
    ).resolves.toMatchObject({ evseIds: { '1': 'E1', '2': 'E9' } });
    fake.applied = null;
    await registry.deactivate('CP-1', ACTOR, audit);
    await expect(registry.update('CP-2', { fleetId: 'acme' }, ACTOR, audit)).resolves.toMatchObject({
      fleetId: 'acme',
    });
  });

  it('pages id tags in (fleet, tag) order with a next position', async () => {
    const { registry, audit } = setup();
    for (const [fleetId, idTag] of [
      ['b', 'T1'],
      ['a', 'T2'],
      ['a', 'T1'],
    ])
      await registry.setIdTag(
        { fleetId, idTag, status: 'Accepted', expiryDate: null, parentIdTag: null },
        ACTOR,
        audit,
      );
    const first = await registry.listIdTags(null, { limit: 2 });
    expect(first.tags.map((t) => `${t.fleetId}/${t.idTag}`)).toEqual(['a/T1', 'a/T2']);
    expect(first.next).toEqual({ fleetId: 'a', idTag: 'T2' });
    const second = await registry.listIdTags(null, { after: first.next!, limit: 2 });
    expect(second).toMatchObject({ tags: [{ fleetId: 'b', idTag: 'T1' }], next: null });
    expect((await registry.listIdTags('a', { limit: 5 })).tags).toHaveLength(2);
  });

  it('property: whatever the operations, versions rise with every record, and the last record of each key is the registry', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('register' as const), cp: fc.constantFrom('CP-1', 'CP-2', 'CP-3') }),
      fc.record({
        kind: fc.constant('update' as const),
        cp: fc.constantFrom('CP-1', 'CP-2', 'CP-3'),
        connector: fc.integer({ min: 1, max: 3 }),
        evse: fc.option(fc.constantFrom('E1', 'E2', 'E3', 'E4'), { nil: null }),
      }),
      fc.record({ kind: fc.constant('rotate' as const), cp: fc.constantFrom('CP-1', 'CP-2', 'CP-3') }),
      fc.record({ kind: fc.constant('deactivate' as const), cp: fc.constantFrom('CP-1', 'CP-2', 'CP-3') }),
      fc.record({
        kind: fc.constant('tag' as const),
        tag: fc.constantFrom('T1', 'T2'),
        status: fc.constantFrom('Accepted' as const, 'Blocked' as const, 'Expired' as const),
      }),
      fc.record({ kind: fc.constant('untag' as const), tag: fc.constantFrom('T1', 'T2') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const { fake, registry, audit } = setup();
        fake.applied = null; // a gateway applies every change at once
        for (const o of ops) {
          const run = async () => {
            if (o.kind === 'register') await registry.register(register(o.cp), ACTOR, audit);
            else if (o.kind === 'update')
              await registry.update(
                o.cp,
                { connectors: [{ connectorId: o.connector, evseId: o.evse }] },
                ACTOR,
                audit,
              );
            else if (o.kind === 'rotate')
              await registry.rotatePassword(o.cp, { kind: 'generate' }, ACTOR, audit);
            else if (o.kind === 'deactivate') await registry.deactivate(o.cp, ACTOR, audit);
            else if (o.kind === 'tag')
              await registry.setIdTag(
                { fleetId: 'acme', idTag: o.tag, status: o.status, expiryDate: null, parentIdTag: null },
                ACTOR,
                audit,
              );
            else await registry.deleteIdTag('acme', o.tag, ACTOR, audit);
          };
          await run().catch((e) => {
            if (!(e instanceof RegistryError) || ![400, 404, 409].includes(e.status)) throw e;
          });
        }
        const versions = fake.outboxed.map((x) => x.record.data.version);
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
        expect(new Set(versions).size).toBe(versions.length);
        const last = new Map<string, RegistryRecord>();
        for (const { record } of fake.outboxed)
          last.set(
            record.type === 'ChargerRegistered' ? `c/${record.data.chargePointId}` : `t/${record.data.idTag}`,
            record,
          );
        for (const c of fake.chargers.values())
          expect(last.get(`c/${c.chargePointId}`)!.data).toEqual(chargerRecord(c));
        for (const [key, record] of last) {
          if (record.type !== 'IdTagRegistered') continue;
          const tag = fake.tags.get(`acme/${key.slice(2)}`);
          if (tag) expect(record.data).toEqual(idTagRecord(tag, false));
          else expect(record.data.deleted).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});
