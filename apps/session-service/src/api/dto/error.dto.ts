import { ApiProperty } from '@nestjs/swagger';

export class ErrorDetail {
  @ApiProperty({ example: 'NOT_FOUND', description: 'Stable machine-readable code' })
  code!: string;
  @ApiProperty({ example: 'session 5c0e… not found' })
  message!: string;
}

/** Every error: `{ "error": { "code", "message" } }`. */
export class ErrorResponse {
  @ApiProperty({ type: ErrorDetail })
  error!: ErrorDetail;
}
