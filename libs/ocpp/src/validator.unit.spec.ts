import { OCPP_INBOUND_ACTIONS, type OcppInboundAction } from '@app/contracts';
import { toOcpp16ErrorCode } from './errors';
import { exampleRequests } from './examples';
import { Ocpp16Validator } from './validator';

const validator = new Ocpp16Validator();
const examples = exampleRequests(new Date('2026-01-15T12:45:00.000Z'));

type Payload = Record<string, unknown>;
type Case = [name: string, mutate: (p: Payload) => Payload, code: string];

const without = (field: string) => (p: Payload) => {
  const copy = { ...p };
  delete copy[field];
  return copy;
};
const withField = (field: string, value: unknown) => (p: Payload) => ({ ...p, [field]: value });

/** Malformed CALLs per action, each with the OCPP-J 1.6 error code it must get. */
const MALFORMED: Record<OcppInboundAction, Case[]> = {
  Authorize: [
    ['idTag missing', without('idTag'), 'OccurenceConstraintViolation'],
    ['idTag a number', withField('idTag', 1234), 'TypeConstraintViolation'],
    ['idTag 21 characters', withField('idTag', 'A'.repeat(21)), 'PropertyConstraintViolation'],
    ['an extra field', withField('colour', 'red'), 'OccurenceConstraintViolation'],
  ],
  BootNotification: [
    ['chargePointVendor missing', without('chargePointVendor'), 'OccurenceConstraintViolation'],
    ['chargePointModel missing', without('chargePointModel'), 'OccurenceConstraintViolation'],
    ['chargePointModel null', withField('chargePointModel', null), 'TypeConstraintViolation'],
    [
      'chargePointVendor 21 characters',
      withField('chargePointVendor', 'V'.repeat(21)),
      'PropertyConstraintViolation',
    ],
    [
      'firmwareVersion 51 characters',
      withField('firmwareVersion', 'f'.repeat(51)),
      'PropertyConstraintViolation',
    ],
  ],
  DataTransfer: [
    ['vendorId missing', without('vendorId'), 'OccurenceConstraintViolation'],
    ['vendorId 256 characters', withField('vendorId', 'v'.repeat(256)), 'PropertyConstraintViolation'],
    ['data an object', withField('data', { x: 1 }), 'TypeConstraintViolation'],
  ],
  DiagnosticsStatusNotification: [
    ['status missing', without('status'), 'OccurenceConstraintViolation'],
    ['status not in the enum', withField('status', 'Done'), 'PropertyConstraintViolation'],
  ],
  FirmwareStatusNotification: [
    ['status missing', without('status'), 'OccurenceConstraintViolation'],
    ['status lower case', withField('status', 'installed'), 'PropertyConstraintViolation'],
    ['status a boolean', withField('status', true), 'TypeConstraintViolation'],
  ],
  Heartbeat: [['an extra field', withField('x', 1), 'OccurenceConstraintViolation']],
  MeterValues: [
    ['connectorId missing', without('connectorId'), 'OccurenceConstraintViolation'],
    ['meterValue missing', without('meterValue'), 'OccurenceConstraintViolation'],
    ['connectorId a string', withField('connectorId', '1'), 'TypeConstraintViolation'],
    ['transactionId a float', withField('transactionId', 4.2), 'TypeConstraintViolation'],
    ['meterValue an object', withField('meterValue', {}), 'TypeConstraintViolation'],
    [
      'sampledValue value a number',
      withField('meterValue', [{ timestamp: '2026-01-15T12:45:00Z', sampledValue: [{ value: 12 }] }]),
      'TypeConstraintViolation',
    ],
    [
      'an unknown measurand',
      withField('meterValue', [
        { timestamp: '2026-01-15T12:45:00Z', sampledValue: [{ value: '1', measurand: 'Energy' }] },
      ]),
      'PropertyConstraintViolation',
    ],
    [
      'meterValue without timestamp',
      withField('meterValue', [{ sampledValue: [{ value: '1' }] }]),
      'OccurenceConstraintViolation',
    ],
    [
      'a timestamp that is not a dateTime',
      withField('meterValue', [{ timestamp: 'yesterday', sampledValue: [] }]),
      'TypeConstraintViolation',
    ],
  ],
  StartTransaction: [
    ['connectorId missing', without('connectorId'), 'OccurenceConstraintViolation'],
    ['idTag missing', without('idTag'), 'OccurenceConstraintViolation'],
    ['meterStart missing', without('meterStart'), 'OccurenceConstraintViolation'],
    ['timestamp missing', without('timestamp'), 'OccurenceConstraintViolation'],
    ['meterStart a decimal', withField('meterStart', 10.5), 'TypeConstraintViolation'],
    ['meterStart a string', withField('meterStart', '1000'), 'TypeConstraintViolation'],
    ['timestamp not a dateTime', withField('timestamp', '15/01/2026'), 'TypeConstraintViolation'],
    ['idTag 21 characters', withField('idTag', 'A'.repeat(21)), 'PropertyConstraintViolation'],
    ['an extra field', withField('transactionId', 1), 'OccurenceConstraintViolation'],
    ['connectorId beyond 32 bits', withField('connectorId', 2 ** 31), 'PropertyConstraintViolation'],
    ['meterStart beyond exact JSON integers', withField('meterStart', 1e30), 'PropertyConstraintViolation'],
  ],
  StatusNotification: [
    ['connectorId missing', without('connectorId'), 'OccurenceConstraintViolation'],
    ['errorCode missing', without('errorCode'), 'OccurenceConstraintViolation'],
    ['status missing', without('status'), 'OccurenceConstraintViolation'],
    ['status not in the enum', withField('status', 'Plugged'), 'PropertyConstraintViolation'],
    ['errorCode not in the enum', withField('errorCode', 'Broken'), 'PropertyConstraintViolation'],
    ['info 51 characters', withField('info', 'i'.repeat(51)), 'PropertyConstraintViolation'],
    ['connectorId a string', withField('connectorId', 'one'), 'TypeConstraintViolation'],
  ],
  StopTransaction: [
    ['transactionId missing', without('transactionId'), 'OccurenceConstraintViolation'],
    ['meterStop missing', without('meterStop'), 'OccurenceConstraintViolation'],
    ['timestamp missing', without('timestamp'), 'OccurenceConstraintViolation'],
    ['meterStop a string', withField('meterStop', '16750'), 'TypeConstraintViolation'],
    ['transactionId a float', withField('transactionId', 1.5), 'TypeConstraintViolation'],
    ['reason not in the enum', withField('reason', 'Bored'), 'PropertyConstraintViolation'],
    ['transactionData not an array', withField('transactionData', 'x'), 'TypeConstraintViolation'],
    ['transactionId beyond 32 bits', withField('transactionId', 2 ** 40), 'PropertyConstraintViolation'],
    ['meterStop beyond exact JSON integers', withField('meterStop', 2 ** 53), 'PropertyConstraintViolation'],
  ],
};

describe('Ocpp16Validator: valid requests', () => {
  it.each(OCPP_INBOUND_ACTIONS.map((a) => [a]))('accepts a valid %s', (action) => {
    expect(validator.checkInboundCall(action, examples[action])).toBeNull();
  });

  it("accepts meter registers past 32 bits (a DC charger's lifetime Wh) up to the exact JSON range", () => {
    const big = 3_000_000_000;
    expect(
      validator.checkInboundCall('StartTransaction', { ...examples.StartTransaction, meterStart: big }),
    ).toBeNull();
    expect(
      validator.checkInboundCall('StopTransaction', {
        ...examples.StopTransaction,
        meterStop: Number.MAX_SAFE_INTEGER,
      }),
    ).toBeNull();
    expect(
      validator.checkInboundCall('StatusNotification', {
        ...examples.StatusNotification,
        connectorId: 2 ** 31 - 1,
      }),
    ).toBeNull();
  });

  it('accepts MeterValues without a transactionId and a signed meter value', () => {
    const payload = {
      connectorId: 1,
      meterValue: [
        {
          timestamp: '2026-01-15T12:45:00Z',
          sampledValue: [{ value: '<?xml version="1.0"?><signedMeterValue/>', format: 'SignedData' }],
        },
      ],
    };
    expect(validator.checkInboundCall('MeterValues', payload)).toBeNull();
  });
});

describe('Ocpp16Validator: malformed CALLs get the spec error code', () => {
  const cases = Object.entries(MALFORMED).flatMap(([action, list]) =>
    list.map(([name, mutate, code]) => [action, name, mutate, code] as const),
  );
  it.each(cases)('%s with %s', (action, _name, mutate, code) => {
    const error = validator.checkInboundCall(action, mutate(examples[action as OcppInboundAction]));
    expect(error?.code).toBe(code);
    expect(error?.description).toContain(`${action}.req`);
  });

  it('covers every inbound action', () => {
    expect(Object.keys(MALFORMED).sort()).toEqual([...OCPP_INBOUND_ACTIONS].sort());
  });
});

describe('Ocpp16Validator: actions', () => {
  it('answers an unknown action NotImplemented', () => {
    expect(validator.checkInboundCall('MakeCoffee', {})?.code).toBe('NotImplemented');
    expect(validator.checkInboundCall('heartbeat', {})?.code).toBe('NotImplemented');
  });

  it('answers a known action a charger may not send NotSupported', () => {
    expect(validator.checkInboundCall('RemoteStartTransaction', { idTag: 'x' })?.code).toBe('NotSupported');
    expect(
      validator.checkInboundCall('SecurityEventNotification', {
        type: 'x',
        timestamp: '2026-01-15T12:45:00Z',
      })?.code,
    ).toBe('NotSupported');
  });

  it('answers a payload that is not an object FormationViolation', () => {
    expect(validator.checkInboundCall('Heartbeat', [])?.code).toBe('FormationViolation');
    expect(validator.checkInboundCall('Heartbeat', null)?.code).toBe('FormationViolation');
  });

  it('validates responses (charger answers to our commands)', () => {
    expect(validator.validateResponse('RemoteStartTransaction', { status: 'Accepted' })).toBeNull();
    expect(validator.validateResponse('RemoteStartTransaction', { status: 'OK' })?.code).toBe(
      'PropertyConstraintViolation',
    );
  });

  it('accepts decimal multiples of 0.1 in charging profiles', () => {
    const payload = {
      idTag: 'x',
      chargingProfile: {
        chargingProfileId: 1,
        stackLevel: 0,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: {
          chargingRateUnit: 'A',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 16.3 }],
        },
      },
    };
    expect(validator.validateRequest('RemoteStartTransaction', payload)).toBeNull();
    const bad = JSON.parse(JSON.stringify(payload));
    bad.chargingProfile.chargingSchedule.chargingSchedulePeriod[0].limit = 16.35;
    expect(validator.validateRequest('RemoteStartTransaction', bad)?.code).toBe(
      'PropertyConstraintViolation',
    );
  });
});

describe('toOcpp16ErrorCode', () => {
  it('maps OCPP 2.0.1 names back to 1.6', () => {
    expect(toOcpp16ErrorCode('FormatViolation')).toBe('FormationViolation');
    expect(toOcpp16ErrorCode('OccurrenceConstraintViolation')).toBe('OccurenceConstraintViolation');
    expect(toOcpp16ErrorCode('RpcFrameworkError')).toBe('FormationViolation');
    expect(toOcpp16ErrorCode('TypeConstraintViolation')).toBe('TypeConstraintViolation');
    expect(toOcpp16ErrorCode('Nonsense')).toBe('GenericError');
  });
});
