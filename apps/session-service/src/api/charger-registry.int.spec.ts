import { createTopicValidator } from '@app/contracts/schemas';
import { verifyChargerPassword } from '@app/ocpp/charger-password';
import {
  operatorFleetsFinanceKeys,
  startApiHarness,
  type ApiHarness,
  type Json,
} from '../testing/api-harness';
import { GatewayRecords } from '../testing/gateway-records';
import { waitFor } from '../testing/harness';

/**
 * The registry routes over HTTP against the real broker and Postgres: what is stored, what is
 * published on chargers.registry.v1, what is audited, and the wait for a gateway to apply a
 * rotation or deactivation (the gateway is played by a ChargerRegistryApplied record on
 * ocpp.v16.events, or by setting `applied_version` as ingest does for one; the real gateway is
 * tested end to end in test/operator).
 */
describe('charger registry API (real Kafka + Postgres)', () => {
  const keys = operatorFleetsFinanceKeys();
  let h: ApiHarness<keyof typeof keys>;
  const records: { key: string; value: Json }[] = [];
  const [OPERATOR, FLEET1, FLEET2, FINANCE] = [keys.operator, keys.fleet1, keys.fleet2, keys.finance].map(
    (k) => k.key,
  );
  let operatorKeyId: string;
  const WAIT_S = 2;

  const api = (method: string, path: string, key: string | null, body?: unknown) =>
    h.api(method, path, key, body);
  const row = async (id: string) =>
    (await h.sql.query('select * from charger_registry where charge_point_id = $1', [id])).rows[0];
  const recordsOf = (key: string) => records.filter((r) => r.key === key);
  const recordWith = (key: string, version: number) =>
    waitFor(
      async () => recordsOf(key).find((r) => r.value.data.version === version),
      15000,
      `${key} version ${version} on chargers.registry.v1`,
    );
  /**
   * Plays the gateway replica that applied the change: once the charger's version passes `after`,
   * it publishes ChargerRegistryApplied on ocpp.v16.events (ingest raises applied_version).
   */
  const applyWhenChanged = async (id: string, after: number): Promise<number> => {
    const r = await waitFor(async () => {
      const x = await row(id);
      return Number(x.version) > after ? x : null;
    });
    const version = Number(r.version);
    await h.publish([new GatewayRecords(id, '').registryApplied(version)]);
    return version;
  };

  beforeAll(async () => {
    h = await startApiHarness('registry_api', {
      keys,
      env: { REGISTRY_APPLY_WAIT_SECONDS: String(WAIT_S) },
    });
    operatorKeyId = h.keyIds.operator;
    await h.collect('chargerRegistry', records);
  }, 60000);

  afterAll(async () => {
    await h?.close();
  });

  it('needs a credential (401) with the operator role to write (403), operator or fleet to read tags', async () => {
    const register = { id: 'CP-NOPE', fleet: 'fleet-1', generate: true };
    expect(await api('POST', '/v1/chargers', null, register)).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    for (const key of [FLEET1, FINANCE]) {
      expect(await api('POST', '/v1/chargers', key, register)).toMatchObject({
        status: 403,
        body: { error: { code: 'FORBIDDEN' } },
      });
      expect((await api('PATCH', '/v1/chargers/CP-NOPE', key, { fleet: 'x' })).status).toBe(403);
      expect((await api('POST', '/v1/chargers/CP-NOPE/password', key, { generate: true })).status).toBe(403);
      expect((await api('DELETE', '/v1/chargers/CP-NOPE', key)).status).toBe(403);
      expect(
        (await api('PUT', '/v1/id-tags/TAG1', key, { fleet: 'fleet-1', status: 'Accepted' })).status,
      ).toBe(403);
      expect((await api('DELETE', '/v1/id-tags/TAG1?fleet=fleet-1', key)).status).toBe(403);
    }
    expect((await api('GET', '/v1/id-tags', FINANCE)).status).toBe(403);
    expect((await api('GET', '/v1/id-tags', null)).status).toBe(401);
    expect(await row('CP-NOPE')).toBeUndefined();
  });

  let generated: string;
  let registeredVersion: number;

  it('POST registers: 201, a generated password returned once, only its hash stored, the record published', async () => {
    const res = await api('POST', '/v1/chargers', OPERATOR, {
      id: 'CP-REG-1',
      fleet: 'fleet-1',
      generate: true,
      connectors: [
        { connector_id: 1, evse_id: 'DE*REG*E1' },
        { connector_id: 2, evse_id: 'DE*REG*E2' },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: 'CP-REG-1',
      fleet: 'fleet-1',
      active: true,
      online: false,
      connectors: [
        { connector_id: 1, evse_id: 'DE*REG*E1' },
        { connector_id: 2, evse_id: 'DE*REG*E2' },
      ],
    });
    generated = res.body.password;
    expect(generated).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(res.text).not.toContain('scrypt');

    const stored = await row('CP-REG-1');
    expect(stored.password_hash).toMatch(/^scrypt\$/);
    expect(stored.password_hash).not.toContain(generated);
    expect(await verifyChargerPassword(generated, stored.password_hash)).toBe(true);
    expect(stored.evse_ids).toEqual({ '1': 'DE*REG*E1', '2': 'DE*REG*E2' });
    expect(stored.updated_by).toBe(`api_key:${operatorKeyId}`);
    registeredVersion = Number(stored.version);
    expect(registeredVersion).toBeGreaterThanOrEqual(1);

    const rec = await recordWith('charger/CP-REG-1', registeredVersion);
    expect(rec.value).toMatchObject({
      type: 'ChargerRegistered',
      schema: 'chargers.registration/v1',
      source: 'session-service',
      subject: 'charger/CP-REG-1',
      data: {
        chargePointId: 'CP-REG-1',
        fleetId: 'fleet-1',
        passwordHash: stored.password_hash,
        evseIds: { '1': 'DE*REG*E1', '2': 'DE*REG*E2' },
        active: true,
        version: registeredVersion,
        updatedBy: `api_key:${operatorKeyId}`,
      },
    });
    expect(JSON.stringify(rec.value)).not.toContain(generated);

    // Once: a second registration of the id is refused, and shows no password.
    const again = await api('POST', '/v1/chargers', OPERATOR, {
      id: 'CP-REG-1',
      fleet: 'fleet-1',
      generate: true,
    });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'CHARGER_EXISTS' } } });
    expect(again.text).not.toContain(generated);
    expect(Number((await row('CP-REG-1')).version)).toBe(registeredVersion);

    // A given password is stored hashed and never echoed.
    const given = 'a-given-password-0001';
    const other = await api('POST', '/v1/chargers', OPERATOR, {
      id: 'CP-REG-2',
      fleet: 'fleet-2',
      password: given,
    });
    expect(other.status).toBe(201);
    expect(other.body).not.toHaveProperty('password');
    expect(other.text).not.toContain(given);
    expect(await verifyChargerPassword(given, (await row('CP-REG-2')).password_hash)).toBe(true);
  });

  it('refuses bad bodies with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ fleet: 'fleet-1', generate: true }, 'id'],
      [{ id: 'CP/1', fleet: 'fleet-1', generate: true }, 'id'],
      [{ id: 'x'.repeat(49), fleet: 'fleet-1', generate: true }, 'id'],
      [{ id: 'CP-B', fleet: 'fleet 1', generate: true }, 'fleet'],
      [{ id: 'CP-B', fleet: 'fleet-1' }, 'password'],
      [{ id: 'CP-B', fleet: 'fleet-1', password: 'short' }, 'password'],
      [{ id: 'CP-B', fleet: 'fleet-1', password: 'p'.repeat(41) }, 'password'],
      [{ id: 'CP-B', fleet: 'fleet-1', password: 'pässwörd-with-umlauts' }, 'password'],
      [
        { id: 'CP-B', fleet: 'fleet-1', generate: true, connectors: [{ connector_id: 0, evse_id: 'E' }] },
        'connectors[0].connector_id',
      ],
      [
        {
          id: 'CP-B',
          fleet: 'fleet-1',
          generate: true,
          connectors: [{ connector_id: 1, evse_id: 'E'.repeat(49) }],
        },
        'connectors[0].evse_id',
      ],
      [{ id: 'CP-B', fleet: 'fleet-1', generate: true, evse: 'x' }, 'evse'],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', '/v1/chargers', OPERATOR, body);
      expect({ body, status: res.status, code: res.body.error.code }).toEqual({
        body,
        status: 400,
        code: 'INVALID_BODY',
      });
      expect(res.body.error.message).toContain(field);
    }
    expect(await row('CP-B')).toBeUndefined();
    expect((await api('PATCH', '/v1/chargers/CP-REG-1', OPERATOR, {})).status).toBe(400);
    expect(
      (
        await api('PATCH', '/v1/chargers/CP-REG-1', OPERATOR, {
          connectors: [{ connector_id: 1.5, evse_id: null }],
        })
      ).body.error.message,
    ).toContain('connectors[0].connector_id');
    expect(await api('PATCH', '/v1/chargers/CP-UNKNOWN', OPERATOR, { fleet: 'fleet-1' })).toMatchObject({
      status: 404,
      body: { error: { code: 'CHARGER_NOT_FOUND' } },
    });
  });

  it('PATCH changes EVSE ids: the projection follows in the same transaction, the next session shows it, the record is published', async () => {
    // The charger connects (the gateway's copy had the EVSE ids of the registration).
    const cp = new GatewayRecords('CP-REG-1', 'fleet-1');
    await h.publish([
      cp.connected({ '1': 'DE*REG*E1', '2': 'DE*REG*E2' }),
      cp.status(1, 'Available', new Date()),
      cp.status(2, 'Available', new Date()),
    ]);
    await waitFor(async () => {
      const r = await h.sql.query(
        "select evse from connectors where charge_point_id = 'CP-REG-1' order by connector_id",
      );
      return r.rows.length === 2;
    });

    const res = await api('PATCH', '/v1/chargers/CP-REG-1', OPERATOR, {
      connectors: [
        { connector_id: 1, evse_id: 'DE*REG*NEW1' },
        { connector_id: 2, evse_id: null },
        { connector_id: 3, evse_id: 'DE*REG*E3' },
      ],
    });
    expect(res.status).toBe(200);
    // The charger's view (GET /v1/chargers/:id): connector 2 reported, now without an EVSE id.
    expect(res.body.connectors.map((c: Json) => [c.connector_id, c.evse_id, c.status])).toEqual([
      [1, 'DE*REG*NEW1', 'Available'],
      [2, null, 'Available'],
      [3, 'DE*REG*E3', null],
    ]);
    expect(res.body).toEqual((await api('GET', '/v1/chargers/CP-REG-1', OPERATOR)).body);
    const stored = await row('CP-REG-1');
    expect(stored.evse_ids).toEqual({ '1': 'DE*REG*NEW1', '3': 'DE*REG*E3' });
    expect(Number(stored.version)).toBeGreaterThan(registeredVersion);
    // The password stays.
    expect(await verifyChargerPassword(generated, stored.password_hash)).toBe(true);

    const connectors = await h.sql.query(
      "select connector_id, evse from connectors where charge_point_id = 'CP-REG-1' order by connector_id",
    );
    expect(connectors.rows).toEqual([
      { connector_id: 1, evse: 'DE*REG*NEW1' },
      { connector_id: 2, evse: null },
      { connector_id: 3, evse: 'DE*REG*E3' },
    ]);
    const charger = await h.sql.query("select evse_ids from chargers where charge_point_id = 'CP-REG-1'");
    expect(charger.rows[0].evse_ids).toEqual({ '1': 'DE*REG*NEW1', '3': 'DE*REG*E3' });

    const start = await api('POST', '/v1/sessions/start', FLEET1, { evse: 'DE*REG*NEW1' });
    expect(start).toMatchObject({ status: 201, body: { session: { evse: 'DE*REG*NEW1' } } });
    expect((await api('POST', '/v1/sessions/start', FLEET1, { evse: 'DE*REG*E1' })).status).toBe(404);

    const rec = await recordWith('charger/CP-REG-1', Number(stored.version));
    expect(rec.value.data).toMatchObject({
      evseIds: { '1': 'DE*REG*NEW1', '3': 'DE*REG*E3' },
      passwordHash: stored.password_hash,
      active: true,
    });
    // An EVSE id names one connector.
    const twice = await api('PATCH', '/v1/chargers/CP-REG-1', OPERATOR, {
      connectors: [{ connector_id: 2, evse_id: 'DE*REG*E3' }],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toContain('DE*REG*E3');
    // ...and one connector of the fleet: another charger of fleet-1 cannot take it (fleet-2's can).
    const taken = await api('POST', '/v1/chargers', OPERATOR, {
      id: 'CP-REG-3',
      fleet: 'fleet-1',
      generate: true,
      connectors: [{ connector_id: 1, evse_id: 'DE*REG*NEW1' }],
    });
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'EVSE_ID_TAKEN' } } });
    expect(taken.body.error.message).toContain('CP-REG-1');
    expect(await row('CP-REG-3')).toBeUndefined();
  });

  it('rotation answers 504 REGISTRY_NOT_APPLIED when no gateway applies it in time (stored, published), 200 once applied', async () => {
    const before = Number((await row('CP-REG-1')).version);
    const t0 = Date.now();
    const late = await api('POST', '/v1/chargers/CP-REG-1/password', OPERATOR, { generate: true });
    const waited = Date.now() - t0;
    expect(late.status).toBe(504);
    expect(late.body).toMatchObject({
      error: { code: 'REGISTRY_NOT_APPLIED' },
      id: 'CP-REG-1',
      applied: false,
    });
    expect(late.body.error.message).toMatch(/stored.*applies when the gateway catches up/);
    expect(waited).toBeGreaterThanOrEqual(WAIT_S * 1000 - 50);
    expect(waited).toBeLessThan(WAIT_S * 1000 + 3000);
    // Stored and published all the same; the generated password (stored) is shown in this answer.
    const stored = await row('CP-REG-1');
    expect(Number(stored.version)).toBe(late.body.version);
    expect(Number(stored.version)).toBeGreaterThan(before);
    expect(await verifyChargerPassword(late.body.password, stored.password_hash)).toBe(true);
    await recordWith('charger/CP-REG-1', late.body.version);

    // A gateway applies the next one while the request waits (its ChargerRegistryApplied, folded
    // by ingest): 200 applied.
    const given = 'the-next-password-0002';
    const [ok, appliedVersion] = await Promise.all([
      api('POST', '/v1/chargers/CP-REG-1/password', OPERATOR, { password: given }),
      applyWhenChanged('CP-REG-1', late.body.version),
    ]);
    expect(ok).toMatchObject({
      status: 200,
      body: { id: 'CP-REG-1', version: appliedVersion, applied: true },
    });
    expect(ok.body).not.toHaveProperty('password');
    expect(ok.text).not.toContain(given);
    const now = await row('CP-REG-1');
    expect(await verifyChargerPassword(given, now.password_hash)).toBe(true);
    expect(await verifyChargerPassword(generated, now.password_hash)).toBe(false);
    const rec = await recordWith('charger/CP-REG-1', appliedVersion);
    expect(rec.value.data.passwordHash).toBe(now.password_hash);

    const bad = await api('POST', '/v1/chargers/CP-REG-1/password', OPERATOR, { password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('password');
    expect(await api('POST', '/v1/chargers/CP-UNKNOWN/password', OPERATOR, { generate: true })).toMatchObject(
      {
        status: 404,
        body: { error: { code: 'CHARGER_NOT_FOUND' } },
      },
    );
  });

  it('deactivation: 504 until applied, then 200 active:false; again is 200 with no new version; history kept', async () => {
    const before = Number((await row('CP-REG-2')).version);
    const late = await api('DELETE', '/v1/chargers/CP-REG-2', OPERATOR);
    expect(late).toMatchObject({
      status: 504,
      body: { error: { code: 'REGISTRY_NOT_APPLIED' }, id: 'CP-REG-2' },
    });
    expect(late.body).not.toHaveProperty('password');
    const stored = await row('CP-REG-2');
    expect(stored.active).toBe(false);
    expect(stored.deactivated_at).not.toBeNull();
    const version = Number(stored.version);
    expect(version).toBeGreaterThan(before);
    const rec = await recordWith('charger/CP-REG-2', version);
    expect(rec.value.data).toMatchObject({ active: false, fleetId: 'fleet-2' });

    // Again, while a gateway applies it meanwhile: 200, the same version.
    const [ok] = await Promise.all([
      api('DELETE', '/v1/chargers/CP-REG-2', OPERATOR),
      (async () => {
        await new Promise((r) => setTimeout(r, 300));
        await h.sql.query(
          "update charger_registry set applied_version = version where charge_point_id = 'CP-REG-2'",
        );
      })(),
    ]);
    expect(ok).toMatchObject({ status: 200, body: { id: 'CP-REG-2', fleet: 'fleet-2', active: false } });
    const t0 = Date.now();
    expect(await api('DELETE', '/v1/chargers/CP-REG-2', OPERATOR)).toMatchObject({
      status: 200,
      body: { active: false },
    });
    expect(Date.now() - t0).toBeLessThan(WAIT_S * 1000);
    expect(Number((await row('CP-REG-2')).version)).toBe(version);
    expect(recordsOf('charger/CP-REG-2').filter((r) => r.value.data.active === false)).toHaveLength(1);
    // Kept, and no longer changeable or registrable again.
    expect(await api('PATCH', '/v1/chargers/CP-REG-2', OPERATOR, { fleet: 'fleet-1' })).toMatchObject({
      status: 409,
      body: { error: { code: 'CHARGER_DEACTIVATED' } },
    });
    expect(
      (await api('POST', '/v1/chargers', OPERATOR, { id: 'CP-REG-2', fleet: 'fleet-2', generate: true }))
        .status,
    ).toBe(409);
    expect((await api('DELETE', '/v1/chargers/CP-UNKNOWN', OPERATOR)).status).toBe(404);
  });

  it('concurrent changes: one registration of an id wins; parallel PATCHes get rising versions in commit order, the last record is the row', async () => {
    const registrations = await Promise.all(
      Array.from({ length: 6 }, () =>
        api('POST', '/v1/chargers', OPERATOR, { id: 'CP-RACE', fleet: 'fleet-1', generate: true }),
      ),
    );
    expect(registrations.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const patches = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api('PATCH', '/v1/chargers/CP-RACE', OPERATOR, {
          connectors: [{ connector_id: 1, evse_id: `DE*RACE*${i}` }],
        }),
      ),
    );
    expect(patches.every((r) => r.status === 200)).toBe(true);
    const stored = await row('CP-RACE');
    const last = await recordWith('charger/CP-RACE', Number(stored.version));
    expect(last.value.data.evseIds).toEqual(stored.evse_ids);
    // On the topic (one partition per key), this charger's versions rise: a gateway applying
    // "only a newer version" ends at the row.
    const versions = recordsOf('charger/CP-RACE').map((r) => r.value.data.version);
    expect(versions).toHaveLength(9);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions[versions.length - 1]).toBe(Number(stored.version));
  });

  it('id tags: operators write and read all fleets; a fleet key reads only its own; changes are published', async () => {
    const put = (tag: string, body: Json) => api('PUT', `/v1/id-tags/${tag}`, OPERATOR, body);
    const created = await put('TAG-A', {
      fleet: 'fleet-1',
      status: 'Accepted',
      expiry_date: '2030-06-30T00:00:00Z',
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        id_tag: 'TAG-A',
        fleet: 'fleet-1',
        status: 'Accepted',
        expiry_date: '2030-06-30T00:00:00.000Z',
        parent_id_tag: null,
      },
    });
    const replaced = await put('TAG-A', { fleet: 'fleet-1', status: 'Blocked', parent_id_tag: 'TAG-P' });
    expect(replaced).toMatchObject({
      status: 200,
      body: { status: 'Blocked', expiry_date: null, parent_id_tag: 'TAG-P' },
    });
    expect(replaced.body.version).toBeGreaterThan(created.body.version);
    expect((await put('TAG-B', { fleet: 'fleet-1', status: 'Accepted' })).status).toBe(201);
    expect((await put('TAG-A', { fleet: 'fleet-2', status: 'Expired' })).status).toBe(201); // another fleet's own TAG-A
    for (const [body, field] of [
      [{ fleet: 'fleet-1', status: 'Maybe' }, 'status'],
      [{ fleet: 'fleet-1', status: 'Accepted', expiry_date: 'tomorrow' }, 'expiry_date'],
      [{ fleet: 'fleet-1', status: 'Accepted', parent_id_tag: 'P'.repeat(21) }, 'parent_id_tag'],
      [{ status: 'Accepted' }, 'fleet'],
    ] as [Json, string][]) {
      const res = await put('TAG-C', body);
      expect({ status: res.status, named: res.body.error.message.includes(field) }).toEqual({
        status: 400,
        named: true,
      });
    }
    const long = await put('T'.repeat(21), { fleet: 'fleet-1', status: 'Accepted' });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toContain('idTag');

    const rec = await recordWith('id-tag/fleet-1/TAG-A', replaced.body.version);
    expect(rec.value).toMatchObject({
      type: 'IdTagRegistered',
      schema: 'chargers.id-tag/v1',
      data: { fleetId: 'fleet-1', idTag: 'TAG-A', status: 'Blocked', parentIdTag: 'TAG-P', deleted: false },
    });

    // Reads: a fleet key sees its own, another fleet's tag is 404 and its list empty.
    expect(await api('GET', '/v1/id-tags/TAG-A', FLEET1)).toMatchObject({
      status: 200,
      body: { fleet: 'fleet-1', status: 'Blocked' },
    });
    expect(await api('GET', '/v1/id-tags/TAG-A', FLEET2)).toMatchObject({
      status: 200,
      body: { fleet: 'fleet-2', status: 'Expired' },
    });
    expect(await api('GET', '/v1/id-tags/TAG-B', FLEET2)).toMatchObject({
      status: 404,
      body: { error: { code: 'ID_TAG_NOT_FOUND' } },
    });
    expect((await api('GET', '/v1/id-tags/TAG-B?fleet=fleet-1', FLEET2)).status).toBe(404);
    expect(
      (await api('GET', '/v1/id-tags', FLEET2)).body.id_tags.map((t: Json) => `${t.fleet}/${t.id_tag}`),
    ).toEqual(['fleet-2/TAG-A']);
    expect(await api('GET', '/v1/id-tags?fleet=fleet-1', FLEET2)).toMatchObject({
      status: 200,
      body: { id_tags: [], next_cursor: null },
    });
    expect((await api('GET', '/v1/id-tags/TAG-B', OPERATOR)).body.error.code).toBe('INVALID_QUERY');
    expect(await api('GET', '/v1/id-tags/TAG-B?fleet=fleet-1', OPERATOR)).toMatchObject({
      status: 200,
      body: { id_tag: 'TAG-B' },
    });
    // Operators page through every fleet.
    const first = await api('GET', '/v1/id-tags?limit=2', OPERATOR);
    expect(first.body.id_tags.map((t: Json) => `${t.fleet}/${t.id_tag}`)).toEqual([
      'fleet-1/TAG-A',
      'fleet-1/TAG-B',
    ]);
    const second = await api('GET', `/v1/id-tags?limit=2&cursor=${first.body.next_cursor}`, OPERATOR);
    expect(second.body).toMatchObject({
      id_tags: [{ fleet: 'fleet-2', id_tag: 'TAG-A' }],
      next_cursor: null,
    });
    expect((await api('GET', '/v1/id-tags?cursor=bogus', OPERATOR)).body.error.code).toBe('INVALID_CURSOR');

    // Delete: published with deleted:true and a new version; gone afterwards.
    expect((await api('DELETE', '/v1/id-tags/TAG-B', OPERATOR)).body.error.code).toBe('INVALID_QUERY');
    const removed = await api('DELETE', '/v1/id-tags/TAG-B?fleet=fleet-1', OPERATOR);
    expect(removed).toMatchObject({ status: 200, body: { id_tag: 'TAG-B', fleet: 'fleet-1' } });
    expect((await api('GET', '/v1/id-tags/TAG-B?fleet=fleet-1', OPERATOR)).status).toBe(404);
    expect((await api('DELETE', '/v1/id-tags/TAG-B?fleet=fleet-1', OPERATOR)).status).toBe(404);
    const gone = await recordWith('id-tag/fleet-1/TAG-B', removed.body.version);
    expect(gone.value.data).toMatchObject({ deleted: true, idTag: 'TAG-B' });
  });

  it('every record on chargers.registry.v1 is valid against its contract schema (what the gateways check)', async () => {
    const check = createTopicValidator('chargerRegistry');
    await waitFor(async () => records.length >= 20, 15000, 'a record of every change above');
    expect(records.map((r) => check(r.value)).filter((problem) => problem !== null)).toEqual([]);
    for (const r of records) expect(r.value.subject).toBe(r.key);
  });

  it('every change is audited with its actor, never with a password, hash or id tag', async () => {
    const { rows } = await h.sql.query(
      'select actor_kind, actor_id, action, target_type, target_id, service, details from auth_audit_log where action = any($1) order by seq',
      [
        [
          'charger.registered',
          'charger.updated',
          'charger.password_rotated',
          'charger.deactivated',
          'id_tag.set',
          'id_tag.deleted',
        ],
      ],
    );
    const actions = rows.map((r) => `${r.action} ${r.target_id}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'charger.registered CP-REG-1',
        'charger.registered CP-REG-2',
        'charger.updated CP-REG-1',
        'charger.password_rotated CP-REG-1',
        'charger.deactivated CP-REG-2',
      ]),
    );
    // Two rotations, one deactivation (the repeats changed nothing), refused requests none.
    expect(rows.filter((r) => r.action === 'charger.password_rotated')).toHaveLength(2);
    expect(rows.filter((r) => r.action === 'charger.deactivated')).toHaveLength(1);
    // CP-REG-1, CP-REG-2 and the one CP-RACE registration that won (the five refused: none).
    expect(rows.filter((r) => r.action === 'charger.registered')).toHaveLength(3);
    expect(rows.filter((r) => r.action === 'charger.updated')).toHaveLength(1 + 8);
    expect(rows.filter((r) => r.action === 'id_tag.set')).toHaveLength(4);
    expect(rows.filter((r) => r.action === 'id_tag.deleted')).toHaveLength(1);
    for (const r of rows) {
      expect(r).toMatchObject({ actor_kind: 'api_key', actor_id: operatorKeyId, service: 'session-service' });
      const text = JSON.stringify(r);
      expect(text).not.toMatch(/scrypt|TAG-A|TAG-B|TAG-P/);
      expect(text).not.toContain(generated);
    }
    expect(rows.find((r) => r.action === 'charger.updated')!.details).toMatchObject({
      fleet: 'fleet-1',
      evse_ids: { '1': 'DE*REG*NEW1', '3': 'DE*REG*E3' },
    });
  });
});
