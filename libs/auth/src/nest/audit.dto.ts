import { ApiProperty } from '@nestjs/swagger';
import { ACTOR_KINDS, AUDIT_ACTIONS, type AuditAction, type AuditPage, type AuditRecord } from '../audit';
import type { Actor } from '../principal';

export class AuditActorDto implements Actor {
  @ApiProperty({
    enum: ACTOR_KINDS,
    description: 'api_key, jwt (OIDC subject), system (an app) or cli (an operator shell)',
  })
  kind!: Actor['kind'];
  @ApiProperty({ example: '3f0c6f6e-…', description: 'The API key id, token subject, app or OS user' })
  id!: string;
}

export class AuditTargetDto {
  @ApiProperty({ example: 'charge' })
  type!: string;
  @ApiProperty({ example: '9b2f…' })
  id!: string;
}

export class AuditRecordDto implements AuditRecord {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-30T10:00:00.000Z' })
  at!: string;
  @ApiProperty({ type: AuditActorDto })
  actor!: AuditActorDto;
  @ApiProperty({ enum: AUDIT_ACTIONS })
  action!: AuditAction;
  @ApiProperty({ type: AuditTargetDto })
  target!: AuditTargetDto;
  @ApiProperty({ example: 'billing-service', description: 'The app that made the change' })
  service!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What changed, without secrets or personal data',
  })
  details!: Record<string, unknown>;
}

export class AuditPageDto implements AuditPage {
  @ApiProperty({ type: [AuditRecordDto], description: 'In write order' })
  entries!: AuditRecordDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  next_cursor!: string | null;
}
