import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { parseQuery, query } from '@app/http';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { actorOf, type Principal } from '@app/auth/principal';
import { CurrentPrincipal, Roles } from '@app/auth/nest';
import type { AuditTrail } from '../application/change-context';
import { correctCharge } from '../application/correct-charge';
import { getCharge, listAnomalies, listSessionCharges } from '../application/read-charges';
import { toChargeView } from '../domain/charge-view';
import { AUDIT_TRAIL } from '../infrastructure/audit-trail';
import { PG_POOL } from '../infrastructure/database/pool';
import { BillingOutbox } from '../infrastructure/outbox';

const CHARGES_QUERY = { session_id: query.uuid().required() };

@ApiTags('charges')
@Controller('v1')
export class ChargesController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly outbox: BillingOutbox,
    @Inject(AUDIT_TRAIL) private readonly audit: AuditTrail,
  ) {}

  @Roles('finance', 'fleet')
  @Get('charges')
  @ApiOperation({
    summary: 'The charges of a session (its bill, reversals and corrections), in booking order',
  })
  async bySession(@Query() raw: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    const { session_id: sessionId } = parseQuery(CHARGES_QUERY, raw);
    // A fleet credential sees its own fleet's charges only: another fleet's session reads as unknown.
    return { charges: (await listSessionCharges(this.pool, sessionId, principal.fleet)).map(toChargeView) };
  }

  @Roles('finance', 'fleet')
  @Get('charges/:id')
  @ApiOperation({
    summary: "One charge (404 for an unknown id and, to a fleet credential, for another fleet's charge)",
  })
  async byId(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return { charge: toChargeView(await getCharge(this.pool, id, principal.fleet)) };
  }

  @Roles('finance')
  @Post('charges/:id/corrections')
  @ApiOperation({
    summary: 'Correct a charge: book its reversal and (unless "cancel": true) a new charge, with a reason',
  })
  async correct(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const result = await correctCharge(this.pool, id, body, { actor: actorOf(principal), audit: this.audit });
    this.outbox.wake();
    return {
      reversal: toChargeView(result.reversal),
      charge: result.charge ? toChargeView(result.charge) : null,
    };
  }

  @Roles('finance')
  @Get('anomalies')
  @ApiOperation({ summary: 'Sessions that got no charge (INVALID, no tariff, unreadable) in a time range' })
  async anomalies(@Query() query: Record<string, unknown>) {
    return { anomalies: await listAnomalies(this.pool, query) };
  }
}
