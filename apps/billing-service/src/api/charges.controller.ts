import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { correctCharge } from '../application/correct-charge';
import { listAnomalies, listSessionCharges } from '../application/read-charges';
import { toChargeView } from '../domain/charge-view';
import { PG_POOL } from '../infrastructure/database/pool';
import { BillingOutbox } from '../infrastructure/outbox';

@ApiTags('charges')
@Controller('v1')
export class ChargesController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly outbox: BillingOutbox,
  ) {}

  @Get('charges')
  @ApiOperation({ summary: 'The charges of a session (its bill, reversals and corrections), in booking order' })
  async bySession(@Query('session_id') sessionId: string | undefined) {
    return { charges: (await listSessionCharges(this.pool, sessionId)).map(toChargeView) };
  }

  @Post('charges/:id/corrections')
  @ApiOperation({ summary: 'Correct a charge: book its reversal and (unless "cancel": true) a new charge, with a reason' })
  async correct(@Param('id') id: string, @Body() body: unknown) {
    const result = await correctCharge(this.pool, id, body);
    this.outbox.wake();
    return { reversal: toChargeView(result.reversal), charge: result.charge ? toChargeView(result.charge) : null };
  }

  @Get('anomalies')
  @ApiOperation({ summary: 'Sessions that got no charge (INVALID, no tariff, unreadable) in a time range' })
  async anomalies(@Query() query: { from?: string; to?: string; limit?: string }) {
    return { anomalies: await listAnomalies(this.pool, query) };
  }
}
