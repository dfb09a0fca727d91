import type { ChargerProtocol } from '@app/contracts';

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

/**
 * OCPP-J 2.0.1 CALLERROR codes (part 4, section 4.3): 1.6's list with two names corrected
 * (FormatViolation, OccurrenceConstraintViolation) and two RPC-level codes added
 * (MessageTypeNotSupported, RpcFrameworkError).
 */
export const OCPP201_ERROR_CODES = [
  'FormatViolation',
  'GenericError',
  'InternalError',
  'MessageTypeNotSupported',
  'NotImplemented',
  'NotSupported',
  'OccurrenceConstraintViolation',
  'PropertyConstraintViolation',
  'ProtocolError',
  'RpcFrameworkError',
  'SecurityError',
  'TypeConstraintViolation',
] as const;
export type Ocpp201ErrorCode = (typeof OCPP201_ERROR_CODES)[number];

/** A CALLERROR code of either protocol. */
export type OcppErrorCode = Ocpp16ErrorCode | Ocpp201ErrorCode;

export function isOcpp16ErrorCode(code: unknown): code is Ocpp16ErrorCode {
  return typeof code === 'string' && (OCPP16_ERROR_CODES as readonly string[]).includes(code);
}

export function isOcpp201ErrorCode(code: unknown): code is Ocpp201ErrorCode {
  return typeof code === 'string' && (OCPP201_ERROR_CODES as readonly string[]).includes(code);
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

/** The 1.6 spellings that 2.0.1 corrected; every other 1.6 code is spelled the same in 2.0.1. */
const OCPP16_TO_201: Record<string, Ocpp201ErrorCode> = {
  FormationViolation: 'FormatViolation',
  OccurenceConstraintViolation: 'OccurrenceConstraintViolation',
};

/** Any error code (1.6 or 2.0.1 spelling, or junk) as a 1.6 code; unknown ones become GenericError. */
export function toOcpp16ErrorCode(code: string): Ocpp16ErrorCode {
  if (isOcpp16ErrorCode(code)) return code;
  return OCPP201_TO_16[code] ?? 'GenericError';
}

/** Any error code (1.6 or 2.0.1 spelling, or junk) as a 2.0.1 code; unknown ones become GenericError. */
export function toOcpp201ErrorCode(code: string): Ocpp201ErrorCode {
  if (isOcpp201ErrorCode(code)) return code;
  return OCPP16_TO_201[code] ?? 'GenericError';
}

/** `code` spelled for a connection of `protocol`: what may go into its CALLERRORs. */
export function errorCodeForProtocol(protocol: 'ocpp1.6', code: string): Ocpp16ErrorCode;
export function errorCodeForProtocol(protocol: 'ocpp2.0.1', code: string): Ocpp201ErrorCode;
export function errorCodeForProtocol(protocol: ChargerProtocol, code: string): OcppErrorCode;
export function errorCodeForProtocol(protocol: ChargerProtocol, code: string): OcppErrorCode {
  return protocol === 'ocpp2.0.1' ? toOcpp201ErrorCode(code) : toOcpp16ErrorCode(code);
}

/**
 * A defect in a frame or payload, to be answered with a CALLERROR. The code type says which
 * protocol's spelling it carries: a plain `OcppError` is 1.6 (what 1.6 code has always seen), the
 * 2.0.1 parser and validator give `Ocpp201Error`, so a 2.0.1 name cannot reach a 1.6 charger
 * (nor a 1.6 name a 2.0.1 station) without the type checker noticing.
 */
export class OcppError<C extends OcppErrorCode = Ocpp16ErrorCode> extends Error {
  constructor(
    readonly code: C,
    readonly description: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${description}`);
  }
}

/** An `OcppError` with a 2.0.1 code. */
export type Ocpp201Error = OcppError<Ocpp201ErrorCode>;
/** An `OcppError` of either protocol (what a per-protocol connection handles). */
export type AnyOcppError = OcppError<OcppErrorCode>;
