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
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BadRequestError } from '../application/ports';
import { parseQuery } from '@app/http';
import { LIST_SESSIONS_QUERY, ReadSessions } from '../application/read-sessions';
import { SessionRuntime } from '../infrastructure/session-runtime';
import { Roles } from '@app/auth/nest';
import { actorOf } from '@app/auth/principal';
import { fleetOf, type FleetRequest } from './fleet-request';
import { SessionsErrorFilter } from './error.filter';
import { toPumpSession } from '../application/session-view';

/** The pump-style sessions API (ARCHITECTURE.md "Sessions REST API"). Thin: the use cases do the work. */
@ApiTags('sessions')
@Controller('v1/sessions')
@Roles('fleet') // a fleet's own sessions; another fleet's are 404
@UseFilters(SessionsErrorFilter)
export class SessionsController {
  private readonly read = new ReadSessions();

  constructor(private readonly runtime: SessionRuntime) {}

  @Post('start')
  @ApiOperation({ summary: 'Start a session remotely (RemoteStartTransaction); 201 STARTING' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
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
    const { session, created } = await this.runtime.startSession.execute({
      fleetId: fleetOf(req),
      evse,
      userReference: (user_reference as string | null | undefined) ?? null,
      idempotencyKey: idempotencyKey ?? null,
      actor: actorOf(req.principal!),
    });
    res.status(201); // a replayed Idempotency-Key gets the same answer as the first request
    void created;
    return { session: toPumpSession(session) };
  }

  @Post(':id/stop')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Stop a session (RemoteStopTransaction); waits for the charger: 200 REMOTE_STOPPED, 404, 409, 502, 504',
  })
  async stop(@Req() req: FleetRequest, @Param('id') id: string) {
    await this.read.get(this.runtime.pool, fleetOf(req), id); // 404 for unknown ids and other fleets' sessions
    const session = await this.runtime.stopSession.execute(fleetOf(req), id, actorOf(req.principal!));
    return { session: toPumpSession(session) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One session' })
  async get(@Req() req: FleetRequest, @Param('id') id: string) {
    return { session: toPumpSession(await this.read.get(this.runtime.pool, fleetOf(req), id)) };
  }

  @Get()
  @ApiOperation({ summary: 'Sessions of the fleet, newest first, filtered, cursor-paginated' })
  async list(@Req() req: FleetRequest, @Query() query: Record<string, unknown>) {
    const { sessions, nextCursor } = await this.read.list(
      this.runtime.pool,
      fleetOf(req),
      parseQuery(LIST_SESSIONS_QUERY, query),
    );
    return { sessions: sessions.map(toPumpSession), next_cursor: nextCursor };
  }
}
