import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { SESSION_STATUSES } from '@app/contracts';
import { parseQuery } from '@app/http';
import { Roles } from '@app/auth/nest';
import { actorOf } from '@app/auth/principal';
import { BadRequestError } from '../application/ports';
import { LIST_SESSIONS_QUERY, ReadSessions } from '../application/read-sessions';
import { toPumpSession } from '../application/session-view';
import { StartSession } from '../application/start-session';
import { StopSession } from '../application/stop-session';
import { DecimalJsonInterceptor } from './decimal-json.interceptor';
import { DECIMAL_STRINGS_ACCEPT } from './dto/decimal';
import { ErrorResponseDto as ErrorResponse } from '@app/http/nest';
import { SessionListResponse, SessionResponse, StartSessionRequest } from './dto/session.dto';
import { SessionsErrorFilter } from './error.filter';
import { fleetOf, type FleetRequest } from './fleet-request';
import { ApiQueryFrom } from './openapi-query';

const INSTANT = {
  type: 'string',
  description: 'Unix seconds, an ISO-8601 instant with offset, or a date (midnight UTC)',
  example: '2026-11-30',
} as const;

/**
 * The pump-style sessions API (ARCHITECTURE.md "Sessions REST API"). Thin: the use cases do the work.
 * Prices and amounts are exact JSON numbers (DecimalJsonInterceptor); `Accept: application/json;
 * decimals=string` gives decimal strings.
 */
@ApiTags('sessions')
@ApiHeader({
  name: 'Accept',
  required: false,
  description: `\`${DECIMAL_STRINGS_ACCEPT}\`: prices and amounts as decimal strings instead of JSON numbers`,
})
@ApiResponse({ status: 401, description: 'No or an unknown credential', type: ErrorResponse })
@ApiResponse({ status: 403, description: 'A credential without the fleet role', type: ErrorResponse })
@Controller('v1/sessions')
@Roles('fleet') // a fleet's own sessions; another fleet's are 404
@UseFilters(SessionsErrorFilter)
@UseInterceptors(DecimalJsonInterceptor)
export class SessionsController {
  constructor(
    private readonly startSession: StartSession,
    private readonly stopSession: StopSession,
    private readonly read: ReadSessions,
  ) {}

  @Post('start')
  @ApiOperation({ summary: 'Start a session remotely (RemoteStartTransaction); 201 STARTING' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Replays the first answer' })
  @ApiBody({ type: StartSessionRequest })
  @ApiCreatedResponse({ type: SessionResponse, description: 'STARTING (or the replayed session)' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_BODY, INVALID_JSON' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: "Unknown EVSE, or another fleet's" })
  @ApiResponse({ status: 422, type: ErrorResponse, description: 'IDEMPOTENCY_KEY_REUSED' })
  async start(
    @Req() req: FleetRequest,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequestError('INVALID_BODY', 'body must be a JSON object');
    const { evse, user_reference } = body as Record<string, unknown>;
    if (typeof evse !== 'string' || evse.length === 0 || evse.length > 255)
      throw new BadRequestError('INVALID_BODY', 'evse is required: a string of 1 to 255 characters');
    if (
      user_reference !== undefined &&
      user_reference !== null &&
      (typeof user_reference !== 'string' || user_reference.length > 255)
    ) {
      throw new BadRequestError('INVALID_BODY', 'user_reference must be a string of at most 255 characters');
    }
    const { session } = await this.startSession.execute({
      fleetId: fleetOf(req),
      evse,
      userReference: (user_reference as string | null | undefined) ?? null,
      idempotencyKey: idempotencyKey ?? null,
      actor: actorOf(req.principal!),
    });
    res.status(201); // a replayed Idempotency-Key gets the same answer as the first request
    return { session: toPumpSession(session) };
  }

  @Post(':id/stop')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Stop a session (RemoteStopTransaction); waits for the charger: 200 REMOTE_STOPPED, 404, 409, 502, 504',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: SessionResponse, description: 'REMOTE_STOPPED (or already stopped/CLOSED)' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'SESSION_NOT_STOPPABLE' })
  @ApiResponse({
    status: 502,
    type: ErrorResponse,
    description: 'CHARGER_REJECTED: what the charger answered',
  })
  @ApiResponse({ status: 504, type: ErrorResponse, description: 'CHARGER_TIMEOUT' })
  async stop(@Req() req: FleetRequest, @Param('id') id: string) {
    // StopSession answers 404 for unknown ids and other fleets' sessions itself
    const session = await this.stopSession.execute(fleetOf(req), id, actorOf(req.principal!));
    return { session: toPumpSession(session) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One session' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: SessionResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@Req() req: FleetRequest, @Param('id') id: string) {
    return { session: toPumpSession(await this.read.get(fleetOf(req), id)) };
  }

  @Get()
  @ApiOperation({ summary: 'Sessions of the fleet, newest first, filtered, cursor-paginated' })
  @ApiQueryFrom(LIST_SESSIONS_QUERY, {
    status: {
      description: 'Comma-separated statuses (any of)',
      schema: {
        type: 'string',
        example: 'ACTIVE,CLOSED',
        pattern: `^(${SESSION_STATUSES.join('|')})(,(${SESSION_STATUSES.join('|')}))*$`,
      },
    },
    auth_type: { description: 'How it was started', schema: { type: 'string', enum: ['LOCAL', 'REMOTE'] } },
    user_reference: { description: 'Exact match', schema: { type: 'string', maxLength: 255 } },
    evse: { description: 'EVSE id, exact match', schema: { type: 'string', maxLength: 255 } },
    charging_station: {
      description: 'Charge point id, exact match',
      schema: { type: 'string', maxLength: 255 },
    },
    from: { description: 'Created at or after', schema: INSTANT },
    to: { description: 'Created before', schema: INSTANT },
    cursor: { description: 'next_cursor of the previous page', schema: { type: 'string' } },
    limit: { description: 'Page size', schema: { type: 'integer', minimum: 1, maximum: 200 } },
  })
  @ApiOkResponse({ type: SessionListResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_QUERY, INVALID_CURSOR' })
  async list(@Req() req: FleetRequest, @Query() query: Record<string, unknown>) {
    const { sessions, nextCursor } = await this.read.list(
      fleetOf(req),
      parseQuery(LIST_SESSIONS_QUERY, query),
    );
    return { sessions: sessions.map(toPumpSession), next_cursor: nextCursor };
  }
}
