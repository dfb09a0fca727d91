import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

/** The request header parameter that asks for decimal strings instead of numbers. */
export const DECIMAL_STRINGS_ACCEPT = 'application/json; decimals=string';

/**
 * A price or amount: a JSON number whose text is the exact decimal (`0.88`, `13.2000`); a decimal
 * string (`"0.88"`) when the request sent `Accept: application/json; decimals=string`.
 */
export const ApiDecimal = (description: string, example: number, options: ApiPropertyOptions = {}) =>
  ApiProperty({
    ...options,
    oneOf: [{ type: 'number' }, { type: 'string', pattern: '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$' }],
    description: `${description}. An exact decimal: a JSON number written from the decimal's text, or a string with \`Accept: ${DECIMAL_STRINGS_ACCEPT}\``,
    example,
  } as ApiPropertyOptions);
