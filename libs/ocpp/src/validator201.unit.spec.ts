import { OCPP201_INBOUND_ACTIONS, remoteStartIdOf } from '@app/contracts';
import { isOcpp201ErrorCode } from './errors';
import { exampleRequests201, exampleTransactionEvents201 } from './examples201';
import { Ocpp201Validator } from './validator201';

const validator = new Ocpp201Validator();
const now = new Date('2026-01-15T12:45:00.000Z');
const examples = exampleRequests201(now);
const tx = exampleTransactionEvents201(now);

type Payload = Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);
/** `base` with the value at `path` (dot-separated, numeric segments index arrays) set, or removed when `value` is REMOVE. */
const REMOVE = Symbol('remove');
function at(base: object, path: string, value: unknown): Payload {
  const copy = clone(base) as Payload;
  const keys = path.split('.');
  let target = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === REMOVE) delete target[last];
  else target[last] = value;
  return copy;
}

const ocsp = {
  hashAlgorithm: 'SHA256',
  issuerNameHash: 'a',
  issuerKeyHash: 'b',
  serialNumber: 'c',
  responderURL: 'https://ocsp.example.com',
};

/**
 * Malformed 2.0.1 CALLs, each with the OCPP-J 2.0.1 error code it must get (part 4 section 4.3;
 * the keyword → code rule is in validator.ts): occurrence of fields, their types (date-time is a
 * type), their values (enum, length, range), the action, and the payload's own shape.
 */
const MALFORMED: Array<[name: string, action: string, payload: unknown, code: string]> = [
  // OccurrenceConstraintViolation: required, additionalProperties, min/max items.
  [
    'BootNotification without reason',
    'BootNotification',
    at(examples.BootNotification, 'reason', REMOVE),
    'OccurrenceConstraintViolation',
  ],
  [
    'BootNotification without chargingStation.model',
    'BootNotification',
    at(examples.BootNotification, 'chargingStation.model', REMOVE),
    'OccurrenceConstraintViolation',
  ],
  [
    'Authorize with an extra field in idToken',
    'Authorize',
    at(examples.Authorize, 'idToken.colour', 'red'),
    'OccurrenceConstraintViolation',
  ],
  ['Heartbeat with an extra field', 'Heartbeat', { x: 1 }, 'OccurrenceConstraintViolation'],
  [
    'TransactionEvent without transactionInfo',
    'TransactionEvent',
    at(tx.started, 'transactionInfo', REMOVE),
    'OccurrenceConstraintViolation',
  ],
  [
    'TransactionEvent without seqNo',
    'TransactionEvent',
    at(tx.updated, 'seqNo', REMOVE),
    'OccurrenceConstraintViolation',
  ],
  [
    'TransactionEvent with an empty meterValue',
    'TransactionEvent',
    at(tx.started, 'meterValue', []),
    'OccurrenceConstraintViolation',
  ],
  [
    'MeterValues without evseId',
    'MeterValues',
    at(examples.MeterValues, 'evseId', REMOVE),
    'OccurrenceConstraintViolation',
  ],
  [
    'customData without vendorId',
    'Heartbeat',
    { customData: { colour: 'red' } },
    'OccurrenceConstraintViolation',
  ],
  [
    'Authorize with 5 OCSP hash items (at most 4)',
    'Authorize',
    at(examples.Authorize, 'iso15118CertificateHashData', Array(5).fill(ocsp)),
    'OccurrenceConstraintViolation',
  ],
  [
    'SignedMeterValue without publicKey',
    'TransactionEvent',
    at(tx.updated, 'meterValue.0.sampledValue.0.signedMeterValue.publicKey', REMOVE),
    'OccurrenceConstraintViolation',
  ],
  // TypeConstraintViolation: JSON type, date-time format.
  [
    'StatusNotification evseId a string',
    'StatusNotification',
    at(examples.StatusNotification, 'evseId', '1'),
    'TypeConstraintViolation',
  ],
  [
    'StatusNotification timestamp not a date-time',
    'StatusNotification',
    at(examples.StatusNotification, 'timestamp', 'yesterday'),
    'TypeConstraintViolation',
  ],
  [
    'sampledValue value a string',
    'TransactionEvent',
    at(tx.started, 'meterValue.0.sampledValue.0.value', '1.2345'),
    'TypeConstraintViolation',
  ],
  [
    'unitOfMeasure multiplier a decimal',
    'MeterValues',
    at(examples.MeterValues, 'meterValue.0.sampledValue.0.unitOfMeasure.multiplier', 1.5),
    'TypeConstraintViolation',
  ],
  [
    'TransactionEvent offline a string',
    'TransactionEvent',
    at(tx.started, 'offline', 'yes'),
    'TypeConstraintViolation',
  ],
  [
    'TransactionEvent seqNo a decimal',
    'TransactionEvent',
    at(tx.started, 'seqNo', 0.5),
    'TypeConstraintViolation',
  ],
  [
    'LogStatusNotification requestId null',
    'LogStatusNotification',
    at(examples.LogStatusNotification, 'requestId', null),
    'TypeConstraintViolation',
  ],
  [
    'NotifyEvent generatedAt a date without time',
    'NotifyEvent',
    at(examples.NotifyEvent, 'generatedAt', '2026-01-15'),
    'TypeConstraintViolation',
  ],
  // PropertyConstraintViolation: enum, length, range.
  [
    'StatusNotification connectorStatus a 1.6 status',
    'StatusNotification',
    at(examples.StatusNotification, 'connectorStatus', 'Charging'),
    'PropertyConstraintViolation',
  ],
  [
    'TransactionEvent eventType unknown',
    'TransactionEvent',
    at(tx.started, 'eventType', 'Paused'),
    'PropertyConstraintViolation',
  ],
  [
    'Authorize idToken.type unknown',
    'Authorize',
    at(examples.Authorize, 'idToken.type', 'RFID'),
    'PropertyConstraintViolation',
  ],
  [
    'FirmwareStatusNotification status lower case',
    'FirmwareStatusNotification',
    at(examples.FirmwareStatusNotification, 'status', 'installed'),
    'PropertyConstraintViolation',
  ],
  [
    'transactionId 37 characters',
    'TransactionEvent',
    at(tx.started, 'transactionInfo.transactionId', 't'.repeat(37)),
    'PropertyConstraintViolation',
  ],
  [
    'idToken 37 characters',
    'Authorize',
    at(examples.Authorize, 'idToken.idToken', 'A'.repeat(37)),
    'PropertyConstraintViolation',
  ],
  [
    'chargingStation.model 21 characters',
    'BootNotification',
    at(examples.BootNotification, 'chargingStation.model', 'M'.repeat(21)),
    'PropertyConstraintViolation',
  ],
  [
    'DataTransfer vendorId 256 characters',
    'DataTransfer',
    at(examples.DataTransfer, 'vendorId', 'v'.repeat(256)),
    'PropertyConstraintViolation',
  ],
  [
    'seqNo beyond 32 bits',
    'TransactionEvent',
    at(tx.started, 'seqNo', 2 ** 31),
    'PropertyConstraintViolation',
  ],
  [
    'evse.id beyond 32 bits',
    'TransactionEvent',
    at(tx.started, 'evse.id', 1e30),
    'PropertyConstraintViolation',
  ],
  [
    'remoteStartId below -2^31',
    'TransactionEvent',
    at(tx.started, 'transactionInfo.remoteStartId', -(2 ** 31) - 1),
    'PropertyConstraintViolation',
  ],
  // The action.
  ['an action 2.0.1 does not define', 'MakeCoffee', {}, 'NotImplemented'],
  [
    'a 1.6-only action',
    'StartTransaction',
    { connectorId: 1, idTag: 'x', meterStart: 0, timestamp: now.toISOString() },
    'NotImplemented',
  ],
  ['an action in the wrong case', 'heartbeat', {}, 'NotImplemented'],
  [
    'a CSMS → station action',
    'RequestStartTransaction',
    { idToken: { idToken: 'x', type: 'Central' }, remoteStartId: 1 },
    'NotSupported',
  ],
  [
    'a station action we do not accept',
    'NotifyChargingLimit',
    { chargingLimit: { chargingLimitSource: 'EMS' } },
    'NotSupported',
  ],
  // The payload's own shape.
  ['a payload that is an array', 'Heartbeat', [], 'FormatViolation'],
  ['a payload that is null', 'BootNotification', null, 'FormatViolation'],
  ['a payload that is a string', 'Heartbeat', '{}', 'FormatViolation'],
];

describe('Ocpp201Validator: malformed CALLs get their 2.0.1 error code', () => {
  it.each(MALFORMED)('%s (%s) → %s', (_name, action, payload, code) => {
    const error = validator.checkInboundCall(action, payload);
    expect(error?.code).toBe(code);
    expect(isOcpp201ErrorCode(error?.code)).toBe(true);
    if (!['NotImplemented', 'NotSupported'].includes(code))
      expect(error?.description).toContain(`${action}.req`);
  });

  it('uses no 1.6 spelling, whatever the payload', () => {
    for (const [, action, payload] of MALFORMED) {
      const code = validator.checkInboundCall(action, payload)?.code;
      expect(code).not.toBe('FormationViolation');
      expect(code).not.toBe('OccurenceConstraintViolation');
    }
  });
});

describe('Ocpp201Validator: valid requests', () => {
  it.each(OCPP201_INBOUND_ACTIONS.map((a) => [a]))('accepts the example %s', (action) => {
    expect(validator.checkInboundCall(action, examples[action])).toBeNull();
  });

  it('accepts the example transaction, every event of it', () => {
    for (const event of [tx.started, tx.updated, tx.ended]) {
      expect(validator.checkInboundCall('TransactionEvent', event)).toBeNull();
    }
  });

  it('accepts vendor fields inside customData (the one open object), and DataTransfer data of any JSON type', () => {
    expect(
      validator.checkInboundCall('Heartbeat', { customData: { vendorId: 'com.x', anything: [1, { a: 2 }] } }),
    ).toBeNull();
    for (const data of ['text', 12, [1, 2], null, { nested: { deep: true } }]) {
      expect(validator.checkInboundCall('DataTransfer', { vendorId: 'com.x', data })).toBeNull();
    }
  });

  it('accepts integers at the 32-bit edges', () => {
    expect(validator.checkInboundCall('TransactionEvent', at(tx.started, 'seqNo', 2 ** 31 - 1))).toBeNull();
    expect(
      validator.checkInboundCall(
        'TransactionEvent',
        at(tx.started, 'transactionInfo.remoteStartId', remoteStartIdOf('s-1')),
      ),
    ).toBeNull();
  });

  it('gives a typed CALL for a valid payload and the error for an invalid one', () => {
    const call = validator.parseInboundCall('TransactionEvent', tx.started);
    if (call instanceof Error) throw call;
    expect(call.action).toBe('TransactionEvent');
    if (call.action === 'TransactionEvent')
      expect(call.payload.transactionInfo.transactionId).toBe(tx.started.transactionInfo.transactionId);
    expect(validator.parseInboundCall('Heartbeat', { x: 1 })).toMatchObject({
      code: 'OccurrenceConstraintViolation',
    });
  });
});

describe('Ocpp201Validator: requests and responses of our commands', () => {
  it('validates a command we send and the answer a station gives', () => {
    expect(
      validator.validateRequest('RequestStartTransaction', {
        idToken: { idToken: 'x', type: 'Central' },
        evseId: 1,
        remoteStartId: 5,
      }),
    ).toBeNull();
    expect(
      validator.validateRequest('RequestStartTransaction', { idToken: { idToken: 'x', type: 'Central' } })
        ?.code,
    ).toBe('OccurrenceConstraintViolation');
    expect(validator.validateRequest('CostUpdated', { totalCost: 12.34, transactionId: 'tx' })).toBeNull();
    expect(
      validator.validateResponse('RequestStartTransaction', { status: 'Accepted', transactionId: 'tx' }),
    ).toBeNull();
    expect(validator.validateResponse('RequestStartTransaction', { status: 'OK' })?.code).toBe(
      'PropertyConstraintViolation',
    );
    expect(validator.validateResponse('Reset', { status: 'Scheduled' })).toBeNull();
  });

  it('answers a schema it does not have NotImplemented', () => {
    expect(validator.validateResponse('MakeCoffee', {})?.code).toBe('NotImplemented');
  });
});
