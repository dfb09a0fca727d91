import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  AddTariffVersionRequest,
  AssignmentListResponse,
  AssignmentResponse,
  AssignTariffRequest,
  CreateTariffRequest,
  ResolvedTariffResponse,
  TariffListResponse,
  TariffResponse,
} from './dto/billing.dto';
import { ApiQueryParams, LIST_TARIFFS_QUERY_DOCS, RESOLVE_TARIFF_QUERY_DOCS } from './query-docs';
import { actorOf, type Principal } from '@app/auth/principal';
import { CurrentPrincipal, Roles } from '@app/auth/nest';
import { AddTariffVersion } from '../application/add-tariff-version';
import { AssignTariff, ListAssignments, UnassignTariff } from '../application/assign-tariff';
import { CreateTariff } from '../application/create-tariff';
import {
  GetTariff,
  LIST_TARIFFS_QUERY,
  ListTariffs,
  RESOLVE_TARIFF_QUERY,
  ResolveTariff,
} from '../application/read-tariffs';
import { ApiErrorResponses } from './dto/error-responses';

const SCOPE_PARAM = ApiParam({ name: 'scope', enum: ['FLEET', 'CHARGE_POINT', 'EVSE'] });
const REF_PARAM = ApiParam({ name: 'ref', description: 'The fleet id, charge point id or EVSE id' });

@ApiTags('tariffs')
@ApiErrorResponses()
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
  @ApiBody({ type: CreateTariffRequest })
  @ApiCreatedResponse({ type: TariffResponse })
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { tariff: await this.createTariff.execute(body, actorOf(principal)) };
  }

  @Roles('operator', 'finance')
  @Get('tariffs')
  @ApiOperation({ summary: 'The tariffs by creation order, a page at a time' })
  @ApiQueryParams(LIST_TARIFFS_QUERY, LIST_TARIFFS_QUERY_DOCS)
  @ApiOkResponse({ type: TariffListResponse })
  async list(@Query() query: { limit?: string; cursor?: string }) {
    return this.listTariffs.execute(query);
  }

  @Roles('operator', 'finance')
  @Get('tariffs/resolve')
  @ApiOperation({
    summary: 'The tariff version that prices a session starting at `at` here (most specific assignment wins)',
  })
  @ApiQueryParams(RESOLVE_TARIFF_QUERY, RESOLVE_TARIFF_QUERY_DOCS)
  @ApiOkResponse({ type: ResolvedTariffResponse })
  async resolve(@Query() query: { fleet_id?: string; charge_point_id?: string; evse?: string; at?: string }) {
    return this.resolveTariff.execute(query);
  }

  @Roles('operator', 'finance')
  @Get('tariffs/:id')
  @ApiOperation({ summary: 'One tariff with every version and its assignments' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TariffResponse })
  async get(@Param('id') id: string) {
    return { tariff: await this.getTariff.execute(id) };
  }

  @Roles('operator')
  @Post('tariffs/:id/versions')
  @ApiOperation({ summary: 'Add the next version, effective from a later time (versions are never edited)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: AddTariffVersionRequest })
  @ApiCreatedResponse({ type: TariffResponse })
  async addVersion(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { tariff: await this.addTariffVersion.execute(id, body, actorOf(principal)) };
  }

  @Roles('operator', 'finance')
  @Get('tariff-assignments')
  @ApiOperation({ summary: 'Every assignment and the tariff it points at' })
  @ApiOkResponse({ type: AssignmentListResponse })
  async assignments() {
    return { assignments: await this.listAssignments.execute() };
  }

  @Roles('operator')
  @Put('tariff-assignments/:scope/:ref')
  @ApiOperation({ summary: 'Assign a tariff to a FLEET, CHARGE_POINT or EVSE' })
  @SCOPE_PARAM
  @REF_PARAM
  @ApiBody({ type: AssignTariffRequest })
  @ApiOkResponse({ type: AssignmentResponse })
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
  @ApiOperation({ summary: 'Remove an assignment (the tariff stays)' })
  @SCOPE_PARAM
  @REF_PARAM
  @ApiNoContentResponse({ description: 'Removed' })
  async unassign(
    @Param('scope') scope: string,
    @Param('ref') ref: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.unassignTariff.execute(scope, ref, actorOf(principal));
  }
}
