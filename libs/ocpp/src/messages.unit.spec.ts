import { readFileSync } from 'node:fs';
import { KNOWN_OCPP16_ACTIONS } from './actions';
import { formatTypes, GENERATED_TYPES_PATH } from './codegen/format';
import { renderOcpp16Types, schemaName } from './codegen/render-types';
import { OCPP16_ACTIONS, type Ocpp16Action, type Ocpp16Confirmations, type Ocpp16Requests } from './messages';
import { OCPP16_SCHEMAS } from './schemas';
import { Ocpp16Validator } from './validator';

/**
 * Two schema-valid payloads per schema: only the required fields, and every field. Typed as the
 * generated interfaces, so `tsc` fails if a type lacks a field, names it differently, has the wrong
 * type or enum, or requires an optional one; the validator below checks each against its schema.
 */
const SAMPLES: {
  [A in Ocpp16Action]: {
    req: [required: Ocpp16Requests[A], every: Ocpp16Requests[A]];
    conf: [required: Ocpp16Confirmations[A], every: Ocpp16Confirmations[A]];
  };
} = {
  Authorize: {
    req: [{ idTag: 'AABBCCDD' }, { idTag: 'AABBCCDD' }],
    conf: [
      { idTagInfo: { status: 'Accepted' } },
      {
        idTagInfo: {
          expiryDate: '2026-01-15T12:45:00.000Z',
          parentIdTag: 'AABBCCDD',
          status: 'ConcurrentTx',
        },
      },
    ],
  },
  BootNotification: {
    req: [
      { chargePointVendor: 'x', chargePointModel: 'x' },
      {
        chargePointVendor: 'x',
        chargePointModel: 'x',
        chargePointSerialNumber: 'x',
        chargeBoxSerialNumber: 'x',
        firmwareVersion: 'x',
        iccid: 'x',
        imsi: 'x',
        meterType: 'x',
        meterSerialNumber: 'x',
      },
    ],
    conf: [
      { status: 'Accepted', currentTime: '2026-01-15T12:45:00.000Z', interval: 1 },
      { status: 'Rejected', currentTime: '2026-01-15T12:45:00.000Z', interval: 1 },
    ],
  },
  CancelReservation: {
    req: [{ reservationId: 1 }, { reservationId: 1 }],
    conf: [{ status: 'Accepted' }, { status: 'Rejected' }],
  },
  CertificateSigned: {
    req: [{ certificateChain: 'x' }, { certificateChain: 'x' }],
    conf: [{ status: 'Accepted' }, { status: 'Rejected' }],
  },
  ChangeAvailability: {
    req: [
      { connectorId: 1, type: 'Inoperative' },
      { connectorId: 1, type: 'Operative' },
    ],
    conf: [{ status: 'Accepted' }, { status: 'Scheduled' }],
  },
  ChangeConfiguration: {
    req: [
      { key: 'x', value: 'x' },
      { key: 'x', value: 'x' },
    ],
    conf: [{ status: 'Accepted' }, { status: 'NotSupported' }],
  },
  ClearCache: {
    req: [{}, {}],
    conf: [{ status: 'Accepted' }, { status: 'Rejected' }],
  },
  ClearChargingProfile: {
    req: [{}, { id: 1, connectorId: 1, chargingProfilePurpose: 'TxProfile', stackLevel: 1 }],
    conf: [{ status: 'Accepted' }, { status: 'Unknown' }],
  },
  DataTransfer: {
    req: [{ vendorId: 'x' }, { vendorId: 'x', messageId: 'x', data: 'x' }],
    conf: [{ status: 'Accepted' }, { status: 'UnknownVendorId', data: 'x' }],
  },
  DeleteCertificate: {
    req: [
      {
        certificateHashData: {
          hashAlgorithm: 'SHA256',
          issuerNameHash: 'x',
          issuerKeyHash: 'x',
          serialNumber: 'x',
        },
      },
      {
        certificateHashData: {
          hashAlgorithm: 'SHA512',
          issuerNameHash: 'x',
          issuerKeyHash: 'x',
          serialNumber: 'x',
        },
      },
    ],
    conf: [{ status: 'Accepted' }, { status: 'NotFound' }],
  },
  DiagnosticsStatusNotification: {
    req: [{ status: 'Idle' }, { status: 'Uploading' }],
    conf: [{}, {}],
  },
  ExtendedTriggerMessage: {
    req: [
      { requestedMessage: 'BootNotification' },
      { requestedMessage: 'StatusNotification', connectorId: 1 },
    ],
    conf: [{ status: 'Accepted' }, { status: 'NotImplemented' }],
  },
  FirmwareStatusNotification: {
    req: [{ status: 'Downloaded' }, { status: 'Installed' }],
    conf: [{}, {}],
  },
  GetCompositeSchedule: {
    req: [
      { connectorId: 1, duration: 1 },
      { connectorId: 1, duration: 1, chargingRateUnit: 'W' },
    ],
    conf: [
      { status: 'Accepted' },
      {
        status: 'Rejected',
        connectorId: 1,
        scheduleStart: '2026-01-15T12:45:00.000Z',
        chargingSchedule: {
          duration: 1,
          startSchedule: '2026-01-15T12:45:00.000Z',
          chargingRateUnit: 'W',
          chargingSchedulePeriod: [{ startPeriod: 1, limit: 6.5, numberPhases: 1 }],
          minChargingRate: 6.5,
        },
      },
    ],
  },
  GetConfiguration: {
    req: [{}, { key: ['x'] }],
    conf: [{}, { configurationKey: [{ key: 'x', readonly: true, value: 'x' }], unknownKey: ['x'] }],
  },
  GetDiagnostics: {
    req: [
      { location: 'https://example.com/f.bin' },
      {
        location: 'https://example.com/f.bin',
        retries: 1,
        retryInterval: 1,
        startTime: '2026-01-15T12:45:00.000Z',
        stopTime: '2026-01-15T12:45:00.000Z',
      },
    ],
    conf: [{}, { fileName: 'x' }],
  },
  GetInstalledCertificateIds: {
    req: [
      { certificateType: 'CentralSystemRootCertificate' },
      { certificateType: 'ManufacturerRootCertificate' },
    ],
    conf: [
      { status: 'Accepted' },
      {
        certificateHashData: [
          { hashAlgorithm: 'SHA512', issuerNameHash: 'x', issuerKeyHash: 'x', serialNumber: 'x' },
        ],
        status: 'NotFound',
      },
    ],
  },
  GetLocalListVersion: {
    req: [{}, {}],
    conf: [{ listVersion: 1 }, { listVersion: 1 }],
  },
  GetLog: {
    req: [
      { logType: 'DiagnosticsLog', requestId: 1, log: { remoteLocation: 'x' } },
      {
        log: {
          remoteLocation: 'x',
          oldestTimestamp: '2026-01-15T12:45:00.000Z',
          latestTimestamp: '2026-01-15T12:45:00.000Z',
        },
        logType: 'SecurityLog',
        requestId: 1,
        retries: 1,
        retryInterval: 1,
      },
    ],
    conf: [{ status: 'Accepted' }, { status: 'AcceptedCanceled', filename: 'x' }],
  },
  Heartbeat: {
    req: [{}, {}],
    conf: [{ currentTime: '2026-01-15T12:45:00.000Z' }, { currentTime: '2026-01-15T12:45:00.000Z' }],
  },
  InstallCertificate: {
    req: [
      { certificateType: 'CentralSystemRootCertificate', certificate: 'x' },
      { certificateType: 'ManufacturerRootCertificate', certificate: 'x' },
    ],
    conf: [{ status: 'Accepted' }, { status: 'Rejected' }],
  },
  LogStatusNotification: {
    req: [{ status: 'BadMessage' }, { status: 'Uploading', requestId: 1 }],
    conf: [{}, {}],
  },
  MeterValues: {
    req: [
      {
        connectorId: 1,
        meterValue: [{ timestamp: '2026-01-15T12:45:00.000Z', sampledValue: [{ value: 'x' }] }],
      },
      {
        connectorId: 1,
        transactionId: 1,
        meterValue: [
          {
            timestamp: '2026-01-15T12:45:00.000Z',
            sampledValue: [
              {
                value: 'x',
                context: 'Other',
                format: 'SignedData',
                measurand: 'RPM',
                phase: 'L3-L1',
                location: 'Body',
                unit: 'Percent',
              },
            ],
          },
        ],
      },
    ],
    conf: [{}, {}],
  },
  RemoteStartTransaction: {
    req: [
      { idTag: 'AABBCCDD' },
      {
        connectorId: 1,
        idTag: 'AABBCCDD',
        chargingProfile: {
          chargingProfileId: 1,
          transactionId: 1,
          stackLevel: 1,
          chargingProfilePurpose: 'TxProfile',
          chargingProfileKind: 'Relative',
          recurrencyKind: 'Weekly',
          validFrom: '2026-01-15T12:45:00.000Z',
          validTo: '2026-01-15T12:45:00.000Z',
          chargingSchedule: {
            duration: 1,
            startSchedule: '2026-01-15T12:45:00.000Z',
            chargingRateUnit: 'W',
            chargingSchedulePeriod: [{ startPeriod: 1, limit: 6.5, numberPhases: 1 }],
            minChargingRate: 6.5,
          },
        },
      },
    ],
    conf: [{ status: 'Accepted' }, { status: 'Rejected' }],
  },
  RemoteStopTransaction: {
    req: [{ transactionId: 1 }, { transactionId: 1 }],
    conf: [{ status: 'Accepted' }, { status: 'Rejected' }],
  },
  ReserveNow: {
    req: [
      { connectorId: 1, expiryDate: '2026-01-15T12:45:00.000Z', idTag: 'AABBCCDD', reservationId: 1 },
      {
        connectorId: 1,
        expiryDate: '2026-01-15T12:45:00.000Z',
        idTag: 'AABBCCDD',
        parentIdTag: 'AABBCCDD',
        reservationId: 1,
      },
    ],
    conf: [{ status: 'Accepted' }, { status: 'Unavailable' }],
  },
  Reset: {
    req: [{ type: 'Hard' }, { type: 'Soft' }],
    conf: [{ status: 'Accepted' }, { status: 'Rejected' }],
  },
  SecurityEventNotification: {
    req: [
      { type: 'x', timestamp: '2026-01-15T12:45:00.000Z' },
      { type: 'x', timestamp: '2026-01-15T12:45:00.000Z', techInfo: 'x' },
    ],
    conf: [{}, {}],
  },
  SendLocalList: {
    req: [
      { listVersion: 1, updateType: 'Differential' },
      {
        listVersion: 1,
        localAuthorizationList: [
          {
            idTag: 'AABBCCDD',
            idTagInfo: {
              expiryDate: '2026-01-15T12:45:00.000Z',
              parentIdTag: 'AABBCCDD',
              status: 'ConcurrentTx',
            },
          },
        ],
        updateType: 'Full',
      },
    ],
    conf: [{ status: 'Accepted' }, { status: 'VersionMismatch' }],
  },
  SetChargingProfile: {
    req: [
      {
        connectorId: 1,
        csChargingProfiles: {
          chargingProfileId: 1,
          stackLevel: 1,
          chargingProfilePurpose: 'ChargePointMaxProfile',
          chargingProfileKind: 'Absolute',
          chargingSchedule: {
            chargingRateUnit: 'A',
            chargingSchedulePeriod: [{ startPeriod: 1, limit: 6.5 }],
          },
        },
      },
      {
        connectorId: 1,
        csChargingProfiles: {
          chargingProfileId: 1,
          transactionId: 1,
          stackLevel: 1,
          chargingProfilePurpose: 'TxProfile',
          chargingProfileKind: 'Relative',
          recurrencyKind: 'Weekly',
          validFrom: '2026-01-15T12:45:00.000Z',
          validTo: '2026-01-15T12:45:00.000Z',
          chargingSchedule: {
            duration: 1,
            startSchedule: '2026-01-15T12:45:00.000Z',
            chargingRateUnit: 'W',
            chargingSchedulePeriod: [{ startPeriod: 1, limit: 6.5, numberPhases: 1 }],
            minChargingRate: 6.5,
          },
        },
      },
    ],
    conf: [{ status: 'Accepted' }, { status: 'NotSupported' }],
  },
  SignCertificate: {
    req: [{ csr: 'x' }, { csr: 'x' }],
    conf: [{ status: 'Accepted' }, { status: 'Rejected' }],
  },
  SignedFirmwareStatusNotification: {
    req: [{ status: 'Downloaded' }, { status: 'SignatureVerified', requestId: 1 }],
    conf: [{}, {}],
  },
  SignedUpdateFirmware: {
    req: [
      {
        requestId: 1,
        firmware: {
          location: 'x',
          retrieveDateTime: '2026-01-15T12:45:00.000Z',
          signingCertificate: 'x',
          signature: 'x',
        },
      },
      {
        retries: 1,
        retryInterval: 1,
        requestId: 1,
        firmware: {
          location: 'x',
          retrieveDateTime: '2026-01-15T12:45:00.000Z',
          installDateTime: '2026-01-15T12:45:00.000Z',
          signingCertificate: 'x',
          signature: 'x',
        },
      },
    ],
    conf: [{ status: 'Accepted' }, { status: 'RevokedCertificate' }],
  },
  StartTransaction: {
    req: [
      { connectorId: 1, idTag: 'AABBCCDD', meterStart: 1, timestamp: '2026-01-15T12:45:00.000Z' },
      {
        connectorId: 1,
        idTag: 'AABBCCDD',
        meterStart: 1,
        reservationId: 1,
        timestamp: '2026-01-15T12:45:00.000Z',
      },
    ],
    conf: [
      { idTagInfo: { status: 'Accepted' }, transactionId: 1 },
      {
        idTagInfo: {
          expiryDate: '2026-01-15T12:45:00.000Z',
          parentIdTag: 'AABBCCDD',
          status: 'ConcurrentTx',
        },
        transactionId: 1,
      },
    ],
  },
  StatusNotification: {
    req: [
      { connectorId: 1, errorCode: 'ConnectorLockFailure', status: 'Available' },
      {
        connectorId: 1,
        errorCode: 'WeakSignal',
        info: 'x',
        status: 'Faulted',
        timestamp: '2026-01-15T12:45:00.000Z',
        vendorId: 'x',
        vendorErrorCode: 'x',
      },
    ],
    conf: [{}, {}],
  },
  StopTransaction: {
    req: [
      { transactionId: 1, timestamp: '2026-01-15T12:45:00.000Z', meterStop: 1 },
      {
        idTag: 'AABBCCDD',
        meterStop: 1,
        timestamp: '2026-01-15T12:45:00.000Z',
        transactionId: 1,
        reason: 'DeAuthorized',
        transactionData: [
          {
            timestamp: '2026-01-15T12:45:00.000Z',
            sampledValue: [
              {
                value: 'x',
                context: 'Other',
                format: 'SignedData',
                measurand: 'RPM',
                phase: 'L3-L1',
                location: 'Body',
                unit: 'Percent',
              },
            ],
          },
        ],
      },
    ],
    conf: [
      {},
      {
        idTagInfo: {
          expiryDate: '2026-01-15T12:45:00.000Z',
          parentIdTag: 'AABBCCDD',
          status: 'ConcurrentTx',
        },
      },
    ],
  },
  TriggerMessage: {
    req: [
      { requestedMessage: 'BootNotification' },
      { requestedMessage: 'StatusNotification', connectorId: 1 },
    ],
    conf: [{ status: 'Accepted' }, { status: 'NotImplemented' }],
  },
  UnlockConnector: {
    req: [{ connectorId: 1 }, { connectorId: 1 }],
    conf: [{ status: 'Unlocked' }, { status: 'NotSupported' }],
  },
  UpdateFirmware: {
    req: [
      { location: 'https://example.com/f.bin', retrieveDate: '2026-01-15T12:45:00.000Z' },
      {
        location: 'https://example.com/f.bin',
        retries: 1,
        retrieveDate: '2026-01-15T12:45:00.000Z',
        retryInterval: 1,
      },
    ],
    conf: [{}, {}],
  },
};

describe('the generated OCPP 1.6 types', () => {
  it('are what the generator makes of the schemas today (regenerate: see render-types.ts)', () => {
    const committed = readFileSync(GENERATED_TYPES_PATH, 'utf8');
    expect(committed).toBe(formatTypes(renderOcpp16Types(OCPP16_SCHEMAS)));
  });

  it('cover exactly the actions that have schemas, each with its .req and .conf', () => {
    const fromSchemas = new Set(OCPP16_SCHEMAS.map((s) => schemaName(s.$id).action));
    expect([...OCPP16_ACTIONS].sort()).toEqual([...fromSchemas].sort());
    expect(Object.keys(SAMPLES).sort()).toEqual([...fromSchemas].sort());
    expect(OCPP16_SCHEMAS).toHaveLength(2 * fromSchemas.size);
    expect([...KNOWN_OCPP16_ACTIONS].sort()).toEqual([...fromSchemas].sort());
  });

  const validator = new Ocpp16Validator();
  it.each(OCPP16_ACTIONS.map((a) => [a]))('%s: the typed samples are schema-valid', (action) => {
    for (const sample of SAMPLES[action].req) expect(validator.validateRequest(action, sample)).toBeNull();
    for (const sample of SAMPLES[action].conf) expect(validator.validateResponse(action, sample)).toBeNull();
  });

  it('type what the schema requires as required (compile-time)', () => {
    // @ts-expect-error idTag is required in Authorize.req
    const noIdTag: Ocpp16Requests['Authorize'] = {};
    const badStatus: Ocpp16Requests['StatusNotification'] = {
      connectorId: 1,
      errorCode: 'NoError',
      // @ts-expect-error status is an enum in StatusNotification.req
      status: 'Plugged',
    };
    const stringTx: Ocpp16Confirmations['StartTransaction'] = {
      // @ts-expect-error transactionId is an integer, not a string
      transactionId: '1',
      idTagInfo: { status: 'Accepted' },
    };
    expect(validator.validateRequest('Authorize', noIdTag)?.code).toBe('OccurenceConstraintViolation');
    expect(validator.validateRequest('StatusNotification', badStatus)?.code).toBe(
      'PropertyConstraintViolation',
    );
    expect(validator.validateResponse('StartTransaction', stringTx)?.code).toBe('TypeConstraintViolation');
  });
});
