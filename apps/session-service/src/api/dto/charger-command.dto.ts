import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OCPP16_SCHEMAS, requestSchemaId } from '@app/ocpp';
import { LOCAL_LIST_UPDATE_TYPES } from '../../application/push-local-list';
import { OPERATOR_COMMAND_ACTIONS } from '../../domain/charger-command-answer';

/**
 * The request body of POST /v1/chargers/:id/commands/:action: the official OCPP 1.6 `<action>.req`
 * schema of the action in the URL (one of these), exactly as the charger receives it.
 */
export const COMMAND_REQUEST_SCHEMA = {
  description:
    'The OCPP 1.6 request payload of the action in the path (its official `<action>.req` JSON schema)',
  oneOf: OPERATOR_COMMAND_ACTIONS.map((action) => {
    const {
      $id: _id,
      $schema: _meta,
      ...schema
    } = OCPP16_SCHEMAS.find((s) => s.$id === requestSchemaId(action))!;
    return { title: `${action}.req`, ...schema };
  }),
};

export class ChargerCommandResponse {
  @ApiProperty({ format: 'uuid', description: 'The command id on ocpp.v16.commands and in the audit log' })
  command_id!: string;
  @ApiProperty({ example: 'CP-1' })
  charger_id!: string;
  @ApiProperty({ enum: OPERATOR_COMMAND_ACTIONS, example: 'Reset' })
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
