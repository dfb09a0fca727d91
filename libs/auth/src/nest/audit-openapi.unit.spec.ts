import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule, DocumentBuilder, type OpenAPIObject } from '@nestjs/swagger';
import { ACTOR_KINDS, AUDIT_ACTIONS, AUDIT_QUERY, type AuditPage, type AuditRecord } from '../audit';
import { AuditController } from './audit.controller';
import { AUTH_POOL } from './auth.module';

@Module({ controllers: [AuditController], providers: [{ provide: AUTH_POOL, useValue: {} }] })
class AuditOnly {}

type Schema = {
  properties?: Record<string, Schema>;
  $ref?: string;
  enum?: unknown[];
  items?: Schema;
  required?: string[];
};

describe('GET /v1/audit in the OpenAPI document', () => {
  let doc: OpenAPIObject;
  beforeAll(async () => {
    const app = await NestFactory.create(AuditOnly, { logger: false });
    doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    await app.close();
  });
  const schema = (ref: string) =>
    doc.components!.schemas![ref.replace('#/components/schemas/', '')] as Schema;
  const op = () => doc.paths['/v1/audit'].get!;

  it('lists exactly the query parameters the parser reads, all optional', () => {
    const params = (op().parameters ?? []) as { name: string; in: string; required?: boolean }[];
    expect(params.map((p) => p.name).sort()).toEqual(Object.keys(AUDIT_QUERY).sort());
    for (const p of params)
      expect({ name: p.name, in: p.in, required: p.required }).toEqual({
        name: p.name,
        in: 'query',
        required: false,
      });
  });

  it('describes the page and every field of an audit record', () => {
    const ok = op().responses['200'] as { content: Record<string, { schema: Schema }> };
    const page = schema(ok.content['application/json'].schema.$ref!);
    const samplePage: AuditPage = { entries: [], next_cursor: null };
    expect(Object.keys(page.properties!).sort()).toEqual(Object.keys(samplePage).sort());
    const record = schema(page.properties!.entries.items!.$ref!);
    const sample: AuditRecord = {
      id: '',
      at: '',
      actor: { kind: 'cli', id: '' },
      action: 'api_key.created',
      target: { type: '', id: '' },
      service: '',
      details: {},
    };
    expect(Object.keys(record.properties!).sort()).toEqual(Object.keys(sample).sort());
    expect(record.required!.sort()).toEqual(Object.keys(sample).sort());
    expect(record.properties!.action.enum).toEqual([...AUDIT_ACTIONS]);
    const actor = schema(record.properties!.actor.$ref!);
    expect(Object.keys(actor.properties!).sort()).toEqual(Object.keys(sample.actor).sort());
    expect(actor.properties!.kind.enum).toEqual([...ACTOR_KINDS]);
    expect(Object.keys(schema(record.properties!.target.$ref!).properties!).sort()).toEqual(['id', 'type']);
  });

  it('documents the 400 body as the shared error shape', () => {
    const bad = op().responses['400'] as { content: Record<string, { schema: Schema }> };
    const error = schema(bad.content['application/json'].schema.$ref!);
    expect(Object.keys(error.properties!)).toEqual(['error']);
    expect(Object.keys(schema(error.properties!.error.$ref!).properties!).sort()).toEqual([
      'code',
      'message',
    ]);
  });
});
