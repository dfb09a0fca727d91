import { Body, Controller, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
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
import { actorOf, type Principal } from '@app/auth';
import { CurrentPrincipal, Roles } from '@app/auth/nest';
import { ErrorResponseDto as ErrorResponse } from '@app/http/nest';
import { BadRequestError } from '../application/ports';
import { PushLocalList } from '../application/push-local-list';
import { SendChargerCommand, type ChargerCommandAnswer } from '../application/send-charger-command';
import {
  ChargerCommandResponse,
  COMMAND_REQUEST_SCHEMA,
  OPERATOR_ACTION_NAMES,
  PushLocalListRequest,
  PushLocalListResponse,
} from './dto/charger-command.dto';
import { SessionsErrorFilter } from './error.filter';

const view = (a: ChargerCommandAnswer) => ({
  command_id: a.commandId,
  charger_id: a.chargePointId,
  action: a.action,
  response: a.response,
});

/** The answers every command route shares (domain/charger-command-answer.ts). */
function CommandAnswers(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of [
      ApiNotFoundResponse({
        type: ErrorResponse,
        description:
          "UNKNOWN_COMMAND (not an operator command of the charger's protocol: the message names the protocol and its commands), CHARGER_NOT_FOUND (neither registered nor connected, or deactivated)",
      }),
      ApiResponse({
        status: 409,
        type: ErrorResponse,
        description:
          'CHARGER_OFFLINE: no gateway replica holds a connection to it; LOCAL_LIST_NOT_SUPPORTED (local list only): the charger is connected with OCPP 2.0.1',
      }),
      ApiResponse({
        status: 502,
        type: ErrorResponse,
        description:
          'CHARGER_REJECTED (its status said no; the message names it) or CHARGER_ERROR (a CALLERROR; code and description named)',
      }),
      ApiResponse({
        status: 503,
        type: ErrorResponse,
        description: 'AUDIT_UNAVAILABLE, COMMAND_NOT_SENT: not sent; try again',
      }),
      ApiResponse({
        status: 504,
        type: ErrorResponse,
        description: 'CHARGER_TIMEOUT: no answer within COMMAND_WAIT_SECONDS (default 30)',
      }),
    ])
      d(target, key, descriptor);
  };
}

/**
 * OCPP commands an operator sends to a charger, in the protocol it speaks (1.6, or 2.0.1 for a
 * station connected with it), answered with what the charger said
 * (application/send-charger-command.ts). Every command and its answer go to the audit log.
 */
@ApiTags('chargers')
@ApiResponse({ status: 401, description: 'No or an unknown credential', type: ErrorResponse })
@ApiResponse({ status: 403, description: 'A credential without the operator role', type: ErrorResponse })
@Controller('v1/chargers')
@Roles('operator')
@UseFilters(SessionsErrorFilter)
export class ChargerCommandsController {
  constructor(
    private readonly sendCommand: SendChargerCommand,
    private readonly pushLocalList: PushLocalList,
  ) {}

  @Post(':id/commands/:action')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Send an OCPP command of the charger's protocol (1.6: Reset, UnlockConnector, ChangeConfiguration, ...; 2.0.1: Reset, GetVariables, SetVariables, GetBaseReport, ...) and wait for the charger: 200 with its answer, 409, 502, 504",
  })
  @ApiParam({ name: 'id', description: 'Charge point id' })
  @ApiParam({ name: 'action', enum: OPERATOR_ACTION_NAMES })
  @ApiBody({ schema: COMMAND_REQUEST_SCHEMA })
  @ApiOkResponse({ type: ChargerCommandResponse })
  @ApiBadRequestResponse({
    type: ErrorResponse,
    description:
      "INVALID_COMMAND: the payload does not match the action's schema in the charger's protocol (the field is named)",
  })
  @CommandAnswers()
  async command(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Param('action') action: string,
    @Body() body: unknown,
  ) {
    return view(
      await this.sendCommand.execute({ chargePointId: id, action, payload: body ?? {}, actor: actorOf(p) }),
    );
  }

  @Post(':id/local-list')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Push the charger's fleet's id tags to its local authorization list (SendLocalList) and wait: 200 only when Accepted",
  })
  @ApiParam({ name: 'id', description: 'Charge point id' })
  @ApiBody({ type: PushLocalListRequest, required: false })
  @ApiOkResponse({ type: PushLocalListResponse })
  @ApiBadRequestResponse({
    type: ErrorResponse,
    description: 'INVALID_BODY: update_type is not Full or Differential',
  })
  @ApiResponse({
    status: 422,
    type: ErrorResponse,
    description:
      'LOCAL_LIST_INVALID: an id tag OCPP cannot carry (the field is named); LOCAL_LIST_TOO_LARGE: over 900,000 bytes in one record',
  })
  @CommandAnswers()
  async localList(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown) {
    const request = body ?? {};
    if (typeof request !== 'object' || request === null || Array.isArray(request))
      throw new BadRequestError(
        'INVALID_BODY',
        'body must be a JSON object: {"update_type"?: "Full" | "Differential"}',
      );
    const unknown = Object.keys(request).filter((k) => k !== 'update_type');
    if (unknown.length > 0)
      throw new BadRequestError('INVALID_BODY', `unknown field ${unknown[0]}: only update_type is accepted`);
    const answer = await this.pushLocalList.execute({
      chargePointId: id,
      updateType: (request as { update_type?: unknown }).update_type,
      actor: actorOf(p),
    });
    return { ...view(answer), list_version: answer.listVersion, entries: answer.entries };
  }
}
