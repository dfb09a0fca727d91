import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Param,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Pool } from 'pg';
import { actorOf, type Principal } from '@app/auth';
import { recordAudit, type AuditAction } from '@app/auth/audit';
import { AUTH_POOL, CurrentPrincipal, Roles } from '@app/auth/nest';
import type { Queryable } from '@app/event-store';
import { parseQuery, query } from '@app/http';
import { BadRequestError } from '../application/ports';
import { ManageWebhooks, WebhookSecretsUnavailableError, type WebhookView } from '../application/webhooks';
import { ErrorResponseDto as ErrorResponse } from '@app/http/nest';
import {
  CreatedWebhookResponse,
  CreateWebhookRequest,
  DeliveryListResponse,
  DeliveryResponse,
  WebhookListResponse,
  WebhookResponse,
} from './dto/webhook.dto';
import { SessionsErrorFilter } from './error.filter';
import { fleetOfPrincipal as fleetOf } from './fleet-request';
import { ApiQueryFrom } from './openapi-query';

export const DELIVERIES_QUERY = {
  limit: query.int(1, 100).default(50),
  cursor: query.cursor((t) => (/^[1-9][0-9]{0,18}$/.test(t) ? t : undefined)),
};

/**
 * Self-service webhooks of the caller's fleet. Every query is scoped by the credential's fleet, so
 * another fleet's webhook is a 404 like an unknown one. Changes are audited (in the credentials
 * database's audit log) before they commit.
 */
@ApiTags('webhooks')
@ApiResponse({ status: 401, description: 'No or an unknown credential', type: ErrorResponse })
@ApiResponse({ status: 403, description: 'A credential without the fleet role', type: ErrorResponse })
@Controller('v1/webhooks')
@Roles('fleet')
@UseFilters(SessionsErrorFilter)
export class WebhooksController {
  constructor(
    private readonly webhooks: ManageWebhooks,
    @Inject(AUTH_POOL) private readonly auditPool: Pool,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Add a webhook {url, events?}; 201 with its signing secret, shown only this once',
  })
  @ApiBody({ type: CreateWebhookRequest })
  @ApiCreatedResponse({ type: CreatedWebhookResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_BODY, INVALID_JSON' })
  @ApiResponse({ status: 503, type: ErrorResponse, description: 'WEBHOOKS_UNAVAILABLE (no secret key)' })
  async create(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    const fleet = fleetOf(p);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequestError('INVALID_BODY', 'body must be a JSON object {"url": ..., "events": [...]}');
    const { url, events, ...rest } = body as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0)
      throw new BadRequestError('INVALID_BODY', `unknown field "${unknown[0]}" (known: url, events)`);
    const input = this.webhooks.validate({ url, events });
    try {
      const { webhook, secret } = await this.webhooks.create(fleet, input, (w) =>
        this.audit(p, 'webhook.created', w),
      );
      return { webhook: { ...webhook, secret } };
    } catch (e) {
      if (e instanceof WebhookSecretsUnavailableError)
        throw new HttpException({ error: { code: 'WEBHOOKS_UNAVAILABLE', message: e.message } }, 503);
      throw e;
    }
  }

  @Get()
  @ApiOperation({ summary: "The fleet's webhooks (never their secrets)" })
  @ApiOkResponse({ type: WebhookListResponse })
  async list(@CurrentPrincipal() p: Principal) {
    return { webhooks: await this.webhooks.list(fleetOf(p)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook; 404 for unknown ids and other fleets’ webhooks' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return { webhook: await this.webhooks.get(fleetOf(p), id) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a webhook and its queued deliveries' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.webhooks.delete(fleetOf(p), id, (w) => this.audit(p, 'webhook.deleted', w));
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a signed fleet.webhook.test event; 202 with the delivery to follow' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: DeliveryResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async test(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return { delivery: await this.webhooks.sendTest(fleetOf(p), id) }; // sendTest wakes the dispatcher
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'Deliveries, newest first: status, attempts with status codes and errors, next retry',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiQueryFrom(DELIVERIES_QUERY, {
    limit: { description: 'Page size', schema: { type: 'integer', minimum: 1, maximum: 100 } },
    cursor: { description: 'next_cursor of the previous page', schema: { type: 'string' } },
  })
  @ApiOkResponse({ type: DeliveryListResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'INVALID_QUERY, INVALID_CURSOR' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async deliveries(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() raw: unknown) {
    // a QueryError is a 400 with its code (SessionsErrorFilter)
    return this.webhooks.deliveries(fleetOf(p), id, parseQuery(DELIVERIES_QUERY, raw));
  }

  private audit(p: Principal, action: AuditAction, w: WebhookView): Promise<void> {
    return recordAudit(this.auditPool as unknown as Queryable, {
      actor: actorOf(p),
      action,
      target: { type: 'webhook', id: w.id },
      service: 'session-service',
      // The origin only: a receiver's path or query may carry its own token.
      details: { fleet: p.fleet, origin: new URL(w.url).origin, events: w.events },
    });
  }
}
