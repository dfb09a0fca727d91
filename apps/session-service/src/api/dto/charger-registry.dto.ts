import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorDetailDto } from '@app/http/nest';
import { ChargerView } from './charger.dto';
import { ID_TAG_STATUSES } from '../../application/charger-registry-input';

/**
 * Request and response schemas of the registry routes (POST/PATCH/DELETE /v1/chargers, the
 * password route, /v1/id-tags). A charger is answered in the read routes' ChargerView.
 */

const CHARGE_POINT_ID = {
  minLength: 1,
  maxLength: 48,
  pattern: '^[\\x21-\\x2e\\x30-\\x7e]+$',
  example: 'CP-0042',
  description: 'OCPP chargeBoxIdentity: printable ASCII without "/" or spaces',
} as const;
const FLEET = { minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', example: 'acme' } as const;
const PASSWORD = {
  minLength: 16,
  maxLength: 40,
  pattern: '^[\\x20-\\x7e]+$',
  description: 'Basic-auth password (OCPP 1.6 security profile 1/2): 16 to 40 printable ASCII characters',
} as const;
const EVSE_ID = { minLength: 1, maxLength: 48, example: 'DE*2GO*EMCD1311*1A*2' } as const;
const ID_TAG = { minLength: 1, maxLength: 20, example: 'AABBCCDD', description: 'OCPP IdToken' } as const;

export class RegistryConnectorRequest {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1 })
  connector_id!: number;
  @ApiProperty({ type: 'string', ...EVSE_ID, nullable: true, description: 'null (PATCH only): remove it' })
  evse_id!: string | null;
}

/** POST /v1/chargers */
export class RegisterChargerRequest {
  @ApiProperty(CHARGE_POINT_ID)
  id!: string;
  @ApiProperty(FLEET)
  fleet!: string;
  @ApiPropertyOptional({ ...PASSWORD, description: `${PASSWORD.description}; or "generate": true` })
  password?: string;
  @ApiPropertyOptional({ description: 'Generate a 32-character password, returned once in the answer' })
  generate?: boolean;
  @ApiPropertyOptional({ type: [RegistryConnectorRequest], maxItems: 100 })
  connectors?: RegistryConnectorRequest[];
}

/** PATCH /v1/chargers/:id (at least one field) */
export class UpdateChargerRequest {
  @ApiPropertyOptional(FLEET)
  fleet?: string;
  @ApiPropertyOptional({
    type: [RegistryConnectorRequest],
    maxItems: 100,
    description: 'EVSE ids to set (null removes one); connectors not listed keep theirs',
  })
  connectors?: RegistryConnectorRequest[];
}

/** POST /v1/chargers/:id/password */
export class RotatePasswordRequest {
  @ApiPropertyOptional(PASSWORD)
  password?: string;
  @ApiPropertyOptional({ description: 'Generate a 32-character password, returned once in the answer' })
  generate?: boolean;
}

/** 201 of POST /v1/chargers: the charger view (GET /v1/chargers/:id), and a generated password once. */
export class RegisteredChargerView extends ChargerView {
  @ApiPropertyOptional({
    description: 'The generated password ("generate": true), shown only in this answer',
  })
  password?: string;
}

/** 200 of POST /v1/chargers/:id/password */
export class RotatedPasswordResponse {
  @ApiProperty(CHARGE_POINT_ID)
  id!: string;
  @ApiProperty({ type: 'integer', description: 'Registry version of the change' })
  version!: number;
  @ApiProperty({ enum: [true], description: 'A gateway applied it: the old password is refused everywhere' })
  applied!: true;
  @ApiPropertyOptional({ description: 'The generated password, shown only in this answer' })
  password?: string;
}

/** 504 REGISTRY_NOT_APPLIED: stored, not yet applied by a gateway. */
export class RegistryNotAppliedResponse {
  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
  @ApiProperty(CHARGE_POINT_ID)
  id!: string;
  @ApiProperty({ type: 'integer' })
  version!: number;
  @ApiProperty({ enum: [false] })
  applied!: false;
  @ApiPropertyOptional({
    description: 'The generated password (stored; in force once applied), shown only here',
  })
  password?: string;
}

/** PUT /v1/id-tags/:idTag */
export class SetIdTagRequest {
  @ApiProperty(FLEET)
  fleet!: string;
  @ApiProperty({ enum: ID_TAG_STATUSES })
  status!: string;
  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'Past it: Expired',
  })
  expiry_date?: string | null;
  @ApiPropertyOptional({ type: 'string', nullable: true, ...ID_TAG })
  parent_id_tag?: string | null;
}

export class IdTagView {
  @ApiProperty(ID_TAG)
  id_tag!: string;
  @ApiProperty(FLEET)
  fleet!: string;
  @ApiProperty({ enum: ID_TAG_STATUSES })
  status!: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  expiry_date!: string | null;
  @ApiProperty({ type: 'string', nullable: true, ...ID_TAG })
  parent_id_tag!: string | null;
  @ApiProperty({
    type: 'integer',
    description: 'Registry version (the SendLocalList listVersion draws on it)',
  })
  version!: number;
  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class IdTagListResponse {
  @ApiProperty({ type: [IdTagView] })
  id_tags!: IdTagView[];
  @ApiProperty({ type: 'string', nullable: true, description: 'cursor of the next page; null on the last' })
  next_cursor!: string | null;
}
