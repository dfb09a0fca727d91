import { renderOcpp16Types, renderOcpp201Types } from './render-types';

const pair = (
  action: string,
  req: object,
  conf: object = { type: 'object', additionalProperties: false },
) => [
  { $id: `urn:${action}.req`, $schema: 'http://json-schema.org/draft-07/schema', ...req },
  { $id: `urn:${action}.conf`, $schema: 'http://json-schema.org/draft-07/schema', ...conf },
];

describe('renderOcpp16Types', () => {
  it('marks required and optional fields, inlines $ref, enums and arrays, notes the constraints', () => {
    const text = renderOcpp16Types(
      pair('Ping', {
        type: 'object',
        additionalProperties: false,
        definitions: { ModeEnumType: { type: 'string', enum: ['Fast', 'Slow'] } },
        properties: {
          id: { type: 'string', maxLength: 20 },
          at: { type: 'string', format: 'date-time' },
          mode: { $ref: '#/definitions/ModeEnumType' },
          counts: { type: 'array', items: { type: 'integer' } },
          limit: { type: 'number', multipleOf: 0.1 },
        },
        required: ['id', 'mode'],
      }),
    );
    expect(text).toContain('export type PingRequest = {');
    expect(text).toContain('/** at most 20 characters */\n  id: string;');
    expect(text).toContain('/** date-time (ISO 8601) */\n  at?: string;');
    expect(text).toContain('  mode: "Fast" | "Slow";');
    expect(text).toContain('  counts?: number[];');
    expect(text).toContain('/** a multiple of 0.1 */\n  limit?: number;');
    expect(text).toContain('export type PingConfirmation = Record<string, never>;');
    expect(text).toContain('  Ping: PingRequest;');
    expect(text).toContain("export const OCPP16_ACTIONS = [\n  'Ping',\n]");
  });

  it('refuses what it does not handle rather than typing it loosely', () => {
    const open = { type: 'object', properties: { a: { type: 'string' } } };
    expect(() => renderOcpp16Types(pair('Open', open))).toThrow('only closed objects');
    const oneOf = { type: 'object', additionalProperties: false, properties: { a: { oneOf: [] } } };
    expect(() => renderOcpp16Types(pair('OneOf', oneOf))).toThrow('keyword "oneOf" is not handled');
    const ref = {
      type: 'object',
      additionalProperties: false,
      properties: { a: { $ref: '#/definitions/X' } },
    };
    expect(() => renderOcpp16Types(pair('Ref', ref))).toThrow('unresolved $ref');
    expect(() =>
      renderOcpp16Types(pair('Lone', { type: 'object', additionalProperties: false }).slice(0, 1)),
    ).toThrow('Lone lacks its .req or .conf schema');
  });
});

describe('renderOcpp201Types (the 2.0.1 dialect)', () => {
  const custom = {
    type: 'object',
    javaType: 'CustomData',
    description: 'vendor data',
    properties: { vendorId: { type: 'string', maxLength: 255 } },
    required: ['vendorId'],
  };
  const idToken = {
    type: 'object',
    javaType: 'IdToken',
    additionalProperties: false,
    properties: {
      customData: { $ref: '#/definitions/CustomDataType' },
      idToken: { type: 'string', maxLength: 36 },
    },
    required: ['idToken'],
  };
  const req = (properties: object, definitions: object = { CustomDataType: custom }) => ({
    type: 'object',
    additionalProperties: false,
    definitions,
    properties: { customData: { $ref: '#/definitions/CustomDataType' }, ...properties },
  });

  it('writes shared definitions once as named types, CustomDataType open, an untyped field unknown', () => {
    const text = renderOcpp201Types([
      ...pair(
        'Authorize',
        req(
          { idToken: { $ref: '#/definitions/IdTokenType' } },
          { CustomDataType: custom, IdTokenType: idToken },
        ),
        req({}),
      ),
      ...pair(
        'DataTransfer',
        req({ data: { description: 'anyType' }, vendorId: { type: 'string', maxLength: 255 } }),
        req(
          { idToken: { $ref: '#/definitions/IdTokenType' } },
          { CustomDataType: custom, IdTokenType: idToken },
        ),
      ),
    ]);
    expect(text.match(/export type CustomDataType = /g)).toHaveLength(1);
    expect(text.match(/export type IdTokenType = /g)).toHaveLength(1);
    expect(text).toContain('  vendorId: string;\n  [vendorField: string]: unknown;\n}');
    expect(text).toContain('  idToken?: IdTokenType;');
    expect(text).toContain('  customData?: CustomDataType;');
    expect(text).toContain('  data?: unknown;');
    expect(text).toContain('export type Ocpp201Action = keyof Ocpp201Requests;');
    expect(text).toContain("export const OCPP201_ACTIONS = [\n  'Authorize',\n  'DataTransfer',\n]");
    expect(text).not.toContain('javaType');
  });

  it('refuses a name defined differently by two schemas', () => {
    const other = { ...idToken, properties: { idToken: { type: 'string', maxLength: 20 } } };
    expect(() =>
      renderOcpp201Types([
        ...pair(
          'A',
          req({ t: { $ref: '#/definitions/IdTokenType' } }, { CustomDataType: custom, IdTokenType: idToken }),
        ),
        ...pair(
          'B',
          req({ t: { $ref: '#/definitions/IdTokenType' } }, { CustomDataType: custom, IdTokenType: other }),
        ),
      ]),
    ).toThrow('definition IdTokenType differs between schemas');
  });

  it('still refuses keywords it does not handle', () => {
    expect(() => renderOcpp201Types(pair('OneOf', req({ a: { oneOf: [] } })))).toThrow(
      'keyword "oneOf" is not handled',
    );
  });
});
