import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { parseQuery } from '@app/http';
import { buildOpenApiDocument } from '@app/observability';
import { AddTariffVersion } from '../application/add-tariff-version';
import { AssignTariff, ListAssignments, UnassignTariff } from '../application/assign-tariff';
import { CorrectCharge } from '../application/correct-charge';
import { CreateTariff } from '../application/create-tariff';
import { ExportCharges } from '../application/export-charges';
import { GetCharge, ListAnomalies, ListSessionCharges } from '../application/read-charges';
import { GetTariff, ListTariffs, ResolveTariff } from '../application/read-tariffs';
import { ChargesController } from './charges.controller';
import { ExportsController } from './exports.controller';
import { ROUTE_QUERY_DOCS, presenceOf } from './query-docs';
import { TariffsController } from './tariffs.controller';

const USE_CASES = [
  CreateTariff,
  AddTariffVersion,
  AssignTariff,
  UnassignTariff,
  ListAssignments,
  GetTariff,
  ListTariffs,
  ResolveTariff,
  ListSessionCharges,
  GetCharge,
  ListAnomalies,
  CorrectCharge,
  ExportCharges,
];

type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string; type?: string } }> }>;
};

describe("billing's OpenAPI document", () => {
  let app: INestApplication;
  let doc: OpenAPIObject;
  const op = (method: string, path: string) => {
    const found = (doc.paths[path] as Record<string, Operation> | undefined)?.[method];
    if (!found) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
    return found;
  };
  const queryOf = (method: string, path: string) =>
    (op(method, path).parameters ?? []).filter((p) => p.in === 'query');
  /** The schema a $ref names, with its properties. */
  const component = (ref: string) =>
    doc.components!.schemas![ref.replace('#/components/schemas/', '')] as {
      properties?: Record<string, unknown>;
      required?: string[];
    };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [TariffsController, ChargesController, ExportsController],
      providers: USE_CASES.map((type) => ({ provide: type, useValue: {} })),
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    doc = buildOpenApiDocument(app, 'billing-service', 'test');
  });
  afterAll(async () => {
    await app.close();
  });

  const BODIES: [string, string, string][] = [
    ['post', '/v1/tariffs', 'CreateTariffRequest'],
    ['post', '/v1/tariffs/{id}/versions', 'AddTariffVersionRequest'],
    ['put', '/v1/tariff-assignments/{scope}/{ref}', 'AssignTariffRequest'],
    ['post', '/v1/charges/{id}/corrections', 'CorrectionRequest'],
  ];
  it.each(BODIES)('%s %s documents its request body (%s)', (method, path, name) => {
    const schema = op(method, path).requestBody?.content['application/json']?.schema;
    expect(schema?.$ref).toBe(`#/components/schemas/${name}`);
    expect(Object.keys(component(schema!.$ref!).properties ?? {}).length).toBeGreaterThan(0);
  });

  const RESPONSES: [string, string, string, string][] = [
    ['post', '/v1/tariffs', '201', 'TariffResponse'],
    ['get', '/v1/tariffs', '200', 'TariffListResponse'],
    ['get', '/v1/tariffs/resolve', '200', 'ResolvedTariffResponse'],
    ['get', '/v1/tariffs/{id}', '200', 'TariffResponse'],
    ['post', '/v1/tariffs/{id}/versions', '201', 'TariffResponse'],
    ['get', '/v1/tariff-assignments', '200', 'AssignmentListResponse'],
    ['put', '/v1/tariff-assignments/{scope}/{ref}', '200', 'AssignmentResponse'],
    ['get', '/v1/charges', '200', 'ChargeListResponse'],
    ['get', '/v1/charges/{id}', '200', 'ChargeResponse'],
    ['post', '/v1/charges/{id}/corrections', '201', 'CorrectionResponse'],
    ['get', '/v1/anomalies', '200', 'AnomalyListResponse'],
    ['get', '/v1/exports/charges/totals', '200', 'ExportTotalsResponse'],
  ];
  it.each(RESPONSES)('%s %s documents its %s response (%s)', (method, path, status, name) => {
    const content = op(method, path).responses[status]?.content;
    expect(content?.['application/json']?.schema.$ref).toBe(`#/components/schemas/${name}`);
  });

  it('lists exactly the billing routes, the file export and the 204 included', () => {
    expect(op('get', '/v1/exports/charges').responses['200'].content?.['text/csv']?.schema.type).toBe(
      'string',
    );
    expect(op('delete', '/v1/tariff-assignments/{scope}/{ref}').responses['204']).toBeDefined();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(
      [
        ...BODIES.map(([m, p]) => `${m.toUpperCase()} ${p}`),
        ...RESPONSES.map(([m, p]) => `${m.toUpperCase()} ${p}`),
        'GET /v1/exports/charges',
        'DELETE /v1/tariff-assignments/{scope}/{ref}',
      ]
        .filter((v, i, all) => all.indexOf(v) === i)
        .sort(),
    );
  });

  it('documents the error body of every route', () => {
    for (const [method, path] of RESPONSES) {
      expect(op(method, path).responses['400']?.content?.['application/json']?.schema.$ref).toBe(
        '#/components/schemas/ErrorResponseDto',
      );
    }
  });

  it('nests the charge, its amounts and inputs, and money as decimal strings', () => {
    const charge = component('#/components/schemas/ChargeDto');
    expect(charge.properties).toHaveProperty('final_amount');
    expect(component('#/components/schemas/FinalAmountDto').properties!.gross).toMatchObject({
      type: 'string',
    });
    expect(component('#/components/schemas/PricingInputsDto').properties).toHaveProperty('tariff');
  });

  const QUERIES: [string, string, number][] = [
    ['get', '/v1/charges', 0],
    ['get', '/v1/anomalies', 1],
    ['get', '/v1/tariffs', 2],
    ['get', '/v1/tariffs/resolve', 3],
    ['get', '/v1/exports/charges', 4],
    ['get', '/v1/exports/charges/totals', 5],
  ];
  it.each(QUERIES)(
    '%s %s lists exactly the query parameters its spec accepts, required and defaults from the spec',
    (method, path, i) => {
      const [spec, docs] = ROUTE_QUERY_DOCS[i];
      const params = queryOf(method, path);
      expect(params.map((p) => p.name).sort()).toEqual(Object.keys(spec).sort());
      for (const p of params) {
        const presence = presenceOf(spec, p.name);
        expect(p.required ?? false).toBe(presence.required);
        expect(p.schema?.default).toEqual(presence.default);
        // The documented example is one the route accepts.
        const example = (docs as Record<string, { example: string }>)[p.name].example;
        expect(() =>
          parseQuery(spec, { [p.name]: example, ...requiredOthers(spec, p.name, docs) }),
        ).not.toThrow();
      }
    },
  );

  it('reads required and default from the spec (session_id required, limit 1000 by default)', () => {
    expect(queryOf('get', '/v1/charges')).toEqual([
      expect.objectContaining({ name: 'session_id', required: true }),
    ]);
    const limit = queryOf('get', '/v1/anomalies').find((p) => p.name === 'limit');
    expect(limit).toMatchObject({ required: false, schema: { type: 'integer', default: 1000 } });
  });
});

/** The examples of the other required parameters, so one parameter's example is parsed alone. */
function requiredOthers(spec: Record<string, unknown>, name: string, docs: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const other of Object.keys(spec)) {
    if (other === name) continue;
    if (presenceOf(spec as never, other).required)
      out[other] = (docs as Record<string, { example: string }>)[other].example;
  }
  return out;
}
