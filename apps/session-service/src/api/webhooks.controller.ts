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
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { actorOf, AuthHttpException, forbidden, type Principal } from '@app/auth';
import { recordAudit, type AuditAction } from '@app/auth/audit';
import { AUTH_POOL, CurrentPrincipal, Roles } from '@app/auth/nest';
import type { Queryable } from '@app/event-store';
import { parseQuery, query, QueryError } from '@app/http';
import { BadRequestError } from '../application/ports';
import {
  WEBHOOK_EVENT_TYPES,
  WebhookSecretsUnavailableError,
  type WebhookView,
} from '../application/webhooks';
import { SessionRuntime } from '../infrastructure/session-runtime';
import { SessionsErrorFilter } from './error.filter';

const DELIVERIES_QUERY = {
  limit: query.int(1, 100).default(50),
  cursor: query.cursor((t) => (/^[1-9][0-9]{0,18}$/.test(t) ? t : undefined)),
};

/**
 * Self-service webhooks of the caller's fleet. Every query is scoped by the credential's fleet, so
 * another fleet's webhook is a 404 like an unknown one. Changes are audited (in the credentials
 * database's audit log) before they commit.
 */
@ApiTags('webhooks')
@Controller('v1/webhooks')
@Roles('fleet')
@UseFilters(SessionsErrorFilter)
export class WebhooksController {
  constructor(
    private readonly runtime: SessionRuntime,
    @Inject(AUTH_POOL) private readonly auditPool: Pool,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Add a webhook {url, events?}; 201 with its signing secret, shown only this once',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['url'],
      additionalProperties: false,
      properties: {
        url: { type: 'string', format: 'uri', maxLength: 2048, description: 'https, public address' },
        events: { type: 'array', minItems: 1, items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } },
      },
    },
  })
  async create(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    const fleet = fleetOf(p);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequestError('INVALID_BODY', 'body must be a JSON object {"url": ..., "events": [...]}');
    const { url, events, ...rest } = body as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0)
      throw new BadRequestError('INVALID_BODY', `unknown field "${unknown[0]}" (known: url, events)`);
    const input = this.runtime.manageWebhooks.validate({ url, events });
    try {
      const { webhook, secret } = await this.runtime.manageWebhooks.create(fleet, input, (_q, w) =>
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
  async list(@CurrentPrincipal() p: Principal) {
    return { webhooks: await this.runtime.manageWebhooks.list(fleetOf(p)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook; 404 for unknown ids and other fleets’ webhooks' })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return { webhook: await this.runtime.manageWebhooks.get(fleetOf(p), id) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a webhook and its queued deliveries' })
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.runtime.manageWebhooks.delete(fleetOf(p), id, (_q, w) => this.audit(p, 'webhook.deleted', w));
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a signed fleet.webhook.test event; 202 with the delivery to follow' })
  async test(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const delivery = await this.runtime.manageWebhooks.sendTest(fleetOf(p), id);
    this.runtime.webhooks.wake();
    return { delivery };
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'Deliveries, newest first: status, attempts with status codes and errors, next retry',
  })
  async deliveries(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() raw: unknown) {
    let q: { limit: number; cursor: string | undefined };
    try {
      q = parseQuery(DELIVERIES_QUERY, raw);
    } catch (e) {
      if (e instanceof QueryError) throw new BadRequestError(e.code, e.message);
      throw e;
    }
    return this.runtime.manageWebhooks.deliveries(fleetOf(p), id, q);
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

/** Only fleet credentials reach these routes, and they carry their fleet; the throw guards a later widening. */
function fleetOf(p: Principal): string {
  if (!p.fleet) throw new AuthHttpException(forbidden('this route needs a credential bound to a fleet'));
  return p.fleet;
}
