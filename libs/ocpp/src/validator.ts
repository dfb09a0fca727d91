import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { KNOWN_OCPP16_ACTIONS, isSupportedInboundAction } from './actions';
import { OcppError, type Ocpp16ErrorCode, type OcppErrorCode } from './errors';
import type { InboundCall } from './messages';
import { OCPP16_SCHEMAS, requestSchemaId, responseSchemaId, type OcppSchema } from './schemas';

/**
 * How a JSON-schema failure maps to a CALLERROR (ARCHITECTURE.md "OCPP-J 1.6 errors"); both
 * protocols name the same three kinds, 2.0.1 spells "occurrence" correctly:
 * - a required field missing, a field that must not be there (additionalProperties), or an array
 *   with too few/many items → occurrence (OccurenceConstraintViolation / OccurrenceConstraintViolation):
 *   a field "occurring wrongly";
 * - a wrong JSON type, or a string that is not an OCPP `dateTime` (format) → TypeConstraintViolation:
 *   dateTime is a type in OCPP, not a range;
 * - a value outside its enum, length, range or pattern → PropertyConstraintViolation;
 * - any other keyword (none in the official schemas today) → FormationViolation / FormatViolation.
 */
type ViolationKind = 'occurrence' | 'type' | 'property';
const KEYWORD_KIND: Record<string, ViolationKind> = {
  required: 'occurrence',
  additionalProperties: 'occurrence',
  additionalItems: 'occurrence',
  minItems: 'occurrence',
  maxItems: 'occurrence',
  minProperties: 'occurrence',
  maxProperties: 'occurrence',
  type: 'type',
  format: 'type',
  enum: 'property',
  const: 'property',
  maxLength: 'property',
  minLength: 'property',
  maximum: 'property',
  minimum: 'property',
  exclusiveMaximum: 'property',
  exclusiveMinimum: 'property',
  multipleOf: 'property',
  pattern: 'property',
};

/** One protocol's schemas, action lists and error spellings: what a validator is parametrized by. */
export interface ValidatorDialect<C extends OcppErrorCode> {
  schemas: readonly OcppSchema[];
  codes: Record<ViolationKind, C> & {
    /** The payload is not an object, or a schema keyword outside KEYWORD_KIND failed. */
    format: C;
    notImplemented: C;
    notSupported: C;
  };
  /** Every action the protocol defines (NotImplemented for any other name). */
  knownActions: ReadonlySet<string>;
  /** The defined actions a charger may send us (NotSupported for the rest). */
  isSupportedInbound(action: string): boolean;
  /** Integer fields bounded to the exact JSON range instead of 32 bits. */
  wideIntegerFields: ReadonlySet<string>;
}

function codeForKeyword<C extends OcppErrorCode>(dialect: ValidatorDialect<C>, keyword: string): C {
  const kind = KEYWORD_KIND[keyword];
  return kind ? dialect.codes[kind] : dialect.codes.format;
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

function errorFromSchemaErrors<C extends OcppErrorCode>(
  dialect: ValidatorDialect<C>,
  schemaId: string,
  errors: ErrorObject[],
): OcppError<C> {
  const first = errors[0];
  if (!first) return new OcppError(dialect.codes.format, `${schemaId}: payload does not match the schema`);
  return new OcppError(codeForKeyword(dialect, first.keyword), describe(schemaId, first), {
    path: first.instancePath,
    keyword: first.keyword,
  });
}

/** OCPP 1.6 (section 4.2, field types): "integer: 32 bit (31 bit resolution, 1 sign bit)". */
const INT32 = { minimum: -2147483648, maximum: 2147483647 };
const SAFE = { minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };

/**
 * The official schemas say `"type": "integer"` without a range, so 1e30 would pass and then
 * break a database column (InternalError, retried forever by the charger) or lose digits. This
 * adds the spec's 32-bit range to every integer field without one (SAFE for the dialect's wide
 * fields), so
 * such a value gets PropertyConstraintViolation like any other out-of-range value.
 */
function withIntegerRanges<T>(schema: T, wide: ReadonlySet<string>, name = ''): T {
  if (Array.isArray(schema)) return schema.map((item) => withIntegerRanges(item, wide, name)) as T;
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([prop, sub]) => [prop, withIntegerRanges(sub, wide, prop)]),
      );
    } else {
      out[key] = withIntegerRanges(value, wide, name);
    }
  }
  if (out.type === 'integer') {
    const range = wide.has(name) ? SAFE : INT32;
    out.minimum ??= range.minimum;
    out.maximum ??= range.maximum;
  }
  return out as T;
}

/**
 * Validates one protocol's payloads against its official schemas. Compiled once per action on
 * first use. No type coercion, no defaults: the payload is checked exactly as the charger sent it.
 * `Call` is the typed CALL `parseInboundCall` returns.
 */
export class OcppSchemaValidator<C extends OcppErrorCode, Call> {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction | null>();
  private readonly sources = new Map<string, Record<string, unknown>>();

  constructor(private readonly dialect: ValidatorDialect<C>) {
    // strict: false: the 2.0.1 schemas carry `javaType`, a keyword ajv does not know.
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
    for (const { $id, $schema: _meta, ...schema } of dialect.schemas)
      this.sources.set($id, withIntegerRanges(schema, dialect.wideIntegerFields));
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
  validateRequest(action: string, payload: unknown): OcppError<C> | null {
    return this.validate(requestSchemaId(action), payload);
  }

  /** Null when `payload` is a valid `<action>.conf`. */
  validateResponse(action: string, payload: unknown): OcppError<C> | null {
    return this.validate(responseSchemaId(action), payload);
  }

  private validate(schemaId: string, payload: unknown): OcppError<C> | null {
    const fn = this.validatorFor(schemaId);
    if (!fn) return new OcppError(this.dialect.codes.notImplemented, `no schema ${schemaId}`);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return new OcppError(this.dialect.codes.format, `${schemaId}: payload must be a JSON object`);
    }
    if (fn(payload)) return null;
    return errorFromSchemaErrors(this.dialect, schemaId, fn.errors ?? []);
  }

  /**
   * Checks a CALL sent by a charger: NotImplemented for an action the protocol does not define,
   * NotSupported for one it defines that a charger may not send us (or we do not accept), then
   * the schema of the request.
   */
  checkInboundCall(action: string, payload: unknown): OcppError<C> | null {
    if (!this.dialect.knownActions.has(action))
      return new OcppError(this.dialect.codes.notImplemented, `unknown action "${action}"`);
    if (!this.dialect.isSupportedInbound(action)) {
      return new OcppError(
        this.dialect.codes.notSupported,
        `action "${action}" is not accepted from a charge point`,
      );
    }
    return this.validateRequest(action, payload);
  }

  /**
   * `checkInboundCall`, and for a CALL that passes, the CALL typed by its action (the schema
   * guarantees the shape, so the cast is the one place the type is taken on trust).
   */
  parseInboundCall(action: string, payload: unknown): Call | OcppError<C> {
    return this.checkInboundCall(action, payload) ?? ({ action, payload } as Call);
  }
}

const OCPP16_DIALECT: ValidatorDialect<Ocpp16ErrorCode> = {
  schemas: OCPP16_SCHEMAS,
  codes: {
    occurrence: 'OccurenceConstraintViolation',
    type: 'TypeConstraintViolation',
    property: 'PropertyConstraintViolation',
    format: 'FormationViolation',
    notImplemented: 'NotImplemented',
    notSupported: 'NotSupported',
  },
  knownActions: KNOWN_OCPP16_ACTIONS,
  isSupportedInbound: isSupportedInboundAction,
  // Meter registers in Wh are the one exception we allow past 32 bits: a DC charger's lifetime
  // register can pass 2^31 Wh (2.1 GWh), and a refused StopTransaction would be retried forever.
  wideIntegerFields: new Set(['meterStart', 'meterStop']),
};

/** The OCPP 1.6 code a failed schema keyword is answered with. */
export function errorCodeForKeyword(keyword: string): Ocpp16ErrorCode {
  return codeForKeyword(OCPP16_DIALECT, keyword);
}

/** Maps the first schema error to the OCPP 1.6 CALLERROR that answers it. */
export function ocppErrorFromSchemaErrors(schemaId: string, errors: ErrorObject[]): OcppError {
  return errorFromSchemaErrors(OCPP16_DIALECT, schemaId, errors);
}

/** Validates OCPP 1.6 payloads (1.6 error spellings, the 1.6 inbound actions). */
export class Ocpp16Validator extends OcppSchemaValidator<Ocpp16ErrorCode, InboundCall> {
  constructor() {
    super(OCPP16_DIALECT);
  }
}
