import {
  OCPP_INBOUND_ACTIONS,
  OCPP_OUTBOUND_ACTIONS,
  type OcppInboundAction,
  type OcppOutboundAction,
} from '@app/contracts';

/** Charger → Central System actions we accept (Core profile plus the status notifications). */
export const SUPPORTED_INBOUND_ACTIONS: readonly OcppInboundAction[] = OCPP_INBOUND_ACTIONS;
/** Central System → charger actions the gateway sends on behalf of `ocpp.v16.commands`. */
export const SUPPORTED_OUTBOUND_ACTIONS: readonly OcppOutboundAction[] = OCPP_OUTBOUND_ACTIONS;

/**
 * Every action name OCPP 1.6 (with the Security whitepaper extension) defines. A CALL naming one of
 * these that we do not accept from a charger (e.g. RemoteStartTransaction sent by the charger, or
 * SecurityEventNotification) is answered NotSupported; any other name is NotImplemented.
 */
export const KNOWN_OCPP16_ACTIONS: ReadonlySet<string> = new Set([
  'Authorize',
  'BootNotification',
  'CancelReservation',
  'CertificateSigned',
  'ChangeAvailability',
  'ChangeConfiguration',
  'ClearCache',
  'ClearChargingProfile',
  'DataTransfer',
  'DeleteCertificate',
  'DiagnosticsStatusNotification',
  'ExtendedTriggerMessage',
  'FirmwareStatusNotification',
  'GetCompositeSchedule',
  'GetConfiguration',
  'GetDiagnostics',
  'GetInstalledCertificateIds',
  'GetLocalListVersion',
  'GetLog',
  'Heartbeat',
  'InstallCertificate',
  'LogStatusNotification',
  'MeterValues',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'Reset',
  'SecurityEventNotification',
  'SendLocalList',
  'SetChargingProfile',
  'SignCertificate',
  'SignedFirmwareStatusNotification',
  'SignedUpdateFirmware',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
]);

export function isSupportedInboundAction(action: string): action is OcppInboundAction {
  return (SUPPORTED_INBOUND_ACTIONS as readonly string[]).includes(action);
}

export function isSupportedOutboundAction(action: string): action is OcppOutboundAction {
  return (SUPPORTED_OUTBOUND_ACTIONS as readonly string[]).includes(action);
}
