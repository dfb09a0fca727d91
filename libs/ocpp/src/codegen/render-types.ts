/**
 * Renders TypeScript types from the official OCPP 1.6 JSON schemas (`OCPP16_SCHEMAS`). It handles
 * the subset of JSON Schema those schemas use (object/properties/required, additionalProperties
 * false, string/integer/number/boolean, enum, array items, local `$ref` to `definitions`, and the
 * maxLength/format/minItems/multipleOf constraints, which go into doc comments: a type cannot
 * check them, the validator does). The output is `ocpp16-types.generated.ts`; a unit test renders it
 * again and fails when the committed file differs. Regenerate with
 * `node scripts/run-ts.mjs libs/ocpp/src/codegen/generate-types.ts`.
 */
import type { Ocpp16Schema } from '../schemas';

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  enum?: unknown[];
  maxLength?: number;
  minItems?: number;
  format?: string;
  multipleOf?: number;
  definitions?: Record<string, Schema>;
};

const HANDLED = new Set([
  '$id',
  '$schema',
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'maxLength',
  'minItems',
  'format',
  'multipleOf',
  'definitions',
]);

/** `urn:Authorize.req` → ['Authorize', 'Request']. */
export function schemaName($id: string): { action: string; kind: 'Request' | 'Confirmation' } {
  const m = /^urn:([A-Za-z]+)\.(req|conf)$/.exec($id);
  if (!m) throw new Error(`unexpected schema id ${$id}`);
  return { action: m[1], kind: m[2] === 'req' ? 'Request' : 'Confirmation' };
}

function constraints(s: Schema): string[] {
  const notes: string[] = [];
  if (s.type === 'integer') notes.push('integer');
  if (s.format) notes.push(s.format === 'date-time' ? 'date-time (ISO 8601)' : s.format);
  if (s.maxLength !== undefined) notes.push(`at most ${s.maxLength} characters`);
  if (s.minItems !== undefined) notes.push(`at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
  if (s.multipleOf !== undefined) notes.push(`a multiple of ${s.multipleOf}`);
  return notes;
}

function typeOf(s: Schema, root: Schema, where: string, indent: string): string {
  for (const key of Object.keys(s)) {
    if (!HANDLED.has(key)) throw new Error(`${where}: keyword "${key}" is not handled by the generator`);
  }
  if (s.$ref) {
    const name = /^#\/definitions\/(\w+)$/.exec(s.$ref)?.[1];
    const target = name ? root.definitions?.[name] : undefined;
    if (!target) throw new Error(`${where}: unresolved $ref ${s.$ref}`);
    return typeOf(target, root, `${where}(${name})`, indent);
  }
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      if (!s.items) throw new Error(`${where}: array without items`);
      const item = typeOf(s.items, root, `${where}[]`, indent);
      return /^[\w]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object':
      return objectType(s, root, where, indent);
    default:
      throw new Error(`${where}: type ${String(s.type)} is not handled by the generator`);
  }
}

function objectType(s: Schema, root: Schema, where: string, indent: string): string {
  if (s.additionalProperties !== false) throw new Error(`${where}: only closed objects are handled`);
  const entries = Object.entries(s.properties ?? {});
  if (entries.length === 0) return 'Record<string, never>';
  const required = new Set(s.required ?? []);
  for (const name of required) {
    if (!s.properties?.[name]) throw new Error(`${where}: required "${name}" has no property`);
  }
  const inner = `${indent}  `;
  const lines = entries.map(([name, sub]) => {
    const notes = constraints(sub.$ref ? {} : sub);
    const doc = notes.length ? `${inner}/** ${notes.join('; ')} */\n` : '';
    const type = typeOf(sub, root, `${where}.${name}`, inner);
    return `${doc}${inner}${name}${required.has(name) ? '' : '?'}: ${type};`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** The generated module's text (before Prettier). */
export function renderOcpp16Types(schemas: readonly Ocpp16Schema[]): string {
  const byAction = new Map<string, { Request?: string; Confirmation?: string }>();
  const decls: string[] = [];
  // By action, the request before its confirmation.
  const order = (s: Ocpp16Schema) => {
    const { action, kind } = schemaName(s.$id);
    return `${action} ${kind === 'Request' ? 0 : 1}`;
  };
  for (const raw of [...schemas].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))) {
    const { action, kind } = schemaName(raw.$id);
    const schema = raw as unknown as Schema;
    const typeName = `${action}${kind}`;
    const entry = byAction.get(action) ?? {};
    if (entry[kind]) throw new Error(`two schemas for ${typeName}`);
    entry[kind] = typeName;
    byAction.set(action, entry);
    decls.push(`/** ${raw.$id} */\nexport type ${typeName} = ${typeOf(schema, schema, raw.$id, '')};`);
  }
  const actions = [...byAction.keys()].sort();
  for (const action of actions) {
    const entry = byAction.get(action)!;
    if (!entry.Request || !entry.Confirmation) throw new Error(`${action} lacks its .req or .conf schema`);
  }
  const map = (kind: 'Request' | 'Confirmation') =>
    actions.map((a) => `  ${a}: ${byAction.get(a)![kind]};`).join('\n');
  return [
    '// Generated from the official OCPP 1.6 JSON schemas (ocpp-rpc/lib/schemas/ocpp1_6.json) by',
    '// libs/ocpp/src/codegen/render-types.ts. Do not edit: run',
    '// `node scripts/run-ts.mjs libs/ocpp/src/codegen/generate-types.ts`.',
    '',
    ...decls.map((d) => `${d}\n`),
    '/** Every `<Action>.req` by action. */',
    `export interface Ocpp16Requests {\n${map('Request')}\n}`,
    '',
    '/** Every `<Action>.conf` by action. */',
    `export interface Ocpp16Confirmations {\n${map('Confirmation')}\n}`,
    '',
    '/** Every action OCPP 1.6 (with the Security whitepaper messages) defines. */',
    'export type Ocpp16Action = keyof Ocpp16Requests;',
    '',
    `export const OCPP16_ACTIONS = [\n${actions.map((a) => `  '${a}',`).join('\n')}\n] as const satisfies readonly Ocpp16Action[];`,
    '',
  ].join('\n');
}
