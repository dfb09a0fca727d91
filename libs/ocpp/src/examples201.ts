import type { Ocpp201InboundAction } from '@app/contracts';
import type { Ocpp201Requests, TransactionEventRequest } from './ocpp201-types.generated';

/** The station's transactionId the examples use (a UUID, as most 2.0.1 stations send). */
export const EXAMPLE_201_TRANSACTION_ID = '5f0c7a5e-3b0e-4d2a-9c1e-2f6d8a1b4c3d';

/**
 * One valid 2.0.1 request per station-initiated action we accept, as a real station would send
 * it. Used by tests, the simulator and the benchmark as a baseline to mutate. TransactionEvent is
 * the Started event of `exampleTransactionEvents201`.
 */
export function exampleRequests201(now = new Date()): { [A in Ocpp201InboundAction]: Ocpp201Requests[A] } {
  const ts = now.toISOString();
  return {
    Authorize: { idToken: { idToken: 'AABBCCDD', type: 'ISO14443' } },
    BootNotification: {
      reason: 'PowerUp',
      chargingStation: {
        vendorName: 'ChargeBill',
        model: 'Sim-22-201',
        serialNumber: 'SIM-0001',
        firmwareVersion: '2.0.1',
        modem: { iccid: '89310410106543789301', imsi: '310410123456789' },
      },
    },
    DataTransfer: { vendorId: 'com.example', messageId: 'hello', data: { x: 1 } },
    FirmwareStatusNotification: { status: 'Installed', requestId: 7 },
    Heartbeat: {},
    LogStatusNotification: { status: 'Uploaded', requestId: 8 },
    MeterValues: {
      evseId: 1,
      meterValue: [
        {
          timestamp: ts,
          sampledValue: [
            {
              value: 1234.5,
              measurand: 'Energy.Active.Import.Register',
              context: 'Sample.Periodic',
              unitOfMeasure: { unit: 'Wh' },
            },
            { value: 7.4, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W', multiplier: 3 } },
          ],
        },
      ],
    },
    NotifyEvent: {
      generatedAt: ts,
      seqNo: 0,
      eventData: [
        {
          eventId: 1,
          timestamp: ts,
          trigger: 'Delta',
          actualValue: 'Occupied',
          component: { name: 'Connector', evse: { id: 1, connectorId: 1 } },
          variable: { name: 'AvailabilityState' },
          eventNotificationType: 'HardWiredNotification',
        },
      ],
    },
    NotifyReport: {
      requestId: 3,
      generatedAt: ts,
      seqNo: 0,
      reportData: [
        {
          component: { name: 'SecurityCtrlr' },
          variable: { name: 'SecurityProfile' },
          variableAttribute: [{ type: 'Actual', value: '2', mutability: 'ReadOnly' }],
        },
      ],
    },
    SecurityEventNotification: { type: 'StartupOfTheDevice', timestamp: ts, techInfo: 'cold boot' },
    StatusNotification: { timestamp: ts, connectorStatus: 'Occupied', evseId: 1, connectorId: 1 },
    TransactionEvent: exampleTransactionEvents201(now).started,
  };
}

/**
 * A local transaction on EVSE 1 as three TransactionEvents (seqNo 0, 1, 2), energy in kWh with
 * decimals: Started with its Transaction.Begin register (1.2345 kWh), Updated with a periodic
 * reading and a signed meter value, Ended with Transaction.End (16.75 kWh) and stoppedReason Local.
 */
export function exampleTransactionEvents201(
  now = new Date(),
  transactionId = EXAMPLE_201_TRANSACTION_ID,
): { started: TransactionEventRequest; updated: TransactionEventRequest; ended: TransactionEventRequest } {
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
  const energy = (
    value: number,
    context: 'Transaction.Begin' | 'Sample.Periodic' | 'Transaction.End',
    minutes: number,
  ) => ({
    timestamp: at(minutes),
    sampledValue: [
      { value, context, measurand: 'Energy.Active.Import.Register' as const, unitOfMeasure: { unit: 'kWh' } },
    ],
  });
  return {
    started: {
      eventType: 'Started',
      timestamp: at(0),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId, chargingState: 'EVConnected' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'AABBCCDD', type: 'ISO14443' },
      meterValue: [energy(1.2345, 'Transaction.Begin', 0)],
    },
    updated: {
      eventType: 'Updated',
      timestamp: at(15),
      triggerReason: 'MeterValuePeriodic',
      seqNo: 1,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      meterValue: [
        {
          timestamp: at(15),
          sampledValue: [
            {
              value: 8.5,
              context: 'Sample.Periodic',
              measurand: 'Energy.Active.Import.Register',
              unitOfMeasure: { unit: 'kWh' },
              signedMeterValue: {
                signedMeterData: 'AP///////wEAAAABAAAAGgAAAGm2o0oAAAAAAAAA',
                signingMethod: 'ECDSA-secp256r1-SHA256',
                encodingMethod: 'OCMF',
                publicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE',
              },
            },
          ],
        },
      ],
    },
    ended: {
      eventType: 'Ended',
      timestamp: at(30),
      triggerReason: 'EVDeparted',
      seqNo: 2,
      transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: 'Local' },
      meterValue: [energy(16.75, 'Transaction.End', 30)],
    },
  };
}
