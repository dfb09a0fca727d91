import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OCPP16_SCHEMAS, OCPP201_SCHEMAS, requestSchemaId } from '@app/ocpp';
import { LOCAL_LIST_UPDATE_TYPES } from '../../application/push-local-list';
import { OPERATOR_201_COMMAND_ACTIONS, OPERATOR_COMMAND_ACTIONS } from '../../domain/charger-command-answer';

/** Every action name the route takes, of either protocol (the charger's protocol picks the set). */
export const OPERATOR_ACTION_NAMES = [
  ...new Set([...OPERATOR_COMMAND_ACTIONS, ...OPERATOR_201_COMMAND_ACTIONS]),
];

type JsonSchema = { [key: string]: unknown };

/**
 * A 2.0.1 schema as an OpenAPI schema object: its `#/definitions/...` references would resolve
 * against the OpenAPI document, so they are inlined (the 2.0.1 request schemas are not recursive),
 * and the codegen keyword `javaType` is dropped.
 */
function inlineDefinitions(node: unknown, definitions: Record<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map((n) => inlineDefinitions(n, definitions));
  if (typeof node !== 'object' || node === null) return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/definitions/'))
    return inlineDefinitions(definitions[ref.slice('#/definitions/'.length)], definitions);
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'javaType' && k !== 'definitions')
      .map(([k, v]) => [k, inlineDefinitions(v, definitions)]),
  );
}

function requestSchema(schemas: readonly { $id: string }[], action: string): JsonSchema {
  const {
    $id: _id,
    $schema: _meta,
    ...schema
  } = schemas.find((s) => s.$id === requestSchemaId(action)) as JsonSchema;
  return schema;
}

/**
 * The request body of POST /v1/chargers/:id/commands/:action: the official `<action>.req` schema
 * of the action in the URL, of the protocol the charger speaks (one of these), exactly as the
 * charger receives it.
 */
export const COMMAND_REQUEST_SCHEMA = {
  description:
    "The request payload of the action in the path: its official `<action>.req` JSON schema of the charger's protocol (OCPP 1.6, or OCPP 2.0.1 for a station connected with it)",
  oneOf: [
    ...OPERATOR_COMMAND_ACTIONS.map((action) => ({
      title: `${action}.req`,
      ...requestSchema(OCPP16_SCHEMAS, action),
    })),
    ...OPERATOR_201_COMMAND_ACTIONS.map((action) => {
      const schema = requestSchema(OCPP201_SCHEMAS, action);
      return {
        title: `${action}.req (OCPP 2.0.1)`,
        ...(inlineDefinitions(schema, (schema.definitions ?? {}) as Record<string, unknown>) as JsonSchema),
      };
    }),
  ],
};

export class ChargerCommandResponse {
  @ApiProperty({
    format: 'uuid',
    description: 'The command id on ocpp.v16.commands (or ocpp.v201.commands) and in the audit log',
  })
  command_id!: string;
  @ApiProperty({ example: 'CP-1' })
  charger_id!: string;
  @ApiProperty({ enum: OPERATOR_ACTION_NAMES, example: 'Reset' })
  action!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { status: 'Accepted' },
    description: "The charger's CALLRESULT payload as it sent it (valid against the action's `.conf` schema)",
  })
  response!: Record<string, unknown>;
}

export class PushLocalListRequest {
  @ApiPropertyOptional({ enum: LOCAL_LIST_UPDATE_TYPES, default: 'Full' })
  update_type?: string;
}

export class PushLocalListResponse extends ChargerCommandResponse {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    example: 17,
    description: "listVersion sent: the highest registry version among the fleet's id tags (1 when none)",
  })
  list_version!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 3, description: 'Id tags in the list sent' })
  entries!: number;
}
