import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { QuerySpec } from '@app/http';

/** What OpenAPI shows of each parameter of a query spec: one entry per parameter, no more, no less. */
export type QueryDocs<S extends QuerySpec> = {
  [K in keyof S]: { description: string; schema: SchemaObject };
};

/**
 * One @ApiQuery per parameter of the spec the route parses with, so the document lists exactly what
 * the parser accepts. Whether a parameter is required, and its default, come from the parser itself
 * (what it does with an absent value); the type is checked to cover every key of the spec.
 */
export function ApiQueryFrom<S extends QuerySpec>(spec: S, docs: QueryDocs<S>): MethodDecorator {
  return applyDecorators(
    ...Object.keys(spec).map((name) => {
      let required = false;
      let fallback: unknown;
      try {
        fallback = spec[name].parse(undefined, name);
      } catch {
        required = true;
      }
      const { description, schema } = docs[name as keyof S];
      return ApiQuery({
        name,
        required,
        description,
        schema: fallback === undefined ? schema : { ...schema, default: fallback },
      });
    }),
  );
}
