import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '@app/http/nest';

/** The error answers every billing route may give, all `{ "error": { "code", "message" } }`. */
export const ApiErrorResponses = () =>
  applyDecorators(
    ApiBadRequestResponse({
      type: ErrorResponseDto,
      description: 'INVALID_QUERY, INVALID_JSON, INVALID_TARIFF, BAD_REQUEST...',
    }),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'No or unknown credential' }),
    ApiForbiddenResponse({ type: ErrorResponseDto, description: 'The credential lacks the role' }),
    ApiNotFoundResponse({ type: ErrorResponseDto }),
    ApiConflictResponse({ type: ErrorResponseDto }),
    ApiUnprocessableEntityResponse({ type: ErrorResponseDto }),
  );
