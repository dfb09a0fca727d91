import type { OcppInboundAction } from '@app/contracts';
import type { Ocpp16Requests } from './ocpp16-types.generated';

/**
 * One valid request per charger-initiated action, as a real charger would send it. Used by tests,
 * the simulator and the benchmark as a baseline to mutate.
 */
export function exampleRequests(now = new Date()): { [A in OcppInboundAction]: Ocpp16Requests[A] } {
  const ts = now.toISOString();
  return {
    Authorize: { idTag: 'AABBCCDD' },
    BootNotification: {
      chargePointVendor: 'ChargeBill',
      chargePointModel: 'Sim-22',
      firmwareVersion: '1.0.0',
    },
    DataTransfer: { vendorId: 'com.example', messageId: 'hello', data: '{"x":1}' },
    DiagnosticsStatusNotification: { status: 'Uploaded' },
    FirmwareStatusNotification: { status: 'Installed' },
    Heartbeat: {},
    MeterValues: {
      connectorId: 1,
      transactionId: 42,
      meterValue: [
        {
          timestamp: ts,
          sampledValue: [
            {
              value: '1234',
              measurand: 'Energy.Active.Import.Register',
              unit: 'Wh',
              context: 'Sample.Periodic',
            },
            { value: '7400', measurand: 'Power.Active.Import', unit: 'W' },
          ],
        },
      ],
    },
    StartTransaction: { connectorId: 1, idTag: 'AABBCCDD', meterStart: 1000, timestamp: ts },
    StatusNotification: { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: ts },
    StopTransaction: {
      transactionId: 42,
      meterStop: 16750,
      timestamp: ts,
      reason: 'Local',
      idTag: 'AABBCCDD',
    },
  };
}
