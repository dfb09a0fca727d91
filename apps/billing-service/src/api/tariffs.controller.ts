import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorOf, type Principal } from '@app/auth/principal';
import { CurrentPrincipal, Roles } from '@app/auth/nest';
import { AddTariffVersion } from '../application/add-tariff-version';
import { AssignTariff, ListAssignments, UnassignTariff } from '../application/assign-tariff';
import { CreateTariff } from '../application/create-tariff';
import { GetTariff, ListTariffs, ResolveTariff } from '../application/read-tariffs';

@ApiTags('tariffs')
@Controller('v1')
export class TariffsController {
  constructor(
    private readonly createTariff: CreateTariff,
    private readonly listTariffs: ListTariffs,
    private readonly resolveTariff: ResolveTariff,
    private readonly getTariff: GetTariff,
    private readonly addTariffVersion: AddTariffVersion,
    private readonly listAssignments: ListAssignments,
    private readonly assignTariff: AssignTariff,
    private readonly unassignTariff: UnassignTariff,
  ) {}

  @Roles('operator')
  @Post('tariffs')
  @ApiOperation({ summary: 'Create a tariff with version 1 (prices as decimal strings or JSON numbers)' })
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { tariff: await this.createTariff.execute(body, actorOf(principal)) };
  }

  @Roles('operator', 'finance')
  @Get('tariffs')
  async list(@Query() query: { limit?: string; cursor?: string }) {
    return this.listTariffs.execute(query);
  }

  @Roles('operator', 'finance')
  @Get('tariffs/resolve')
  @ApiOperation({
    summary: 'The tariff version that prices a session starting at `at` here (most specific assignment wins)',
  })
  async resolve(@Query() query: { fleet_id?: string; charge_point_id?: string; evse?: string; at?: string }) {
    return this.resolveTariff.execute(query);
  }

  @Roles('operator', 'finance')
  @Get('tariffs/:id')
  async get(@Param('id') id: string) {
    return { tariff: await this.getTariff.execute(id) };
  }

  @Roles('operator')
  @Post('tariffs/:id/versions')
  @ApiOperation({ summary: 'Add the next version, effective from a later time (versions are never edited)' })
  async addVersion(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { tariff: await this.addTariffVersion.execute(id, body, actorOf(principal)) };
  }

  @Roles('operator', 'finance')
  @Get('tariff-assignments')
  async assignments() {
    return { assignments: await this.listAssignments.execute() };
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
    return { assignment: await this.assignTariff.execute(scope, ref, body, actorOf(principal)) };
  }

  @Roles('operator')
  @Delete('tariff-assignments/:scope/:ref')
  @HttpCode(204)
  async unassign(
    @Param('scope') scope: string,
    @Param('ref') ref: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.unassignTariff.execute(scope, ref, actorOf(principal));
  }
}
