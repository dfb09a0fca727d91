import { parseEnvelope, topicName, type TariffPublished } from '@app/contracts';
import { createEnvelopeValidator } from '@app/contracts/schemas';
import { http, readTopicUntil, startBilling, type RunningBilling } from '../../test/billing-app';
import { TARIFF_A, TARIFF_A_AS_NUMBERS } from '@app/testing/fixtures';

// Pump's clients send prices as JSON numbers; the tariff stores and answers decimal strings.
const A = TARIFF_A_AS_NUMBERS;

describe('tariffs REST API (real Postgres + Kafka)', () => {
  let b: RunningBilling;
  beforeAll(async () => {
    b = await startBilling('billing_tariffs');
  });
  afterAll(async () => {
    await b.stop();
  });

  it('creates, versions, assigns and resolves tariffs, and publishes each state to the compacted topic', async () => {
    const created = await http('POST', `${b.url}/v1/tariffs`, {
      name: 'A',
      effective_from: '2024-01-01T00:00:00Z',
      tariff: A,
      assignments: [{ scope: 'FLEET', ref: 'fleet-1' }],
    });
    expect(created.status).toBe(201);
    const t = created.body.tariff;
    expect(t.versions).toEqual([
      {
        version: 1,
        effective_from: '2024-01-01T00:00:00.000Z',
        tariff: { tariff_id: t.id, version: 1, ...TARIFF_A },
        // The key that created it (test/security/audit.int.spec.ts checks the exact id).
        created_by: { kind: 'api_key', id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      },
    ]);
    expect(t.assignments).toEqual([{ scope: 'FLEET', ref: 'fleet-1' }]);

    const earlier = await http('POST', `${b.url}/v1/tariffs/${t.id}/versions`, {
      effective_from: '2023-06-01T00:00:00Z',
      tariff: A,
    });
    expect(earlier.status).toBe(409);
    expect(earlier.body.error.code).toBe('VERSION_NOT_AFTER_LATEST');

    const v2 = await http('POST', `${b.url}/v1/tariffs/${t.id}/versions`, {
      effective_from: '2024-06-01T00:00:00+02:00',
      tariff: { ...A, kwh_price: '0.59' },
    });
    expect(v2.status).toBe(201);
    expect(v2.body.tariff.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(v2.body.tariff.versions[0].tariff.kwh_price).toBe('0.88'); // version 1 untouched

    const d = await http('POST', `${b.url}/v1/tariffs`, {
      name: 'D',
      effective_from: '2024-01-01T00:00:00Z',
      tariff: { ...A, kwh_price: '0.50', session_price: '1.00', time_tariffs: [] },
    });
    const evse = await http(
      'PUT',
      `${b.url}/v1/tariff-assignments/EVSE/${encodeURIComponent('DE*2GO*E1*1')}`,
      { tariff_id: d.body.tariff.id },
    );
    expect(evse.status).toBe(200);

    const atEvse = await http(
      'GET',
      `${b.url}/v1/tariffs/resolve?fleet_id=fleet-1&charge_point_id=CP1&evse=${encodeURIComponent('DE*2GO*E1*1')}&at=2024-07-01T00:00:00Z`,
    );
    expect(atEvse.status).toBe(200);
    expect(atEvse.body.tariff.tariff_id).toBe(d.body.tariff.id);
    expect(atEvse.body.tariff.session_price).toBe('1.00');
    const fleetOld = await http(
      'GET',
      `${b.url}/v1/tariffs/resolve?fleet_id=fleet-1&evse=other&at=2024-03-01T00:00:00Z`,
    );
    expect(fleetOld.body.tariff).toMatchObject({ tariff_id: t.id, version: 1, kwh_price: '0.88' });
    const fleetNew = await http(
      'GET',
      `${b.url}/v1/tariffs/resolve?fleet_id=fleet-1&at=2024-06-01T00:00:00Z`,
    );
    expect(fleetNew.body.tariff).toMatchObject({ version: 2, kwh_price: '0.59' });
    const none = await http('GET', `${b.url}/v1/tariffs/resolve?fleet_id=fleet-2`);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('NO_TARIFF');

    const list = await http('GET', `${b.url}/v1/tariffs?limit=1`);
    expect(list.body.tariffs).toHaveLength(1);
    const page2 = await http('GET', `${b.url}/v1/tariffs?limit=1&cursor=${list.body.next_cursor}`);
    expect(page2.body.tariffs[0].id).not.toBe(list.body.tariffs[0].id);

    const records = await readTopicUntil(b.kafka, topicName('tariffs', b.kafka.prefix), (rs) =>
      rs.some((r) => {
        const data = parseEnvelope(r.value).data as TariffPublished;
        return data.tariffId === t.id && data.versions.length === 2;
      }),
    );
    const latestForA = records.filter((r) => r.key?.toString() === t.id).map((r) => parseEnvelope(r.value));
    expect(
      latestForA.every((e) => e.type === 'TariffVersionPublished' && e.schema === 'billing.tariff/v1'),
    ).toBe(true);
    const violations = createEnvelopeValidator();
    for (const r of records) expect(violations(parseEnvelope(r.value))).toEqual([]); // the JSON Schema of libs/contracts
    const last = latestForA[latestForA.length - 1].data as TariffPublished;
    expect(last.versions[1].tariff.kwh_price).toBe('0.59');
    expect(last.assignments).toEqual([{ scope: 'FLEET', ref: 'fleet-1' }]);
  });

  it('answers bad requests with a 4xx { error: { code, message } }', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/v1/tariffs', '{"name":', 400, 'INVALID_JSON'], // issue 11: the error filter's code, not BAD_REQUEST
      ['POST', '/v1/tariffs', { name: 'x', tariff: { ...A, kwh_price: '-0.1' } }, 400, 'INVALID_TARIFF'],
      ['POST', '/v1/tariffs', { name: 'x', tariff: { ...A, vat: 19 } }, 400, 'INVALID_TARIFF'],
      ['POST', '/v1/tariffs', { name: 'x', tariff: { ...A, currency: 'XYZ' } }, 400, 'INVALID_TARIFF'],
      ['POST', '/v1/tariffs', { name: '', tariff: A }, 400, 'VALIDATION_FAILED'],
      [
        'POST',
        '/v1/tariffs',
        { name: 'x', tariff: A, effective_from: 'yesterday' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'POST',
        '/v1/tariffs',
        { name: 'x', tariff: A, effective_from: '2024-02-30T00:00:00Z' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'POST',
        '/v1/tariffs',
        { name: 'x', tariff: A, assignments: [{ scope: 'PLANET', ref: 'earth' }] },
        400,
        'VALIDATION_FAILED',
      ],
      ['GET', '/v1/tariffs/not-a-uuid', undefined, 404, 'NOT_FOUND'],
      ['GET', '/v1/tariffs/7d1c5a1e-0000-4000-8000-000000000000', undefined, 404, 'NOT_FOUND'],
      [
        'PUT',
        '/v1/tariff-assignments/EVSE/x',
        { tariff_id: '7d1c5a1e-0000-4000-8000-000000000000' },
        404,
        'NOT_FOUND',
      ],
      ['DELETE', '/v1/tariff-assignments/EVSE/nothing-here', undefined, 404, 'NOT_FOUND'],
      ['GET', '/v1/tariffs?limit=0', undefined, 400, 'INVALID_QUERY'],
      ['GET', '/v1/tariffs?limit=5&colour=red', undefined, 400, 'INVALID_QUERY'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const res = await http(method, b.url + path, body);
      expect({ path, body, status: res.status, code: res.body?.error?.code }).toEqual({
        path,
        body,
        status,
        code,
      });
      expect(typeof res.body.error.message).toBe('string');
    }
  });

  it('answers a body that is not JSON with 400 INVALID_JSON, saying what the parser found', async () => {
    for (const [path, text] of [
      ['/v1/tariffs', 'not json'],
      ['/v1/tariffs', '{"name": "A", "tariff": '],
      ['/v1/charges/5b0e1f7c-1111-4222-8333-444455556666/corrections', '['],
    ]) {
      const res = await http('POST', `${b.url}${path}`, text);
      expect({ path, status: res.status, code: res.body?.error?.code }).toEqual({
        path,
        status: 400,
        code: 'INVALID_JSON',
      });
      expect(res.body.error.message).toMatch(/^request body is not valid JSON: \S/);
    }
  });
});
