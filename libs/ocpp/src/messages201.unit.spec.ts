import { readFileSync } from 'node:fs';
import { OCPP201_INBOUND_ACTIONS } from '@app/contracts';
import { KNOWN_OCPP201_ACTIONS } from './actions';
import { formatTypes, GENERATED_201_TYPES_PATH } from './codegen/format';
import { renderOcpp201Types, schemaName } from './codegen/render-types';
import type { Inbound201Call, Ocpp201Confirmation, Ocpp201Request } from './messages';
import { OCPP201_ACTIONS } from './ocpp201-types.generated';
import { OCPP201_SCHEMAS } from './schemas';
import { Ocpp201Validator } from './validator201';

describe('the generated OCPP 2.0.1 types', () => {
  it('are what the generator makes of the schemas today (regenerate: npm run -s ocpp:types)', () => {
    const committed = readFileSync(GENERATED_201_TYPES_PATH, 'utf8');
    expect(committed).toBe(formatTypes(renderOcpp201Types(OCPP201_SCHEMAS), GENERATED_201_TYPES_PATH));
  });

  it('cover exactly the actions that have schemas, each with its .req and .conf', () => {
    const fromSchemas = new Set(OCPP201_SCHEMAS.map((s) => schemaName(s.$id).action));
    expect([...OCPP201_ACTIONS].sort()).toEqual([...fromSchemas].sort());
    expect(OCPP201_SCHEMAS).toHaveLength(2 * fromSchemas.size);
    expect([...KNOWN_OCPP201_ACTIONS].sort()).toEqual([...fromSchemas].sort());
    for (const action of OCPP201_INBOUND_ACTIONS) expect(fromSchemas.has(action)).toBe(true);
  });

  const validator = new Ocpp201Validator();
  it('every 2.0.1 schema compiles and refuses a payload that is not an object', () => {
    for (const action of OCPP201_ACTIONS) {
      expect(validator.validateRequest(action, [])?.code).toBe('FormatViolation');
      expect(() => validator.validateResponse(action, {})).not.toThrow();
    }
  });

  it('type what the schema requires as required, and the schema agrees (compile-time and at run time)', () => {
    // @ts-expect-error idToken is required in Authorize.req
    const noIdToken: Ocpp201Request<'Authorize'> = {};
    const badStatus: Ocpp201Request<'StatusNotification'> = {
      timestamp: '2026-01-15T12:45:00.000Z',
      evseId: 1,
      connectorId: 1,
      // @ts-expect-error connectorStatus is an enum without 1.6's Charging
      connectorStatus: 'Charging',
    };
    const stringValue: Ocpp201Request<'MeterValues'> = {
      evseId: 1,
      // @ts-expect-error sampledValue.value is a number in 2.0.1
      meterValue: [{ timestamp: '2026-01-15T12:45:00.000Z', sampledValue: [{ value: '12' }] }],
    };
    const numericTx: Ocpp201Confirmation<'RequestStartTransaction'> = {
      status: 'Accepted',
      // @ts-expect-error a 2.0.1 transactionId is a string
      transactionId: 1,
    };
    expect(validator.validateRequest('Authorize', noIdToken)?.code).toBe('OccurrenceConstraintViolation');
    expect(validator.validateRequest('StatusNotification', badStatus)?.code).toBe(
      'PropertyConstraintViolation',
    );
    expect(validator.validateRequest('MeterValues', stringValue)?.code).toBe('TypeConstraintViolation');
    expect(validator.validateResponse('RequestStartTransaction', numericTx)?.code).toBe(
      'TypeConstraintViolation',
    );
  });

  it('narrow an Inbound201Call by its action', () => {
    const call = validator.parseInboundCall('StatusNotification', {
      timestamp: '2026-01-15T12:45:00.000Z',
      connectorStatus: 'Occupied',
      evseId: 2,
      connectorId: 1,
    });
    if (call instanceof Error) throw call;
    const evse = (c: Inbound201Call): number | undefined =>
      c.action === 'StatusNotification' ? c.payload.evseId : undefined;
    expect(evse(call)).toBe(2);
  });
});
