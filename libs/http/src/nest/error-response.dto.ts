import { ApiProperty } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({ example: 'INVALID_QUERY', description: 'Stable machine-readable code' })
  code!: string;
  @ApiProperty({ example: 'limit must be an integer 1..1000, got "0"' })
  message!: string;
}

/** Every error of every app (JsonErrorFilter): `{ "error": { "code", "message" } }`. */
export class ErrorResponseDto {
  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}
