import {
  errorCodeForProtocol,
  isOcpp16ErrorCode,
  isOcpp201ErrorCode,
  OCPP16_ERROR_CODES,
  OCPP201_ERROR_CODES,
  toOcpp16ErrorCode,
  toOcpp201ErrorCode,
} from './errors';

describe('toOcpp201ErrorCode', () => {
  it('maps the two 1.6 misspellings to 2.0.1 and keeps the shared names', () => {
    expect(toOcpp201ErrorCode('FormationViolation')).toBe('FormatViolation');
    expect(toOcpp201ErrorCode('OccurenceConstraintViolation')).toBe('OccurrenceConstraintViolation');
    expect(toOcpp201ErrorCode('TypeConstraintViolation')).toBe('TypeConstraintViolation');
    expect(toOcpp201ErrorCode('RpcFrameworkError')).toBe('RpcFrameworkError');
    expect(toOcpp201ErrorCode('Nonsense')).toBe('GenericError');
    expect(toOcpp201ErrorCode('')).toBe('GenericError');
  });

  it('turns every 1.6 code into a 2.0.1 code and back into itself', () => {
    expect(OCPP201_ERROR_CODES).toHaveLength(12);
    for (const code of OCPP16_ERROR_CODES) {
      const as201 = toOcpp201ErrorCode(code);
      expect(isOcpp201ErrorCode(as201)).toBe(true);
      expect(toOcpp16ErrorCode(as201)).toBe(code);
    }
  });

  it('turns every 2.0.1 code into a 1.6 code', () => {
    for (const code of OCPP201_ERROR_CODES) expect(isOcpp16ErrorCode(toOcpp16ErrorCode(code))).toBe(true);
    expect(toOcpp16ErrorCode('MessageTypeNotSupported')).toBe('NotSupported');
  });
});

describe('errorCodeForProtocol', () => {
  it("spells a code for the connection's protocol", () => {
    expect(errorCodeForProtocol('ocpp1.6', 'FormatViolation')).toBe('FormationViolation');
    expect(errorCodeForProtocol('ocpp2.0.1', 'FormationViolation')).toBe('FormatViolation');
    expect(errorCodeForProtocol('ocpp2.0.1', 'GenericError')).toBe('GenericError');
  });
});
