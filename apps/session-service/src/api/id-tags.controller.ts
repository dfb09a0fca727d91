import { Body, Controller, Delete, Get, Inject, Param, Put, Query, Res, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { actorOf, type Principal } from '@app/auth';
import { recordAudit } from '@app/auth/audit';
import { AUTH_POOL, CurrentPrincipal, Roles } from '@app/auth/nest';
import type { Queryable } from '@app/event-store';
import { parseQuery, query } from '@app/http';
import { ErrorResponseDto as ErrorResponse } from '@app/http/nest';
import { ManageChargerRegistry } from '../application/charger-registry';
import { checkIdTag, parseSetIdTag } from '../application/charger-registry-input';
import { RegistryError, type RegistryAuditEntry } from '../application/charger-registry-ports';
import { decodeIdTagCursor, encodeIdTagCursor, idTagJson } from '../application/charger-registry-view';
import { IdTagListResponse, IdTagView, SetIdTagRequest } from './dto/charger-registry.dto';
import { ApiQueryFrom } from './openapi-query';
import { RegistryErrorFilter } from './registry-error.filter';

/** `?fleet=` of GET and DELETE /v1/id-tags/:idTag (an operator names the fleet; a fleet key has its own). */
export const ID_TAG_QUERY = { fleet: query.string(64) };

/** `GET /v1/id-tags?fleet=&cursor=&limit=` */
export const LIST_ID_TAGS_QUERY = {
  fleet: query.string(64),
  cursor: query.cursor(decodeIdTagCursor),
  limit: query.int(1, 500).default(50),
};

const FLEET_DOC = {
  description: 'The fleet (required for operators; a fleet key reads its own fleet only)',
  schema: { type: 'string', maxLength: 64, example: 'acme' },
} as const;

const notFound = () => new RegistryError(404, 'ID_TAG_NOT_FOUND', 'no such id tag in this fleet');

/**
 * A path id tag that can never be stored is as unknown as one that is not (reads), and a named
 * field at fault on writes.
 */
function pathTag(raw: string): string {
  try {
    return checkIdTag(raw, 'idTag');
  } catch {
    throw notFound();
  }
}

const isOperator = (p: Principal) => p.roles.includes('operator');

/**
 * Id tags per fleet: operators write (PUT, DELETE) and read every fleet's; a fleet key reads its
 * own fleet's only (another fleet's tag is 404, another fleet's list empty). Changes are audited
 * (without the tag: personal data) and published on chargers.registry.v1, so they apply at the
 * next Authorize on every gateway replica.
 */
@ApiTags('id-tags')
@ApiResponse({ status: 401, description: 'No or an unknown credential', type: ErrorResponse })
@ApiResponse({ status: 403, description: 'A credential without a role of the route', type: ErrorResponse })
@Controller('v1/id-tags')
@UseFilters(RegistryErrorFilter)
export class IdTagsController {
  constructor(
    private readonly registry: ManageChargerRegistry,
    @Inject(AUTH_POOL) private readonly auditPool: Pool,
  ) {}

  @Put(':idTag')
  @Roles('operator')
  @ApiOperation({
    summary: 'Create or replace a fleet’s id tag {fleet, status, expiry_date?, parent_id_tag?}',
  })
  @ApiParam({ name: 'idTag', description: 'OCPP IdToken, 1 to 20 characters' })
  @ApiBody({ type: SetIdTagRequest })
  @ApiOkResponse({ type: IdTagView, description: 'Replaced (201 when new, same body)' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_BODY (names the field), INVALID_JSON' })
  async put(
    @CurrentPrincipal() p: Principal,
    @Param('idTag') idTag: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const cmd = parseSetIdTag(idTag, body);
    const { tag, created } = await this.registry.setIdTag(cmd, actorOf(p), this.audit);
    res.status(created ? 201 : 200);
    return idTagJson(tag);
  }

  @Get()
  @Roles('operator', 'fleet')
  @ApiOperation({ summary: 'Id tags in (fleet, id tag) order; a fleet key gets its own fleet’s' })
  @ApiQueryFrom(LIST_ID_TAGS_QUERY, {
    fleet: { ...FLEET_DOC, description: 'Only this fleet’s (operators: every fleet when absent)' },
    cursor: { description: 'next_cursor of the previous page', schema: { type: 'string' } },
    limit: { description: 'Page size', schema: { type: 'integer', minimum: 1, maximum: 500 } },
  })
  @ApiOkResponse({ type: IdTagListResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_QUERY, INVALID_CURSOR' })
  async list(@CurrentPrincipal() p: Principal, @Query() raw: unknown) {
    const q = parseQuery(LIST_ID_TAGS_QUERY, raw);
    let fleet: string | null = q.fleet ?? null;
    if (!isOperator(p)) {
      const own = p.fleet;
      // Another fleet's list reads as empty, like an unknown fleet's.
      if (!own || (fleet !== null && fleet !== own)) return { id_tags: [], next_cursor: null };
      fleet = own;
    }
    if (q.cursor && fleet !== null && q.cursor.fleetId !== fleet)
      throw new RegistryError(400, 'INVALID_CURSOR', 'cursor is not one of this list');
    const page = await this.registry.listIdTags(fleet, { after: q.cursor, limit: q.limit });
    return {
      id_tags: page.tags.map(idTagJson),
      next_cursor: page.next ? encodeIdTagCursor(page.next) : null,
    };
  }

  @Get(':idTag')
  @Roles('operator', 'fleet')
  @ApiOperation({ summary: 'One id tag of a fleet; 404 for unknown tags and other fleets’' })
  @ApiParam({ name: 'idTag', description: 'OCPP IdToken' })
  @ApiQueryFrom(ID_TAG_QUERY, { fleet: FLEET_DOC })
  @ApiOkResponse({ type: IdTagView })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_QUERY (an operator without fleet)' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'ID_TAG_NOT_FOUND' })
  async get(@CurrentPrincipal() p: Principal, @Param('idTag') raw: string, @Query() q: unknown) {
    const fleet = this.readFleet(p, parseQuery(ID_TAG_QUERY, q).fleet);
    return idTagJson(await this.registry.getIdTag(fleet, pathTag(raw)));
  }

  @Delete(':idTag')
  @Roles('operator')
  @ApiOperation({ summary: 'Remove a fleet’s id tag (refused at the next Authorize); 200 with it as it was' })
  @ApiParam({ name: 'idTag', description: 'OCPP IdToken' })
  @ApiQueryFrom(ID_TAG_QUERY, { fleet: { ...FLEET_DOC, description: 'The fleet (required)' } })
  @ApiOkResponse({ type: IdTagView, description: 'The removed tag, with the version of its removal' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_QUERY (no fleet)' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'ID_TAG_NOT_FOUND' })
  async remove(@CurrentPrincipal() p: Principal, @Param('idTag') raw: string, @Query() q: unknown) {
    const fleet = this.readFleet(p, parseQuery(ID_TAG_QUERY, q).fleet);
    return idTagJson(await this.registry.deleteIdTag(fleet, pathTag(raw), actorOf(p), this.audit));
  }

  /** The fleet a request reads: an operator names it; a fleet key has its own (another one is 404). */
  private readFleet(p: Principal, given: string | undefined): string {
    if (isOperator(p)) {
      if (!given) throw new RegistryError(400, 'INVALID_QUERY', 'fleet is required (?fleet=<fleet id>)');
      return given;
    }
    if (!p.fleet || (given !== undefined && given !== p.fleet)) throw notFound();
    return p.fleet;
  }

  private readonly audit = (entry: RegistryAuditEntry): Promise<void> =>
    recordAudit(this.auditPool as unknown as Queryable, { ...entry, service: 'session-service' });
}
