import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { parseQuery } from '@app/http';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AnomalyListResponse,
  ChargeListResponse,
  ChargeResponse,
  CorrectionRequest,
  CorrectionResponse,
} from './dto/billing.dto';
import { ANOMALIES_QUERY, ANOMALIES_QUERY_DOCS, ApiQueryParams, CHARGES_QUERY_DOCS } from './query-docs';
import { actorOf, type Principal } from '@app/auth/principal';
import { CurrentPrincipal, Roles } from '@app/auth/nest';
import { CorrectCharge } from '../application/correct-charge';
import { CHARGES_QUERY, GetCharge, ListAnomalies, ListSessionCharges } from '../application/read-charges';
import { toChargeView } from '../domain/charge-view';
import { ApiErrorResponses } from './dto/error-responses';

@ApiTags('charges')
@ApiErrorResponses()
@Controller('v1')
export class ChargesController {
  constructor(
    private readonly listSessionCharges: ListSessionCharges,
    private readonly getCharge: GetCharge,
    private readonly correctCharge: CorrectCharge,
    private readonly listAnomalies: ListAnomalies,
  ) {}

  @Roles('finance', 'fleet')
  @Get('charges')
  @ApiOperation({
    summary: 'The charges of a session (its bill, reversals and corrections), in booking order',
  })
  @ApiQueryParams(CHARGES_QUERY, CHARGES_QUERY_DOCS)
  @ApiOkResponse({ type: ChargeListResponse })
  async bySession(@Query() raw: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    const { session_id: sessionId } = parseQuery(CHARGES_QUERY, raw);
    // A fleet credential sees its own fleet's charges only: another fleet's session reads as unknown.
    const charges = await this.listSessionCharges.execute(sessionId, principal.fleet);
    return { charges: charges.map(toChargeView) };
  }

  @Roles('finance', 'fleet')
  @Get('charges/:id')
  @ApiOperation({
    summary: "One charge (404 for an unknown id and, to a fleet credential, for another fleet's charge)",
  })
  @ApiOkResponse({ type: ChargeResponse })
  async byId(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return { charge: toChargeView(await this.getCharge.execute(id, principal.fleet)) };
  }

  @Roles('finance')
  @Post('charges/:id/corrections')
  @ApiOperation({
    summary: 'Correct a charge: book its reversal and (unless "cancel": true) a new charge, with a reason',
  })
  @ApiBody({ type: CorrectionRequest })
  @ApiCreatedResponse({ type: CorrectionResponse })
  async correct(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const result = await this.correctCharge.execute(id, body, actorOf(principal));
    return {
      reversal: toChargeView(result.reversal),
      charge: result.charge ? toChargeView(result.charge) : null,
    };
  }

  @Roles('finance')
  @Get('anomalies')
  @ApiOperation({ summary: 'Sessions that got no charge (INVALID, no tariff, unreadable) in a time range' })
  @ApiQueryParams(ANOMALIES_QUERY, ANOMALIES_QUERY_DOCS)
  @ApiOkResponse({ type: AnomalyListResponse })
  async anomalies(@Query() query: Record<string, unknown>) {
    return { anomalies: await this.listAnomalies.execute(query) };
  }
}
