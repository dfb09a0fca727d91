import { Controller, Get, Param, Query, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Principal } from '@app/auth';
import { CurrentPrincipal, Roles } from '@app/auth/nest';
import { parseQuery } from '@app/http';
import { ErrorResponseDto as ErrorResponse } from '@app/http/nest';
import { LIST_CHARGERS_QUERY, ReadChargers, type ChargerReadScope } from '../application/charger-view';
import { ChargerListResponse, ChargerView } from './dto/charger.dto';
import { fleetOfPrincipal } from './fleet-request';
import { ApiQueryFrom } from './openapi-query';
import { RegistryErrorFilter } from './registry-error.filter';

/** An operator reads every fleet's chargers; a fleet credential its own fleet's only. */
function scopeOf(p: Principal): ChargerReadScope {
  return p.roles.includes('operator') ? { kind: 'all' } : { kind: 'fleet', fleetId: fleetOfPrincipal(p) };
}

/**
 * What the chargers look like (GET list and one): online, boot data, connectors, firmware and
 * diagnostics, from the registry joined with the projection ingest keeps from ocpp.v16.events.
 * The registry's write routes are ChargersAdminController's.
 */
@ApiTags('chargers')
@ApiResponse({ status: 401, description: 'No or an unknown credential', type: ErrorResponse })
@ApiResponse({
  status: 403,
  description: 'A credential without the operator or fleet role',
  type: ErrorResponse,
})
@Controller('v1/chargers')
@Roles('operator', 'fleet')
@UseFilters(RegistryErrorFilter)
export class ChargersController {
  constructor(private readonly read: ReadChargers) {}

  @Get()
  @ApiOperation({
    summary: 'Chargers by id, filtered by fleet and online, cursor-paginated (a fleet key: its own)',
  })
  @ApiQueryFrom(LIST_CHARGERS_QUERY, {
    fleet: {
      description: "Only this fleet's chargers (a fleet credential: its own fleet; another fleet gives none)",
      schema: { type: 'string', maxLength: 255 },
    },
    online: {
      description: 'Only online (true) or offline (false) chargers',
      schema: { type: 'string', enum: ['true', 'false'] },
    },
    cursor: { description: 'next_cursor of the previous page', schema: { type: 'string' } },
    limit: { description: 'Page size', schema: { type: 'integer', minimum: 1, maximum: 500 } },
  })
  @ApiOkResponse({ type: ChargerListResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_QUERY, INVALID_CURSOR' })
  async list(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>) {
    const { chargers, nextCursor } = await this.read.list(scopeOf(p), parseQuery(LIST_CHARGERS_QUERY, query));
    return { chargers, next_cursor: nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One charger: online, boot data, connectors, firmware and diagnostics' })
  @ApiParam({ name: 'id', description: 'chargePointId' })
  @ApiOkResponse({ type: ChargerView })
  @ApiNotFoundResponse({
    type: ErrorResponse,
    description: "CHARGER_NOT_FOUND (unknown, or another fleet's)",
  })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.read.get(scopeOf(p), id);
  }
}
