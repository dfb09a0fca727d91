import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { parseQuery } from '@app/http';
import { AUDIT_QUERY, listAudit } from '../audit';
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
    description: 'inclusive; unix seconds, ISO-8601 instant or date',
  })
  @ApiQuery({ name: 'to', required: false, description: 'exclusive; unix seconds, ISO-8601 instant or date' })
  @ApiQuery({ name: 'cursor', required: false, description: 'next_cursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1..1000, default 100' })
  async list(@Query() query: unknown) {
    return listAudit(this.pool, parseQuery(AUDIT_QUERY, query));
  }
}
