import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { KNOWN_OCPP16_ACTIONS, isSupportedInboundAction } from './actions';
import { OcppError, type Ocpp16ErrorCode } from './errors';
import type { InboundCall } from './messages';
import { OCPP16_SCHEMAS, requestSchemaId, responseSchemaId } from './schemas';

/**
 * How a JSON-schema failure maps to an OCPP-J 1.6 CALLERROR code (ARCHITECTURE.md "OCPP-J 1.6 errors"):
 * - a required field missing, a field that must not be there (additionalProperties), or an array
 *   with too few/many items → OccurenceConstraintViolation: a field "occurring wrongly";
 * - a wrong JSON type, or a string that is not an OCPP `dateTime` (format) → TypeConstraintViolation:
 *   dateTime is a type in OCPP 1.6, not a range;
 * - a value outside its enum, length, range or pattern → PropertyConstraintViolation;
 * - any other keyword (none in the 1.6 schemas today) → FormationViolation.
 */
const KEYWORD_TO_ERROR: Record<string, Ocpp16ErrorCode> = {
  required: 'OccurenceConstraintViolation',
  additionalProperties: 'OccurenceConstraintViolation',
  minItems: 'OccurenceConstraintViolation',
  maxItems: 'OccurenceConstraintViolation',
  minProperties: 'OccurenceConstraintViolation',
  maxProperties: 'OccurenceConstraintViolation',
  type: 'TypeConstraintViolation',
  format: 'TypeConstraintViolation',
  enum: 'PropertyConstraintViolation',
  const: 'PropertyConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
};

export function errorCodeForKeyword(keyword: string): Ocpp16ErrorCode {
  return KEYWORD_TO_ERROR[keyword] ?? 'FormationViolation';
}

function describe(schemaId: string, e: ErrorObject): string {
  const where = e.instancePath || '(payload)';
  if (e.keyword === 'required')
    return `${schemaId}: ${where} is missing required field "${(e.params as { missingProperty: string }).missingProperty}"`;
  if (e.keyword === 'additionalProperties') {
    return `${schemaId}: ${where} has unexpected field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (e.keyword === 'enum') {
    return `${schemaId}: ${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  }
  return `${schemaId}: ${where} ${e.message ?? e.keyword}`;
}

/** Maps the first schema error to the OCPP CALLERROR that answers it. */
export function ocppErrorFromSchemaErrors(schemaId: string, errors: ErrorObject[]): OcppError {
  const first = errors[0];
  if (!first) return new OcppError('FormationViolation', `${schemaId}: payload does not match the schema`);
  return new OcppError(errorCodeForKeyword(first.keyword), describe(schemaId, first), {
    path: first.instancePath,
    keyword: first.keyword,
  });
}

/** OCPP 1.6 (section 4.2, field types): "integer: 32 bit (31 bit resolution, 1 sign bit)". */
const INT32 = { minimum: -2147483648, maximum: 2147483647 };
/**
 * Meter registers in Wh are the one exception we allow past 32 bits: a DC charger's lifetime
 * register can pass 2^31 Wh (2.1 GWh), and a refused StopTransaction would be retried forever.
 * They are still bounded to what a JSON number keeps exactly.
 */
const METER_FIELDS = new Set(['meterStart', 'meterStop']);
const SAFE = { minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };

/**
 * The official schemas say `"type": "integer"` without a range, so 1e30 would pass and then
 * break a database column (InternalError, retried forever by the charger) or lose digits. This
 * adds the spec's 32-bit range to every integer field without one (SAFE for meter registers), so
 * such a value gets PropertyConstraintViolation like any other out-of-range value.
 */
function withIntegerRanges<T>(schema: T, name = ''): T {
  if (Array.isArray(schema)) return schema.map((item) => withIntegerRanges(item, name)) as T;
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([prop, sub]) => [prop, withIntegerRanges(sub, prop)]),
      );
    } else {
      out[key] = withIntegerRanges(value, name);
    }
  }
  if (out.type === 'integer') {
    const range = METER_FIELDS.has(name) ? SAFE : INT32;
    out.minimum ??= range.minimum;
    out.maximum ??= range.maximum;
  }
  return out as T;
}

/**
 * Validates OCPP 1.6 payloads against the official schemas. Compiled once per action on first use.
 * No type coercion, no defaults: the payload is checked exactly as the charger sent it.
 */
export class Ocpp16Validator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction | null>();
  private readonly sources = new Map<string, Record<string, unknown>>();

  constructor() {
    this.ajv = new Ajv({ strict: false, allErrors: false, coerceTypes: false, useDefaults: false });
    // uri: GetDiagnostics.req and UpdateFirmware.req `location` (an unknown format would be ignored).
    addFormats(this.ajv, ['date-time', 'uri']);
    // The schemas use multipleOf 0.1 on decimals (charging limits); binary floats make the stock
    // check reject 0.3 / 0.1, so compare with a tolerance instead.
    this.ajv.removeKeyword('multipleOf');
    this.ajv.addKeyword({
      keyword: 'multipleOf',
      type: 'number',
      schemaType: 'number',
      errors: false,
      compile: (step: number) => (value: number) => {
        const ratio = value / step;
        return Math.abs(ratio - Math.round(ratio)) < 1e-9 * Math.max(1, Math.abs(ratio));
      },
    });
    // The schemas' ids ("urn:Authorize.req") are not valid URNs for ajv's URI resolver, and they
    // reference nothing outside themselves: compile each on its own, keyed by its id.
    for (const { $id, $schema: _meta, ...schema } of OCPP16_SCHEMAS)
      this.sources.set($id, withIntegerRanges(schema));
  }

  private validatorFor(schemaId: string): ValidateFunction | null {
    let fn = this.compiled.get(schemaId);
    if (fn === undefined) {
      const source = this.sources.get(schemaId);
      fn = source ? this.ajv.compile(source) : null;
      this.compiled.set(schemaId, fn);
    }
    return fn;
  }

  /** Null when `payload` is a valid `<action>.req`; the CALLERROR to send otherwise. */
  validateRequest(action: string, payload: unknown): OcppError | null {
    return this.validate(requestSchemaId(action), payload);
  }

  /** Null when `payload` is a valid `<action>.conf`. */
  validateResponse(action: string, payload: unknown): OcppError | null {
    return this.validate(responseSchemaId(action), payload);
  }

  private validate(schemaId: string, payload: unknown): OcppError | null {
    const fn = this.validatorFor(schemaId);
    if (!fn) return new OcppError('NotImplemented', `no schema ${schemaId}`);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return new OcppError('FormationViolation', `${schemaId}: payload must be a JSON object`);
    }
    if (fn(payload)) return null;
    return ocppErrorFromSchemaErrors(schemaId, fn.errors ?? []);
  }

  /**
   * Checks a CALL sent by a charger: NotImplemented for an action OCPP 1.6 does not define,
   * NotSupported for one it defines that a charger may not send us (or we do not accept), then
   * the schema of the request.
   */
  checkInboundCall(action: string, payload: unknown): OcppError | null {
    if (!KNOWN_OCPP16_ACTIONS.has(action))
      return new OcppError('NotImplemented', `unknown action "${action}"`);
    if (!isSupportedInboundAction(action)) {
      return new OcppError('NotSupported', `action "${action}" is not accepted from a charge point`);
    }
    return this.validateRequest(action, payload);
  }

  /**
   * `checkInboundCall`, and for a CALL that passes, the CALL typed by its action (the schema
   * guarantees the shape, so the cast is the one place the type is taken on trust).
   */
  parseInboundCall(action: string, payload: unknown): InboundCall | OcppError {
    return this.checkInboundCall(action, payload) ?? ({ action, payload } as InboundCall);
  }
}
