import { Body, Controller, Delete, HttpCode, Inject, Param, Patch, Post, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Pool } from 'pg';
import { actorOf, type Principal } from '@app/auth';
import { recordAudit } from '@app/auth/audit';
import { AUTH_POOL, CurrentPrincipal, Roles } from '@app/auth/nest';
import type { Queryable } from '@app/event-store';
import { ErrorResponseDto as ErrorResponse } from '@app/http/nest';
import { ManageChargerRegistry } from '../application/charger-registry';
import {
  checkChargePointId,
  parseRegisterCharger,
  parseRotatePassword,
  parseUpdateCharger,
} from '../application/charger-registry-input';
import {
  RegistryError,
  type RegistryAuditEntry,
  type RegistryCharger,
} from '../application/charger-registry-ports';
import { registryChargerJson } from '../application/charger-registry-view';
import { ReadChargers, type ChargerView as ChargerViewJson } from '../application/charger-view';
import { ChargerView } from './dto/charger.dto';
import {
  RegisterChargerRequest,
  RegisteredChargerView,
  RegistryNotAppliedResponse,
  RotatedPasswordResponse,
  RotatePasswordRequest,
  UpdateChargerRequest,
} from './dto/charger-registry.dto';
import { RegistryErrorFilter } from './registry-error.filter';

/** A path id that can never be registered is as unknown as one that is not. */
function chargerId(raw: string): string {
  try {
    return checkChargePointId(raw);
  } catch {
    throw new RegistryError(404, 'CHARGER_NOT_FOUND', 'no charger is registered under this id');
  }
}

/**
 * The charger registry's write routes (role operator). Reads (GET /v1/chargers, /:id) are the
 * chargers controller's. Every change is audited before it commits; a password rotation and a
 * deactivation answer once a gateway replica applied them (504 REGISTRY_NOT_APPLIED after
 * REGISTRY_APPLY_WAIT_SECONDS, the change stored).
 */
@ApiTags('chargers')
@ApiResponse({ status: 401, description: 'No or an unknown credential', type: ErrorResponse })
@ApiResponse({ status: 403, description: 'A credential without the operator role', type: ErrorResponse })
@Controller('v1/chargers')
@Roles('operator')
@UseFilters(RegistryErrorFilter)
export class ChargersAdminController {
  constructor(
    private readonly registry: ManageChargerRegistry,
    private readonly read: ReadChargers,
    @Inject(AUTH_POOL) private readonly auditPool: Pool,
  ) {}

  @Post()
  @ApiOperation({
    summary:
      'Register a charger {id, fleet, password | generate: true, connectors?}; 201, with a generated password shown only this once',
  })
  @ApiBody({ type: RegisterChargerRequest })
  @ApiCreatedResponse({ type: RegisteredChargerView })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_BODY (names the field), INVALID_JSON' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'CHARGER_EXISTS, EVSE_ID_TAKEN' })
  async register(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    const cmd = parseRegisterCharger(body);
    const { charger, password } = await this.registry.register(cmd, actorOf(p), this.audit);
    return { ...(await this.view(charger)), ...(password !== null ? { password } : {}) };
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change the fleet or connectors’ EVSE ids (null removes one); the next session shows them',
  })
  @ApiParam({ name: 'id', description: 'chargePointId' })
  @ApiBody({ type: UpdateChargerRequest })
  @ApiOkResponse({ type: ChargerView })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_BODY (names the field), INVALID_JSON' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'CHARGER_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'CHARGER_DEACTIVATED, EVSE_ID_TAKEN' })
  async update(@CurrentPrincipal() p: Principal, @Param('id') raw: string, @Body() body: unknown) {
    const id = chargerId(raw);
    const cmd = parseUpdateCharger(body);
    return this.view(await this.registry.update(id, cmd, actorOf(p), this.audit));
  }

  @Post(':id/password')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Set a new password {password} or {generate: true}; 200 once every gateway replica refuses the old one',
  })
  @ApiParam({ name: 'id', description: 'chargePointId' })
  @ApiBody({ type: RotatePasswordRequest })
  @ApiOkResponse({ type: RotatedPasswordResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_BODY (names the field), INVALID_JSON' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'CHARGER_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'CHARGER_DEACTIVATED' })
  @ApiResponse({
    status: 504,
    type: RegistryNotAppliedResponse,
    description: 'REGISTRY_NOT_APPLIED: stored, applies when the gateway catches up',
  })
  async rotatePassword(@CurrentPrincipal() p: Principal, @Param('id') raw: string, @Body() body: unknown) {
    const id = chargerId(raw);
    const choice = parseRotatePassword(body);
    const r = await this.registry.rotatePassword(id, choice, actorOf(p), this.audit);
    return {
      id: r.charger.chargePointId,
      version: r.charger.version,
      applied: r.applied,
      ...(r.password !== null ? { password: r.password } : {}),
    };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Deactivate: its connection is closed and handshakes refused once a gateway applied it; history kept; idempotent',
  })
  @ApiParam({ name: 'id', description: 'chargePointId' })
  @ApiOkResponse({ type: ChargerView, description: 'active: false' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'CHARGER_NOT_FOUND' })
  @ApiResponse({
    status: 504,
    type: RegistryNotAppliedResponse,
    description: 'REGISTRY_NOT_APPLIED: stored, applies when the gateway catches up',
  })
  async deactivate(@CurrentPrincipal() p: Principal, @Param('id') raw: string) {
    const id = chargerId(raw);
    return this.view(await this.registry.deactivate(id, actorOf(p), this.audit));
  }

  /** The charger as GET /v1/chargers/:id shows it now (its registry row and what it reported). */
  private async view(charger: RegistryCharger): Promise<ChargerViewJson> {
    return (await this.read.view(charger.chargePointId)) ?? registryChargerJson(charger);
  }

  private readonly audit = (entry: RegistryAuditEntry): Promise<void> =>
    recordAudit(this.auditPool as unknown as Queryable, { ...entry, service: 'session-service' });
}
