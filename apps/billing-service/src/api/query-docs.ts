import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { QuerySpec } from '@app/http';
import { anomaliesQuery, CHARGES_QUERY } from '../application/read-charges';
import { exportQuery } from '../application/export-charges';
import { LIST_TARIFFS_QUERY, RESOLVE_TARIFF_QUERY } from '../application/read-tariffs';
import { EXPORT_FORMATS } from '../domain/exports/export-row';

/** How one query parameter reads in the OpenAPI document; `example` must parse with its spec (tested). */
export interface QueryDoc {
  schema: SchemaObject;
  description: string;
  example: string;
}

/** One doc per parameter of the spec, no more, no fewer (the compiler holds both ways). */
export type QueryDocs<S extends QuerySpec> = { [K in keyof S]: QueryDoc };

/**
 * Whether a parameter is required and its default, read from the spec itself: what it does with
 * an absent value (throws: required; a value: the default). So the document cannot drift from
 * what the route accepts.
 */
export function presenceOf(spec: QuerySpec, name: string): { required: boolean; default?: unknown } {
  let value: unknown;
  try {
    value = spec[name].parse(undefined, name);
  } catch {
    return { required: true };
  }
  return value === undefined ? { required: false } : { required: false, default: value };
}

/** Every parameter of the route's query spec as an `@ApiQuery`. */
export function ApiQueryParams<S extends QuerySpec>(spec: S, docs: QueryDocs<S>): MethodDecorator {
  return applyDecorators(
    ...Object.keys(spec).map((name) => {
      const { required, default: fallback } = presenceOf(spec, name);
      const doc = docs[name as keyof S];
      return ApiQuery({
        name,
        required,
        description: doc.description,
        example: doc.example,
        schema: { ...doc.schema, ...(fallback !== undefined ? { default: fallback } : {}) },
      });
    }),
  );
}

const INSTANT_FORMS =
  'unix seconds, an RFC 3339 instant with offset, or a date (midnight in the books’ time zone)';

export const CHARGES_QUERY_DOCS: QueryDocs<typeof CHARGES_QUERY> = {
  session_id: {
    schema: { type: 'string', format: 'uuid' },
    description: 'The session whose charges to list',
    example: '5b0e1f7c-1111-4222-8333-444455556666',
  },
};

/** The anomaly report's query; like the export's, its parameters do not depend on the time zone. */
export const ANOMALIES_QUERY = anomaliesQuery('UTC');

export const ANOMALIES_QUERY_DOCS: QueryDocs<typeof ANOMALIES_QUERY> = {
  from: {
    schema: { type: 'string' },
    description: `From (inclusive): ${INSTANT_FORMS}`,
    example: '2024-05-01',
  },
  to: { schema: { type: 'string' }, description: `To (exclusive): ${INSTANT_FORMS}`, example: '2024-06-01' },
  limit: {
    schema: { type: 'integer', minimum: 1, maximum: 10000 },
    description: 'At most this many, oldest first',
    example: '100',
  },
};

export const LIST_TARIFFS_QUERY_DOCS: QueryDocs<typeof LIST_TARIFFS_QUERY> = {
  limit: { schema: { type: 'integer', minimum: 1, maximum: 500 }, description: 'Page size', example: '50' },
  cursor: {
    schema: { type: 'string' },
    description: 'The `next_cursor` of the previous page (opaque)',
    example: '5b0e1f7c-1111-4222-8333-444455556666',
  },
};

export const RESOLVE_TARIFF_QUERY_DOCS: QueryDocs<typeof RESOLVE_TARIFF_QUERY> = {
  fleet_id: { schema: { type: 'string', maxLength: 255 }, description: 'The fleet', example: 'fleet-1' },
  charge_point_id: {
    schema: { type: 'string', maxLength: 255 },
    description: 'The charge point',
    example: 'CP1',
  },
  evse: { schema: { type: 'string', maxLength: 255 }, description: 'The EVSE', example: 'CP1*1' },
  at: {
    schema: { type: 'string' },
    description: `When the session starts (default now): ${INSTANT_FORMS}`,
    example: '2024-05-01T10:00:00Z',
  },
};

/** The export's query; its bounds' time zone (config) does not change which parameters it has. */
export const EXPORT_QUERY = exportQuery('UTC');

export const EXPORT_QUERY_DOCS: QueryDocs<typeof EXPORT_QUERY> = {
  from: {
    schema: { type: 'string' },
    description: `From (inclusive): ${INSTANT_FORMS}`,
    example: '2024-05-01',
  },
  to: { schema: { type: 'string' }, description: `To (exclusive): ${INSTANT_FORMS}`, example: '2024-06-01' },
  format: {
    schema: { type: 'string', enum: [...EXPORT_FORMATS] },
    description: 'csv, jsonl, ocpi-cdr (OCPI 2.2.1 CDRs) or datev (EXTF Buchungsstapel, one month)',
    example: 'csv',
  },
};

/** The totals take the export's range, not its format. */
export const EXPORT_TOTALS_QUERY = { from: EXPORT_QUERY.from, to: EXPORT_QUERY.to };
export const EXPORT_TOTALS_QUERY_DOCS: QueryDocs<typeof EXPORT_TOTALS_QUERY> = {
  from: EXPORT_QUERY_DOCS.from,
  to: EXPORT_QUERY_DOCS.to,
};

/** Every route's spec with its docs (the test walks these). */
export const ROUTE_QUERY_DOCS = [
  [CHARGES_QUERY, CHARGES_QUERY_DOCS],
  [ANOMALIES_QUERY, ANOMALIES_QUERY_DOCS],
  [LIST_TARIFFS_QUERY, LIST_TARIFFS_QUERY_DOCS],
  [RESOLVE_TARIFF_QUERY, RESOLVE_TARIFF_QUERY_DOCS],
  [EXPORT_QUERY, EXPORT_QUERY_DOCS],
  [EXPORT_TOTALS_QUERY, EXPORT_TOTALS_QUERY_DOCS],
] as const satisfies readonly (readonly [QuerySpec, Record<string, QueryDoc>])[];
