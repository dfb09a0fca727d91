/**
 * Renders TypeScript types from the official OCPP 1.6 and 2.0.1 JSON schemas. For 1.6 it handles
 * the subset of JSON Schema those schemas use (object/properties/required, additionalProperties
 * false, string/integer/number/boolean, enum, array items, local `$ref` to `definitions`, and the
 * maxLength/format/minItems/multipleOf constraints, which go into doc comments: a type cannot
 * check them, the validator does). The output is `ocpp16-types.generated.ts`; a unit test renders it
 * again and fails when the committed file differs. Regenerate with
 * `node scripts/run-ts.mjs libs/ocpp/src/codegen/generate-types.ts`.
 */
import type { OcppSchema } from '../schemas';

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
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  definitions?: Record<string, Schema>;
};

/**
 * How one protocol's module is written. OCPP 1.6 inlines every `$ref`; the 2.0.1 schemas share
 * their `definitions` (IdTokenType, CustomDataType, ...) across messages, so they become named
 * types, written once (the generator checks every schema defines a name the same way).
 */
export interface TypesDialect {
  /** `Ocpp16` / `Ocpp201`: prefix of the Requests/Confirmations/Action names. */
  prefix: string;
  /** `OCPP16_ACTIONS` / `OCPP201_ACTIONS`. */
  actionsConst: string;
  /** Where the schemas come from, for the header. */
  source: string;
  /** What the action list is, for its doc comment. */
  actionsDoc: string;
  namedDefinitions: boolean;
}

export const OCPP16_DIALECT: TypesDialect = {
  prefix: 'Ocpp16',
  actionsConst: 'OCPP16_ACTIONS',
  source: 'OCPP 1.6 JSON schemas (ocpp-rpc/lib/schemas/ocpp1_6.json)',
  actionsDoc: 'Every action OCPP 1.6 (with the Security whitepaper messages) defines.',
  namedDefinitions: false,
};

export const OCPP201_DIALECT: TypesDialect = {
  prefix: 'Ocpp201',
  actionsConst: 'OCPP201_ACTIONS',
  source: 'OCPP 2.0.1 JSON schemas (ocpp-rpc/lib/schemas/ocpp2_0_1.json)',
  actionsDoc: 'Every action OCPP 2.0.1 defines.',
  namedDefinitions: true,
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

/** Keywords only the 2.0.1 schemas use: documentation, or constraints the validator checks. */
const HANDLED_201 = new Set([
  ...HANDLED,
  'description',
  'default',
  'additionalItems',
  'maxItems',
  'minimum',
  'maximum',
  'javaType',
]);

/** `urn:Authorize.req` → ['Authorize', 'Request']. */
export function schemaName($id: string): { action: string; kind: 'Request' | 'Confirmation' } {
  const m = /^urn:([A-Za-z0-9]+)\.(req|conf)$/.exec($id);
  if (!m) throw new Error(`unexpected schema id ${$id}`);
  return { action: m[1], kind: m[2] === 'req' ? 'Request' : 'Confirmation' };
}

function constraints(s: Schema): string[] {
  const notes: string[] = [];
  if (s.type === 'integer') notes.push('integer');
  if (s.format) notes.push(s.format === 'date-time' ? 'date-time (ISO 8601)' : s.format);
  if (s.maxLength !== undefined) notes.push(`at most ${s.maxLength} characters`);
  if (s.minItems !== undefined) notes.push(`at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
  if (s.maxItems !== undefined) notes.push(`at most ${s.maxItems} item${s.maxItems === 1 ? '' : 's'}`);
  if (s.minimum !== undefined) notes.push(`at least ${s.minimum}`);
  if (s.maximum !== undefined) notes.push(`at most ${s.maximum}`);
  if (s.multipleOf !== undefined) notes.push(`a multiple of ${s.multipleOf}`);
  return notes;
}

interface RenderContext {
  dialect: TypesDialect;
  /** Named definitions written so far (2.0.1): name → its schema text and its declaration. */
  named: Map<string, { json: string; decl: string }>;
}

function typeOf(s: Schema, root: Schema, where: string, indent: string, cx: RenderContext): string {
  const handled = cx.dialect.namedDefinitions ? HANDLED_201 : HANDLED;
  for (const key of Object.keys(s)) {
    if (!handled.has(key)) throw new Error(`${where}: keyword "${key}" is not handled by the generator`);
  }
  if (s.$ref) {
    const name = /^#\/definitions\/(\w+)$/.exec(s.$ref)?.[1];
    const target = name ? root.definitions?.[name] : undefined;
    if (!name || !target) throw new Error(`${where}: unresolved $ref ${s.$ref}`);
    if (!cx.dialect.namedDefinitions) return typeOf(target, root, `${where}(${name})`, indent, cx);
    return namedType(name, target, root, where, cx);
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
      const item = typeOf(s.items, root, `${where}[]`, indent, cx);
      return /^[\w]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object':
      return objectType(s, root, where, indent, cx);
    case undefined:
      // 2.0.1 DataTransfer `data`: "anyType", no type given; any JSON value.
      if (cx.dialect.namedDefinitions) return 'unknown';
      throw new Error(`${where}: type undefined is not handled by the generator`);
    default:
      throw new Error(`${where}: type ${String(s.type)} is not handled by the generator`);
  }
}

/** A 2.0.1 definition as a named type, declared once; a second, different definition of the name is an error. */
function namedType(name: string, target: Schema, root: Schema, where: string, cx: RenderContext): string {
  const json = JSON.stringify(target, (k, v: unknown) =>
    k === 'description' || k === 'javaType' ? undefined : v,
  );
  const known = cx.named.get(name);
  if (known) {
    if (known.json !== json) throw new Error(`${where}: definition ${name} differs between schemas`);
    return name;
  }
  // Reserve the name first: a definition may refer to itself through another one.
  cx.named.set(name, { json, decl: '' });
  const body = typeOf(target, root, `${where}(${name})`, '', cx);
  cx.named.set(name, { json, decl: `export type ${name} = ${body};` });
  return name;
}

function objectType(s: Schema, root: Schema, where: string, indent: string, cx: RenderContext): string {
  // 2.0.1's CustomDataType is the one open object: a vendorId and anything the vendor adds.
  const open = s.additionalProperties !== false;
  if (open && !cx.dialect.namedDefinitions) throw new Error(`${where}: only closed objects are handled`);
  const entries = Object.entries(s.properties ?? {});
  if (entries.length === 0) return open ? 'Record<string, unknown>' : 'Record<string, never>';
  const required = new Set(s.required ?? []);
  for (const name of required) {
    if (!s.properties?.[name]) throw new Error(`${where}: required "${name}" has no property`);
  }
  const inner = `${indent}  `;
  const lines = entries.map(([name, sub]) => {
    const notes = constraints(sub.$ref ? {} : sub);
    const doc = notes.length ? `${inner}/** ${notes.join('; ')} */\n` : '';
    const type = typeOf(sub, root, `${where}.${name}`, inner, cx);
    return `${doc}${inner}${name}${required.has(name) ? '' : '?'}: ${type};`;
  });
  if (open) lines.push(`${inner}[vendorField: string]: unknown;`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** The generated module's text (before Prettier). */
export function renderOcppTypes(schemas: readonly OcppSchema[], dialect: TypesDialect): string {
  const cx: RenderContext = { dialect, named: new Map() };
  const byAction = new Map<string, { Request?: string; Confirmation?: string }>();
  const decls: string[] = [];
  // By action, the request before its confirmation.
  const order = (s: OcppSchema) => {
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
    const { definitions: _definitions, ...top } = schema;
    const body = typeOf(dialect.namedDefinitions ? top : schema, schema, raw.$id, '', cx);
    decls.push(`/** ${raw.$id} */\nexport type ${typeName} = ${body};`);
  }
  const actions = [...byAction.keys()].sort();
  for (const action of actions) {
    const entry = byAction.get(action)!;
    if (!entry.Request || !entry.Confirmation) throw new Error(`${action} lacks its .req or .conf schema`);
  }
  const map = (kind: 'Request' | 'Confirmation') =>
    actions.map((a) => `  ${a}: ${byAction.get(a)![kind]};`).join('\n');
  const p = dialect.prefix;
  const shared = [...cx.named.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, d]) => `${d.decl}\n`);
  return [
    `// Generated from the official ${dialect.source} by`,
    '// libs/ocpp/src/codegen/render-types.ts. Do not edit: run',
    '// `node scripts/run-ts.mjs libs/ocpp/src/codegen/generate-types.ts`.',
    '',
    ...shared,
    ...decls.map((d) => `${d}\n`),
    '/** Every `<Action>.req` by action. */',
    `export interface ${p}Requests {\n${map('Request')}\n}`,
    '',
    '/** Every `<Action>.conf` by action. */',
    `export interface ${p}Confirmations {\n${map('Confirmation')}\n}`,
    '',
    `/** ${dialect.actionsDoc} */`,
    `export type ${p}Action = keyof ${p}Requests;`,
    '',
    `export const ${dialect.actionsConst} = [\n${actions.map((a) => `  '${a}',`).join('\n')}\n] as const satisfies readonly ${p}Action[];`,
    '',
  ].join('\n');
}

/** The OCPP 1.6 module (`ocpp16-types.generated.ts`). */
export function renderOcpp16Types(schemas: readonly OcppSchema[]): string {
  return renderOcppTypes(schemas, OCPP16_DIALECT);
}

/** The OCPP 2.0.1 module (`ocpp201-types.generated.ts`). */
export function renderOcpp201Types(schemas: readonly OcppSchema[]): string {
  return renderOcppTypes(schemas, OCPP201_DIALECT);
}
