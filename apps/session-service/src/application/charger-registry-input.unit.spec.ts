import fc from 'fast-check';
import { RegistryError } from './charger-registry-ports';
import {
  checkChargePointId,
  checkPassword,
  generateChargerPassword,
  GENERATED_PASSWORD_LENGTH,
  mergeEvseIds,
  parseRegisterCharger,
  parseRotatePassword,
  parseSetIdTag,
  parseUpdateCharger,
} from './charger-registry-input';
import { decodeIdTagCursor, encodeIdTagCursor } from './charger-registry-view';

/** The error a rule raises: 400 INVALID_BODY with its message, or null when it accepts. */
function refusal(fn: () => unknown): { status: number; code: string; message: string } | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    return { status: e.status, code: e.code, message: e.message };
  }
}

const anyText = fc.string({ unit: 'binary', maxLength: 60 });
const printable = (s: string, from: number) =>
  [...s].every((c) => c.charCodeAt(0) >= from && c.charCodeAt(0) <= 0x7e);

describe('charger registry input rules', () => {
  it('a password is 16 to 40 printable ASCII characters, whatever else it is; the refusal never quotes it', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ minLength: 10, maxLength: 45 })), (password) => {
        const ok = password.length >= 16 && password.length <= 40 && printable(password, 0x20);
        const r = refusal(() => checkPassword(password));
        expect(r === null).toBe(ok);
        if (r) {
          expect(r).toMatchObject({ status: 400, code: 'INVALID_BODY' });
          expect(r.message).toMatch(/^password /);
          expect(r.message).not.toContain(JSON.stringify(password));
          if (password.length >= 12) expect(r.message).not.toContain(password);
        }
      }),
    );
  });

  it('a charger id is 1 to 48 printable ASCII characters without "/" or spaces (OCPP chargeBoxIdentity)', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ minLength: 0, maxLength: 50 })), (id) => {
        const ok = id.length >= 1 && id.length <= 48 && printable(id, 0x21) && !id.includes('/');
        const r = refusal(() => checkChargePointId(id));
        expect(r === null).toBe(ok);
        if (r) expect(r.message).toMatch(/^id /);
      }),
    );
    expect(checkChargePointId('DE*2GO*EMCD1311')).toBe('DE*2GO*EMCD1311');
  });

  it('generated passwords are 32 characters of A-Z a-z 0-9 and pass the password rule, from any random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 80 }), (bytes) => {
        if (bytes.every((b) => b >= 248)) bytes.push(7); // a source that never yields a usable byte would loop
        let i = 0;
        const source = (n: number) => Buffer.from(Array.from({ length: n }, () => bytes[i++ % bytes.length]));
        const p = generateChargerPassword(source);
        expect(p).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(checkPassword(p)).toBe(p);
      }),
    );
    const seen = new Set(Array.from({ length: 200 }, () => generateChargerPassword()));
    expect(seen.size).toBe(200);
    expect(GENERATED_PASSWORD_LENGTH).toBe(32);
  });

  it('POST /v1/chargers: valid bodies parse to what they say; an unknown field is named', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9*._-]{1,48}$/);
    const fleet = fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/);
    const connectors = fc.uniqueArray(
      fc.record({
        connector_id: fc.integer({ min: 1, max: 99 }),
        evse_id: fc.stringMatching(/^[A-Z0-9*]{1,48}$/),
      }),
      { selector: (c) => c.connector_id, maxLength: 5 },
    );
    fc.assert(
      fc.property(id, fleet, connectors, fc.boolean(), (i, f, cs, generate) => {
        const evses = new Set(cs.map((c) => c.evse_id));
        fc.pre(evses.size === cs.length);
        const body = {
          id: i,
          fleet: f,
          ...(generate ? { generate: true } : { password: 'p'.repeat(20) }),
          connectors: cs,
        };
        expect(parseRegisterCharger(body)).toEqual({
          id: i,
          fleetId: f,
          password: generate ? { kind: 'generate' } : { kind: 'given', password: 'p'.repeat(20) },
          connectors: cs.map((c) => ({ connectorId: c.connector_id, evseId: c.evse_id })),
        });
        expect(refusal(() => parseRegisterCharger({ ...body, evse: 'x' }))?.message).toContain('"evse"');
      }),
    );
  });

  it.each([
    [null, 'body must be a JSON object'],
    [[], 'body must be a JSON object'],
    [{ fleet: 'f', generate: true }, 'id must be'],
    [{ id: 'CP', generate: true }, 'fleet must be'],
    [{ id: 'CP', fleet: 'f' }, 'password (16 to 40 characters) or "generate": true is required'],
    [{ id: 'CP', fleet: 'f', password: 'p'.repeat(16), generate: true }, 'not both'],
    [{ id: 'CP', fleet: 'f', generate: 'yes' }, 'generate must be true or false'],
    [{ id: 'CP', fleet: 'f', generate: true, connectors: {} }, 'connectors must be an array'],
    [{ id: 'CP', fleet: 'f', generate: true, connectors: [1] }, 'connectors[0] must be an object'],
    [
      { id: 'CP', fleet: 'f', generate: true, connectors: [{ connector_id: '1', evse_id: 'E' }] },
      'connectors[0].connector_id',
    ],
    [
      { id: 'CP', fleet: 'f', generate: true, connectors: [{ connector_id: 1, evse_id: null }] },
      'connectors[0].evse_id',
    ],
    [
      { id: 'CP', fleet: 'f', generate: true, connectors: [{ connector_id: 1, evse_id: 'E', x: 1 }] },
      'connectors[0]: unknown field "x"',
    ],
    [
      {
        id: 'CP',
        fleet: 'f',
        generate: true,
        connectors: [
          { connector_id: 1, evse_id: 'E' },
          { connector_id: 1, evse_id: 'F' },
        ],
      },
      'connectors[1].connector_id 1 is listed twice',
    ],
    [
      {
        id: 'CP',
        fleet: 'f',
        generate: true,
        connectors: [
          { connector_id: 1, evse_id: 'E' },
          { connector_id: 2, evse_id: 'E' },
        ],
      },
      'connectors[1].evse_id "E" is given to two connectors',
    ],
  ])('POST /v1/chargers refuses %j: %s', (body, message) => {
    const r = refusal(() => parseRegisterCharger(body));
    expect(r).toMatchObject({ status: 400, code: 'INVALID_BODY' });
    expect(r!.message).toContain(message);
  });

  it('PATCH takes fleet and/or connectors (evse_id null removes one); the password route takes one password choice', () => {
    expect(parseUpdateCharger({ connectors: [{ connector_id: 2, evse_id: null }] })).toEqual({
      connectors: [{ connectorId: 2, evseId: null }],
    });
    expect(parseUpdateCharger({ fleet: 'acme' })).toEqual({ fleetId: 'acme' });
    expect(refusal(() => parseUpdateCharger({}))?.message).toContain('nothing to change');
    expect(refusal(() => parseUpdateCharger({ password: 'p'.repeat(20) }))?.message).toContain('"password"');
    expect(parseRotatePassword({ generate: true })).toEqual({ kind: 'generate' });
    expect(parseRotatePassword({ password: 'q'.repeat(40) })).toEqual({
      kind: 'given',
      password: 'q'.repeat(40),
    });
    expect(refusal(() => parseRotatePassword({}))?.message).toContain('password');
    expect(refusal(() => parseRotatePassword(undefined))?.message).toContain('password');
    expect(refusal(() => parseRotatePassword({ generate: false }))?.message).toContain('password');
  });

  it('merging EVSE ids applies each change, and never lets one EVSE id name two connectors', () => {
    const change = fc.record({
      connectorId: fc.integer({ min: 1, max: 6 }),
      evseId: fc.option(fc.constantFrom('A', 'B', 'C', 'D'), { nil: null }),
    });
    const current = fc
      .uniqueArray(fc.constantFrom('A', 'B', 'C', 'D'), { maxLength: 4 })
      .map((evses) => Object.fromEntries(evses.map((e, i) => [String(i + 1), e])));
    fc.assert(
      fc.property(
        current,
        fc.uniqueArray(change, { selector: (c) => c.connectorId, maxLength: 6 }),
        (cur, changes) => {
          const expected: Record<string, string> = { ...cur };
          for (const c of changes) {
            if (c.evseId === null) delete expected[String(c.connectorId)];
            else expected[String(c.connectorId)] = c.evseId;
          }
          const unique = new Set(Object.values(expected)).size === Object.values(expected).length;
          const r = refusal(() => mergeEvseIds(cur, changes));
          expect(r === null).toBe(unique);
          if (unique) expect(mergeEvseIds(cur, changes)).toEqual(expected);
          else expect(r!.message).toMatch(/^connectors: EVSE id "[A-D]" would name connectors/);
        },
      ),
    );
  });

  it('id tags: 1 to 20 characters (IdToken), a status of the three, an instant or null, a parent tag or null', () => {
    expect(parseSetIdTag('AABBCCDD', { fleet: 'acme', status: 'Accepted' })).toEqual({
      fleetId: 'acme',
      idTag: 'AABBCCDD',
      status: 'Accepted',
      expiryDate: null,
      parentIdTag: null,
    });
    expect(
      parseSetIdTag('T1', {
        fleet: 'acme',
        status: 'Expired',
        expiry_date: '2030-01-01T01:00:00+01:00',
        parent_id_tag: 'P',
      }),
    ).toMatchObject({ expiryDate: '2030-01-01T00:00:00.000Z', parentIdTag: 'P' });
    const cases: [unknown, unknown, string][] = [
      ['T'.repeat(21), { fleet: 'a', status: 'Accepted' }, 'idTag'],
      ['', { fleet: 'a', status: 'Accepted' }, 'idTag'],
      ['T', { fleet: 'a', status: 'accepted' }, 'status'],
      ['T', { fleet: 'a', status: 'Accepted', expiry_date: '2030-01-01' }, 'expiry_date'],
      ['T', { fleet: 'a', status: 'Accepted', expiry_date: '2030-02-30T00:00:00Z' }, 'expiry_date'],
      ['T', { fleet: 'a', status: 'Accepted', parent_id_tag: '' }, 'parent_id_tag'],
      ['T', { status: 'Accepted' }, 'fleet'],
      ['T', { fleet: 'a', status: 'Accepted', idTag: 'T' }, '"idTag"'],
    ];
    for (const [tag, body, field] of cases)
      expect(refusal(() => parseSetIdTag(tag, body))?.message).toContain(field);
  });

  it('id tag cursors round-trip, and only the exact text of one decodes', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (fleetId, idTag) => {
        expect(decodeIdTagCursor(encodeIdTagCursor({ fleetId, idTag }))).toEqual({ fleetId, idTag });
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const decoded = safeDecode(text);
        if (decoded !== undefined)
          expect(encodeIdTagCursor(decoded as { fleetId: string; idTag: string })).toBe(text);
      }),
    );
  });
});

/** The query parser calls decode inside a try (QueryError INVALID_CURSOR); the property checks what it returns. */
function safeDecode(text: string): unknown {
  try {
    return decodeIdTagCursor(text);
  } catch {
    return undefined;
  }
}
