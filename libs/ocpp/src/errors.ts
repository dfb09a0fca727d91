/**
 * OCPP-J 1.6 CALLERROR codes, spelled exactly as the 1.6 specification (section 4.2.3) spells
 * them, including "OccurenceConstraintViolation" (kept by the errata).
 */
export const OCPP16_ERROR_CODES = [
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'PropertyConstraintViolation',
  'OccurenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError',
] as const;
export type Ocpp16ErrorCode = (typeof OCPP16_ERROR_CODES)[number];

export function isOcpp16ErrorCode(code: unknown): code is Ocpp16ErrorCode {
  return typeof code === 'string' && (OCPP16_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Names some libraries emit (OCPP 2.0.1 spellings) mapped back to their 1.6 equivalents, so that
 * nothing but 1.6 names ever reaches a 1.6 charger.
 */
const OCPP201_TO_16: Record<string, Ocpp16ErrorCode> = {
  FormatViolation: 'FormationViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
  RpcFrameworkError: 'FormationViolation',
  MessageTypeNotSupported: 'NotSupported',
};

/** Any error code (1.6 or 2.0.1 spelling, or junk) as a 1.6 code; unknown ones become GenericError. */
export function toOcpp16ErrorCode(code: string): Ocpp16ErrorCode {
  if (isOcpp16ErrorCode(code)) return code;
  return OCPP201_TO_16[code] ?? 'GenericError';
}

/** A defect in a frame or payload, to be answered with a CALLERROR. */
export class OcppError extends Error {
  constructor(
    readonly code: Ocpp16ErrorCode,
    readonly description: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${description}`);
  }
}
