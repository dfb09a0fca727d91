import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { actorOf, type Principal } from '@app/auth/principal';
import { CurrentPrincipal, Roles } from '@app/auth/nest';
import type { AuditTrail, ChangeContext } from '../application/change-context';
import { addTariffVersion } from '../application/add-tariff-version';
import { assignTariff, listAssignments, unassignTariff } from '../application/assign-tariff';
import { createTariff } from '../application/create-tariff';
import { getTariff, listTariffs, resolveTariff } from '../application/read-tariffs';
import { AUDIT_TRAIL } from '../infrastructure/audit-trail';
import { PG_POOL } from '../infrastructure/database/pool';

@ApiTags('tariffs')
@Controller('v1')
export class TariffsController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(AUDIT_TRAIL) private readonly audit: AuditTrail,
  ) {}

  private by(principal: Principal): ChangeContext {
    return { actor: actorOf(principal), audit: this.audit };
  }

  @Roles('operator')
  @Post('tariffs')
  @ApiOperation({ summary: 'Create a tariff with version 1 (prices as decimal strings or JSON numbers)' })
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { tariff: await createTariff(this.pool, body, this.by(principal)) };
  }

  @Roles('operator', 'finance')
  @Get('tariffs')
  async list(@Query() query: { limit?: string; cursor?: string }) {
    return listTariffs(this.pool, query);
  }

  @Roles('operator', 'finance')
  @Get('tariffs/resolve')
  @ApiOperation({
    summary: 'The tariff version that prices a session starting at `at` here (most specific assignment wins)',
  })
  async resolve(@Query() query: { fleet_id?: string; charge_point_id?: string; evse?: string; at?: string }) {
    return resolveTariff(this.pool, query);
  }

  @Roles('operator', 'finance')
  @Get('tariffs/:id')
  async get(@Param('id') id: string) {
    return { tariff: await getTariff(this.pool, id) };
  }

  @Roles('operator')
  @Post('tariffs/:id/versions')
  @ApiOperation({ summary: 'Add the next version, effective from a later time (versions are never edited)' })
  async addVersion(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { tariff: await addTariffVersion(this.pool, id, body, this.by(principal)) };
  }

  @Roles('operator', 'finance')
  @Get('tariff-assignments')
  async assignments() {
    return { assignments: await listAssignments(this.pool) };
  }

  @Roles('operator')
  @Put('tariff-assignments/:scope/:ref')
  @ApiOperation({ summary: 'Assign a tariff to a FLEET, CHARGE_POINT or EVSE' })
  async assign(
    @Param('scope') scope: string,
    @Param('ref') ref: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    return { assignment: await assignTariff(this.pool, scope, ref, body, this.by(principal)) };
  }

  @Roles('operator')
  @Delete('tariff-assignments/:scope/:ref')
  @HttpCode(204)
  async unassign(
    @Param('scope') scope: string,
    @Param('ref') ref: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await unassignTariff(this.pool, scope, ref, this.by(principal));
  }
}
