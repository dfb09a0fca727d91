import { KNOWN_OCPP201_ACTIONS, isSupported201InboundAction } from './actions';
import type { Ocpp201ErrorCode } from './errors';
import type { Inbound201Call } from './messages';
import { OCPP201_SCHEMAS } from './schemas';
import { OcppSchemaValidator, type ValidatorDialect } from './validator';

const OCPP201_DIALECT: ValidatorDialect<Ocpp201ErrorCode> = {
  schemas: OCPP201_SCHEMAS,
  codes: {
    occurrence: 'OccurrenceConstraintViolation',
    type: 'TypeConstraintViolation',
    property: 'PropertyConstraintViolation',
    format: 'FormatViolation',
    notImplemented: 'NotImplemented',
    notSupported: 'NotSupported',
  },
  knownActions: KNOWN_OCPP201_ACTIONS,
  isSupportedInbound: isSupported201InboundAction,
  // OCPP 2.0.1 part 2 keeps 1.6's "integer: 32 bit", and no 2.0.1 integer is a Wh register (meter
  // values are `number`, sampledValue.value): every integer gets the 32-bit range.
  wideIntegerFields: new Set(),
};

/**
 * Validates OCPP 2.0.1 payloads against the official 2.0.1 schemas, answering with 2.0.1 error
 * spellings; same methods as Ocpp16Validator. `customData` (CustomDataType) is the schemas' one
 * open object: any vendor field passes there, nowhere else.
 */
export class Ocpp201Validator extends OcppSchemaValidator<Ocpp201ErrorCode, Inbound201Call> {
  constructor() {
    super(OCPP201_DIALECT);
  }
}
