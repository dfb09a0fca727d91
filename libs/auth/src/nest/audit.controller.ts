import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { parseQuery } from '@app/http';
import { ErrorResponseDto } from '@app/http/nest';
import { AUDIT_QUERY, listAudit, type AuditPage } from '../audit';
import { AuditPageDto } from './audit.dto';
import { AUTH_POOL } from './auth.module';
import { Roles } from './decorators';

/**
 * `GET /v1/audit` for admins, on the back-office APIs (session-service and billing-service): the
 * log is one table in the credentials database, so either app answers with the same history.
 * Not on the gateway, whose port faces the chargers.
 */
@ApiTags('audit')
@Controller('v1')
export class AuditController {
  constructor(@Inject(AUTH_POOL) private readonly pool: Pool) {}

  @Roles('admin')
  @Get('audit')
  @ApiOperation({ summary: 'Who changed what, when: the audit log in write order, paged by next_cursor' })
  @ApiQuery({
    name: 'from',
    required: false,
    schema: { type: 'string', example: '2026-11-30' },
    description: 'inclusive; unix seconds, ISO-8601 instant with offset, or a date (midnight UTC)',
  })
  @ApiQuery({
    name: 'to',
    required: false,
    schema: { type: 'string', example: '2026-12-01T00:00:00Z' },
    description: 'exclusive; unix seconds, ISO-8601 instant with offset, or a date (midnight UTC)',
  })
  @ApiQuery({
    name: 'cursor',
    required: false,
    schema: { type: 'string' },
    description: 'next_cursor of the previous page',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'INVALID_QUERY, INVALID_CURSOR' })
  async list(@Query() query: unknown): Promise<AuditPage> {
    return listAudit(this.pool, parseQuery(AUDIT_QUERY, query));
  }
}
