// Generated from the official OCPP 1.6 JSON schemas (ocpp-rpc/lib/schemas/ocpp1_6.json) by
// libs/ocpp/src/codegen/render-types.ts. Do not edit: run
// `node scripts/run-ts.mjs libs/ocpp/src/codegen/generate-types.ts`.

/** urn:Authorize.req */
export type AuthorizeRequest = {
  /** at most 20 characters */
  idTag: string;
};

/** urn:Authorize.conf */
export type AuthorizeConfirmation = {
  idTagInfo: {
    /** date-time (ISO 8601) */
    expiryDate?: string;
    /** at most 20 characters */
    parentIdTag?: string;
    status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';
  };
};

/** urn:BootNotification.req */
export type BootNotificationRequest = {
  /** at most 20 characters */
  chargePointVendor: string;
  /** at most 20 characters */
  chargePointModel: string;
  /** at most 25 characters */
  chargePointSerialNumber?: string;
  /** at most 25 characters */
  chargeBoxSerialNumber?: string;
  /** at most 50 characters */
  firmwareVersion?: string;
  /** at most 20 characters */
  iccid?: string;
  /** at most 20 characters */
  imsi?: string;
  /** at most 25 characters */
  meterType?: string;
  /** at most 25 characters */
  meterSerialNumber?: string;
};

/** urn:BootNotification.conf */
export type BootNotificationConfirmation = {
  status: 'Accepted' | 'Pending' | 'Rejected';
  /** date-time (ISO 8601) */
  currentTime: string;
  /** integer */
  interval: number;
};

/** urn:CancelReservation.req */
export type CancelReservationRequest = {
  /** integer */
  reservationId: number;
};

/** urn:CancelReservation.conf */
export type CancelReservationConfirmation = {
  status: 'Accepted' | 'Rejected';
};

/** urn:CertificateSigned.req */
export type CertificateSignedRequest = {
  /** at most 10000 characters */
  certificateChain: string;
};

/** urn:CertificateSigned.conf */
export type CertificateSignedConfirmation = {
  status: 'Accepted' | 'Rejected';
};

/** urn:ChangeAvailability.req */
export type ChangeAvailabilityRequest = {
  /** integer */
  connectorId: number;
  type: 'Inoperative' | 'Operative';
};

/** urn:ChangeAvailability.conf */
export type ChangeAvailabilityConfirmation = {
  status: 'Accepted' | 'Rejected' | 'Scheduled';
};

/** urn:ChangeConfiguration.req */
export type ChangeConfigurationRequest = {
  /** at most 50 characters */
  key: string;
  /** at most 500 characters */
  value: string;
};

/** urn:ChangeConfiguration.conf */
export type ChangeConfigurationConfirmation = {
  status: 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';
};

/** urn:ClearCache.req */
export type ClearCacheRequest = Record<string, never>;

/** urn:ClearCache.conf */
export type ClearCacheConfirmation = {
  status: 'Accepted' | 'Rejected';
};

/** urn:ClearChargingProfile.req */
export type ClearChargingProfileRequest = {
  /** integer */
  id?: number;
  /** integer */
  connectorId?: number;
  chargingProfilePurpose?: 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
  /** integer */
  stackLevel?: number;
};

/** urn:ClearChargingProfile.conf */
export type ClearChargingProfileConfirmation = {
  status: 'Accepted' | 'Unknown';
};

/** urn:DataTransfer.req */
export type DataTransferRequest = {
  /** at most 255 characters */
  vendorId: string;
  /** at most 50 characters */
  messageId?: string;
  data?: string;
};

/** urn:DataTransfer.conf */
export type DataTransferConfirmation = {
  status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';
  data?: string;
};

/** urn:DeleteCertificate.req */
export type DeleteCertificateRequest = {
  certificateHashData: {
    hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
    /** at most 128 characters */
    issuerNameHash: string;
    /** at most 128 characters */
    issuerKeyHash: string;
    /** at most 40 characters */
    serialNumber: string;
  };
};

/** urn:DeleteCertificate.conf */
export type DeleteCertificateConfirmation = {
  status: 'Accepted' | 'Failed' | 'NotFound';
};

/** urn:DiagnosticsStatusNotification.req */
export type DiagnosticsStatusNotificationRequest = {
  status: 'Idle' | 'Uploaded' | 'UploadFailed' | 'Uploading';
};

/** urn:DiagnosticsStatusNotification.conf */
export type DiagnosticsStatusNotificationConfirmation = Record<string, never>;

/** urn:ExtendedTriggerMessage.req */
export type ExtendedTriggerMessageRequest = {
  requestedMessage:
    | 'BootNotification'
    | 'LogStatusNotification'
    | 'FirmwareStatusNotification'
    | 'Heartbeat'
    | 'MeterValues'
    | 'SignChargePointCertificate'
    | 'StatusNotification';
  /** integer */
  connectorId?: number;
};

/** urn:ExtendedTriggerMessage.conf */
export type ExtendedTriggerMessageConfirmation = {
  status: 'Accepted' | 'Rejected' | 'NotImplemented';
};

/** urn:FirmwareStatusNotification.req */
export type FirmwareStatusNotificationRequest = {
  status:
    | 'Downloaded'
    | 'DownloadFailed'
    | 'Downloading'
    | 'Idle'
    | 'InstallationFailed'
    | 'Installing'
    | 'Installed';
};

/** urn:FirmwareStatusNotification.conf */
export type FirmwareStatusNotificationConfirmation = Record<string, never>;

/** urn:GetCompositeSchedule.req */
export type GetCompositeScheduleRequest = {
  /** integer */
  connectorId: number;
  /** integer */
  duration: number;
  chargingRateUnit?: 'A' | 'W';
};

/** urn:GetCompositeSchedule.conf */
export type GetCompositeScheduleConfirmation = {
  status: 'Accepted' | 'Rejected';
  /** integer */
  connectorId?: number;
  /** date-time (ISO 8601) */
  scheduleStart?: string;
  chargingSchedule?: {
    /** integer */
    duration?: number;
    /** date-time (ISO 8601) */
    startSchedule?: string;
    chargingRateUnit: 'A' | 'W';
    chargingSchedulePeriod: Array<{
      /** integer */
      startPeriod: number;
      /** a multiple of 0.1 */
      limit: number;
      /** integer */
      numberPhases?: number;
    }>;
    /** a multiple of 0.1 */
    minChargingRate?: number;
  };
};

/** urn:GetConfiguration.req */
export type GetConfigurationRequest = {
  key?: string[];
};

/** urn:GetConfiguration.conf */
export type GetConfigurationConfirmation = {
  configurationKey?: Array<{
    /** at most 50 characters */
    key: string;
    readonly: boolean;
    /** at most 500 characters */
    value?: string;
  }>;
  unknownKey?: string[];
};

/** urn:GetDiagnostics.req */
export type GetDiagnosticsRequest = {
  /** uri */
  location: string;
  /** integer */
  retries?: number;
  /** integer */
  retryInterval?: number;
  /** date-time (ISO 8601) */
  startTime?: string;
  /** date-time (ISO 8601) */
  stopTime?: string;
};

/** urn:GetDiagnostics.conf */
export type GetDiagnosticsConfirmation = {
  /** at most 255 characters */
  fileName?: string;
};

/** urn:GetInstalledCertificateIds.req */
export type GetInstalledCertificateIdsRequest = {
  certificateType: 'CentralSystemRootCertificate' | 'ManufacturerRootCertificate';
};

/** urn:GetInstalledCertificateIds.conf */
export type GetInstalledCertificateIdsConfirmation = {
  /** at least 1 item */
  certificateHashData?: Array<{
    hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
    /** at most 128 characters */
    issuerNameHash: string;
    /** at most 128 characters */
    issuerKeyHash: string;
    /** at most 40 characters */
    serialNumber: string;
  }>;
  status: 'Accepted' | 'NotFound';
};

/** urn:GetLocalListVersion.req */
export type GetLocalListVersionRequest = Record<string, never>;

/** urn:GetLocalListVersion.conf */
export type GetLocalListVersionConfirmation = {
  /** integer */
  listVersion: number;
};

/** urn:GetLog.req */
export type GetLogRequest = {
  log: {
    /** at most 512 characters */
    remoteLocation: string;
    /** date-time (ISO 8601) */
    oldestTimestamp?: string;
    /** date-time (ISO 8601) */
    latestTimestamp?: string;
  };
  logType: 'DiagnosticsLog' | 'SecurityLog';
  /** integer */
  requestId: number;
  /** integer */
  retries?: number;
  /** integer */
  retryInterval?: number;
};

/** urn:GetLog.conf */
export type GetLogConfirmation = {
  status: 'Accepted' | 'Rejected' | 'AcceptedCanceled';
  /** at most 255 characters */
  filename?: string;
};

/** urn:Heartbeat.req */
export type HeartbeatRequest = Record<string, never>;

/** urn:Heartbeat.conf */
export type HeartbeatConfirmation = {
  /** date-time (ISO 8601) */
  currentTime: string;
};

/** urn:InstallCertificate.req */
export type InstallCertificateRequest = {
  certificateType: 'CentralSystemRootCertificate' | 'ManufacturerRootCertificate';
  /** at most 5500 characters */
  certificate: string;
};

/** urn:InstallCertificate.conf */
export type InstallCertificateConfirmation = {
  status: 'Accepted' | 'Failed' | 'Rejected';
};

/** urn:LogStatusNotification.req */
export type LogStatusNotificationRequest = {
  status:
    | 'BadMessage'
    | 'Idle'
    | 'NotSupportedOperation'
    | 'PermissionDenied'
    | 'Uploaded'
    | 'UploadFailure'
    | 'Uploading';
  /** integer */
  requestId?: number;
};

/** urn:LogStatusNotification.conf */
export type LogStatusNotificationConfirmation = Record<string, never>;

/** urn:MeterValues.req */
export type MeterValuesRequest = {
  /** integer */
  connectorId: number;
  /** integer */
  transactionId?: number;
  meterValue: Array<{
    /** date-time (ISO 8601) */
    timestamp: string;
    sampledValue: Array<{
      value: string;
      context?:
        | 'Interruption.Begin'
        | 'Interruption.End'
        | 'Sample.Clock'
        | 'Sample.Periodic'
        | 'Transaction.Begin'
        | 'Transaction.End'
        | 'Trigger'
        | 'Other';
      format?: 'Raw' | 'SignedData';
      measurand?:
        | 'Energy.Active.Export.Register'
        | 'Energy.Active.Import.Register'
        | 'Energy.Reactive.Export.Register'
        | 'Energy.Reactive.Import.Register'
        | 'Energy.Active.Export.Interval'
        | 'Energy.Active.Import.Interval'
        | 'Energy.Reactive.Export.Interval'
        | 'Energy.Reactive.Import.Interval'
        | 'Power.Active.Export'
        | 'Power.Active.Import'
        | 'Power.Offered'
        | 'Power.Reactive.Export'
        | 'Power.Reactive.Import'
        | 'Power.Factor'
        | 'Current.Import'
        | 'Current.Export'
        | 'Current.Offered'
        | 'Voltage'
        | 'Frequency'
        | 'Temperature'
        | 'SoC'
        | 'RPM';
      phase?: 'L1' | 'L2' | 'L3' | 'N' | 'L1-N' | 'L2-N' | 'L3-N' | 'L1-L2' | 'L2-L3' | 'L3-L1';
      location?: 'Cable' | 'EV' | 'Inlet' | 'Outlet' | 'Body';
      unit?:
        | 'Wh'
        | 'kWh'
        | 'varh'
        | 'kvarh'
        | 'W'
        | 'kW'
        | 'VA'
        | 'kVA'
        | 'var'
        | 'kvar'
        | 'A'
        | 'V'
        | 'K'
        | 'Celcius'
        | 'Celsius'
        | 'Fahrenheit'
        | 'Percent';
    }>;
  }>;
};

/** urn:MeterValues.conf */
export type MeterValuesConfirmation = Record<string, never>;

/** urn:RemoteStartTransaction.req */
export type RemoteStartTransactionRequest = {
  /** integer */
  connectorId?: number;
  /** at most 20 characters */
  idTag: string;
  chargingProfile?: {
    /** integer */
    chargingProfileId: number;
    /** integer */
    transactionId?: number;
    /** integer */
    stackLevel: number;
    chargingProfilePurpose: 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
    chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
    recurrencyKind?: 'Daily' | 'Weekly';
    /** date-time (ISO 8601) */
    validFrom?: string;
    /** date-time (ISO 8601) */
    validTo?: string;
    chargingSchedule: {
      /** integer */
      duration?: number;
      /** date-time (ISO 8601) */
      startSchedule?: string;
      chargingRateUnit: 'A' | 'W';
      chargingSchedulePeriod: Array<{
        /** integer */
        startPeriod: number;
        /** a multiple of 0.1 */
        limit: number;
        /** integer */
        numberPhases?: number;
      }>;
      /** a multiple of 0.1 */
      minChargingRate?: number;
    };
  };
};

/** urn:RemoteStartTransaction.conf */
export type RemoteStartTransactionConfirmation = {
  status: 'Accepted' | 'Rejected';
};

/** urn:RemoteStopTransaction.req */
export type RemoteStopTransactionRequest = {
  /** integer */
  transactionId: number;
};

/** urn:RemoteStopTransaction.conf */
export type RemoteStopTransactionConfirmation = {
  status: 'Accepted' | 'Rejected';
};

/** urn:ReserveNow.req */
export type ReserveNowRequest = {
  /** integer */
  connectorId: number;
  /** date-time (ISO 8601) */
  expiryDate: string;
  /** at most 20 characters */
  idTag: string;
  /** at most 20 characters */
  parentIdTag?: string;
  /** integer */
  reservationId: number;
};

/** urn:ReserveNow.conf */
export type ReserveNowConfirmation = {
  status: 'Accepted' | 'Faulted' | 'Occupied' | 'Rejected' | 'Unavailable';
};

/** urn:Reset.req */
export type ResetRequest = {
  type: 'Hard' | 'Soft';
};

/** urn:Reset.conf */
export type ResetConfirmation = {
  status: 'Accepted' | 'Rejected';
};

/** urn:SecurityEventNotification.req */
export type SecurityEventNotificationRequest = {
  /** at most 50 characters */
  type: string;
  /** date-time (ISO 8601) */
  timestamp: string;
  /** at most 255 characters */
  techInfo?: string;
};

/** urn:SecurityEventNotification.conf */
export type SecurityEventNotificationConfirmation = Record<string, never>;

/** urn:SendLocalList.req */
export type SendLocalListRequest = {
  /** integer */
  listVersion: number;
  localAuthorizationList?: Array<{
    /** at most 20 characters */
    idTag: string;
    idTagInfo?: {
      /** date-time (ISO 8601) */
      expiryDate?: string;
      /** at most 20 characters */
      parentIdTag?: string;
      status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';
    };
  }>;
  updateType: 'Differential' | 'Full';
};

/** urn:SendLocalList.conf */
export type SendLocalListConfirmation = {
  status: 'Accepted' | 'Failed' | 'NotSupported' | 'VersionMismatch';
};

/** urn:SetChargingProfile.req */
export type SetChargingProfileRequest = {
  /** integer */
  connectorId: number;
  csChargingProfiles: {
    /** integer */
    chargingProfileId: number;
    /** integer */
    transactionId?: number;
    /** integer */
    stackLevel: number;
    chargingProfilePurpose: 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
    chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
    recurrencyKind?: 'Daily' | 'Weekly';
    /** date-time (ISO 8601) */
    validFrom?: string;
    /** date-time (ISO 8601) */
    validTo?: string;
    chargingSchedule: {
      /** integer */
      duration?: number;
      /** date-time (ISO 8601) */
      startSchedule?: string;
      chargingRateUnit: 'A' | 'W';
      chargingSchedulePeriod: Array<{
        /** integer */
        startPeriod: number;
        /** a multiple of 0.1 */
        limit: number;
        /** integer */
        numberPhases?: number;
      }>;
      /** a multiple of 0.1 */
      minChargingRate?: number;
    };
  };
};

/** urn:SetChargingProfile.conf */
export type SetChargingProfileConfirmation = {
  status: 'Accepted' | 'Rejected' | 'NotSupported';
};

/** urn:SignCertificate.req */
export type SignCertificateRequest = {
  /** at most 5500 characters */
  csr: string;
};

/** urn:SignCertificate.conf */
export type SignCertificateConfirmation = {
  status: 'Accepted' | 'Rejected';
};

/** urn:SignedFirmwareStatusNotification.req */
export type SignedFirmwareStatusNotificationRequest = {
  status:
    | 'Downloaded'
    | 'DownloadFailed'
    | 'Downloading'
    | 'DownloadScheduled'
    | 'DownloadPaused'
    | 'Idle'
    | 'InstallationFailed'
    | 'Installing'
    | 'Installed'
    | 'InstallRebooting'
    | 'InstallScheduled'
    | 'InstallVerificationFailed'
    | 'InvalidSignature'
    | 'SignatureVerified';
  /** integer */
  requestId?: number;
};

/** urn:SignedFirmwareStatusNotification.conf */
export type SignedFirmwareStatusNotificationConfirmation = Record<string, never>;

/** urn:SignedUpdateFirmware.req */
export type SignedUpdateFirmwareRequest = {
  /** integer */
  retries?: number;
  /** integer */
  retryInterval?: number;
  /** integer */
  requestId: number;
  firmware: {
    /** at most 512 characters */
    location: string;
    /** date-time (ISO 8601) */
    retrieveDateTime: string;
    /** date-time (ISO 8601) */
    installDateTime?: string;
    /** at most 5500 characters */
    signingCertificate: string;
    /** at most 800 characters */
    signature: string;
  };
};

/** urn:SignedUpdateFirmware.conf */
export type SignedUpdateFirmwareConfirmation = {
  status: 'Accepted' | 'Rejected' | 'AcceptedCanceled' | 'InvalidCertificate' | 'RevokedCertificate';
};

/** urn:StartTransaction.req */
export type StartTransactionRequest = {
  /** integer */
  connectorId: number;
  /** at most 20 characters */
  idTag: string;
  /** integer */
  meterStart: number;
  /** integer */
  reservationId?: number;
  /** date-time (ISO 8601) */
  timestamp: string;
};

/** urn:StartTransaction.conf */
export type StartTransactionConfirmation = {
  idTagInfo: {
    /** date-time (ISO 8601) */
    expiryDate?: string;
    /** at most 20 characters */
    parentIdTag?: string;
    status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';
  };
  /** integer */
  transactionId: number;
};

/** urn:StatusNotification.req */
export type StatusNotificationRequest = {
  /** integer */
  connectorId: number;
  errorCode:
    | 'ConnectorLockFailure'
    | 'EVCommunicationError'
    | 'GroundFailure'
    | 'HighTemperature'
    | 'InternalError'
    | 'LocalListConflict'
    | 'NoError'
    | 'OtherError'
    | 'OverCurrentFailure'
    | 'PowerMeterFailure'
    | 'PowerSwitchFailure'
    | 'ReaderFailure'
    | 'ResetFailure'
    | 'UnderVoltage'
    | 'OverVoltage'
    | 'WeakSignal';
  /** at most 50 characters */
  info?: string;
  status:
    | 'Available'
    | 'Preparing'
    | 'Charging'
    | 'SuspendedEVSE'
    | 'SuspendedEV'
    | 'Finishing'
    | 'Reserved'
    | 'Unavailable'
    | 'Faulted';
  /** date-time (ISO 8601) */
  timestamp?: string;
  /** at most 255 characters */
  vendorId?: string;
  /** at most 50 characters */
  vendorErrorCode?: string;
};

/** urn:StatusNotification.conf */
export type StatusNotificationConfirmation = Record<string, never>;

/** urn:StopTransaction.req */
export type StopTransactionRequest = {
  /** at most 20 characters */
  idTag?: string;
  /** integer */
  meterStop: number;
  /** date-time (ISO 8601) */
  timestamp: string;
  /** integer */
  transactionId: number;
  reason?:
    | 'EmergencyStop'
    | 'EVDisconnected'
    | 'HardReset'
    | 'Local'
    | 'Other'
    | 'PowerLoss'
    | 'Reboot'
    | 'Remote'
    | 'SoftReset'
    | 'UnlockCommand'
    | 'DeAuthorized';
  transactionData?: Array<{
    /** date-time (ISO 8601) */
    timestamp: string;
    sampledValue: Array<{
      value: string;
      context?:
        | 'Interruption.Begin'
        | 'Interruption.End'
        | 'Sample.Clock'
        | 'Sample.Periodic'
        | 'Transaction.Begin'
        | 'Transaction.End'
        | 'Trigger'
        | 'Other';
      format?: 'Raw' | 'SignedData';
      measurand?:
        | 'Energy.Active.Export.Register'
        | 'Energy.Active.Import.Register'
        | 'Energy.Reactive.Export.Register'
        | 'Energy.Reactive.Import.Register'
        | 'Energy.Active.Export.Interval'
        | 'Energy.Active.Import.Interval'
        | 'Energy.Reactive.Export.Interval'
        | 'Energy.Reactive.Import.Interval'
        | 'Power.Active.Export'
        | 'Power.Active.Import'
        | 'Power.Offered'
        | 'Power.Reactive.Export'
        | 'Power.Reactive.Import'
        | 'Power.Factor'
        | 'Current.Import'
        | 'Current.Export'
        | 'Current.Offered'
        | 'Voltage'
        | 'Frequency'
        | 'Temperature'
        | 'SoC'
        | 'RPM';
      phase?: 'L1' | 'L2' | 'L3' | 'N' | 'L1-N' | 'L2-N' | 'L3-N' | 'L1-L2' | 'L2-L3' | 'L3-L1';
      location?: 'Cable' | 'EV' | 'Inlet' | 'Outlet' | 'Body';
      unit?:
        | 'Wh'
        | 'kWh'
        | 'varh'
        | 'kvarh'
        | 'W'
        | 'kW'
        | 'VA'
        | 'kVA'
        | 'var'
        | 'kvar'
        | 'A'
        | 'V'
        | 'K'
        | 'Celcius'
        | 'Celsius'
        | 'Fahrenheit'
        | 'Percent';
    }>;
  }>;
};

/** urn:StopTransaction.conf */
export type StopTransactionConfirmation = {
  idTagInfo?: {
    /** date-time (ISO 8601) */
    expiryDate?: string;
    /** at most 20 characters */
    parentIdTag?: string;
    status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';
  };
};

/** urn:TriggerMessage.req */
export type TriggerMessageRequest = {
  requestedMessage:
    | 'BootNotification'
    | 'DiagnosticsStatusNotification'
    | 'FirmwareStatusNotification'
    | 'Heartbeat'
    | 'MeterValues'
    | 'StatusNotification';
  /** integer */
  connectorId?: number;
};

/** urn:TriggerMessage.conf */
export type TriggerMessageConfirmation = {
  status: 'Accepted' | 'Rejected' | 'NotImplemented';
};

/** urn:UnlockConnector.req */
export type UnlockConnectorRequest = {
  /** integer */
  connectorId: number;
};

/** urn:UnlockConnector.conf */
export type UnlockConnectorConfirmation = {
  status: 'Unlocked' | 'UnlockFailed' | 'NotSupported';
};

/** urn:UpdateFirmware.req */
export type UpdateFirmwareRequest = {
  /** uri */
  location: string;
  /** integer */
  retries?: number;
  /** date-time (ISO 8601) */
  retrieveDate: string;
  /** integer */
  retryInterval?: number;
};

/** urn:UpdateFirmware.conf */
export type UpdateFirmwareConfirmation = Record<string, never>;

/** Every `<Action>.req` by action. */
export interface Ocpp16Requests {
  Authorize: AuthorizeRequest;
  BootNotification: BootNotificationRequest;
  CancelReservation: CancelReservationRequest;
  CertificateSigned: CertificateSignedRequest;
  ChangeAvailability: ChangeAvailabilityRequest;
  ChangeConfiguration: ChangeConfigurationRequest;
  ClearCache: ClearCacheRequest;
  ClearChargingProfile: ClearChargingProfileRequest;
  DataTransfer: DataTransferRequest;
  DeleteCertificate: DeleteCertificateRequest;
  DiagnosticsStatusNotification: DiagnosticsStatusNotificationRequest;
  ExtendedTriggerMessage: ExtendedTriggerMessageRequest;
  FirmwareStatusNotification: FirmwareStatusNotificationRequest;
  GetCompositeSchedule: GetCompositeScheduleRequest;
  GetConfiguration: GetConfigurationRequest;
  GetDiagnostics: GetDiagnosticsRequest;
  GetInstalledCertificateIds: GetInstalledCertificateIdsRequest;
  GetLocalListVersion: GetLocalListVersionRequest;
  GetLog: GetLogRequest;
  Heartbeat: HeartbeatRequest;
  InstallCertificate: InstallCertificateRequest;
  LogStatusNotification: LogStatusNotificationRequest;
  MeterValues: MeterValuesRequest;
  RemoteStartTransaction: RemoteStartTransactionRequest;
  RemoteStopTransaction: RemoteStopTransactionRequest;
  ReserveNow: ReserveNowRequest;
  Reset: ResetRequest;
  SecurityEventNotification: SecurityEventNotificationRequest;
  SendLocalList: SendLocalListRequest;
  SetChargingProfile: SetChargingProfileRequest;
  SignCertificate: SignCertificateRequest;
  SignedFirmwareStatusNotification: SignedFirmwareStatusNotificationRequest;
  SignedUpdateFirmware: SignedUpdateFirmwareRequest;
  StartTransaction: StartTransactionRequest;
  StatusNotification: StatusNotificationRequest;
  StopTransaction: StopTransactionRequest;
  TriggerMessage: TriggerMessageRequest;
  UnlockConnector: UnlockConnectorRequest;
  UpdateFirmware: UpdateFirmwareRequest;
}

/** Every `<Action>.conf` by action. */
export interface Ocpp16Confirmations {
  Authorize: AuthorizeConfirmation;
  BootNotification: BootNotificationConfirmation;
  CancelReservation: CancelReservationConfirmation;
  CertificateSigned: CertificateSignedConfirmation;
  ChangeAvailability: ChangeAvailabilityConfirmation;
  ChangeConfiguration: ChangeConfigurationConfirmation;
  ClearCache: ClearCacheConfirmation;
  ClearChargingProfile: ClearChargingProfileConfirmation;
  DataTransfer: DataTransferConfirmation;
  DeleteCertificate: DeleteCertificateConfirmation;
  DiagnosticsStatusNotification: DiagnosticsStatusNotificationConfirmation;
  ExtendedTriggerMessage: ExtendedTriggerMessageConfirmation;
  FirmwareStatusNotification: FirmwareStatusNotificationConfirmation;
  GetCompositeSchedule: GetCompositeScheduleConfirmation;
  GetConfiguration: GetConfigurationConfirmation;
  GetDiagnostics: GetDiagnosticsConfirmation;
  GetInstalledCertificateIds: GetInstalledCertificateIdsConfirmation;
  GetLocalListVersion: GetLocalListVersionConfirmation;
  GetLog: GetLogConfirmation;
  Heartbeat: HeartbeatConfirmation;
  InstallCertificate: InstallCertificateConfirmation;
  LogStatusNotification: LogStatusNotificationConfirmation;
  MeterValues: MeterValuesConfirmation;
  RemoteStartTransaction: RemoteStartTransactionConfirmation;
  RemoteStopTransaction: RemoteStopTransactionConfirmation;
  ReserveNow: ReserveNowConfirmation;
  Reset: ResetConfirmation;
  SecurityEventNotification: SecurityEventNotificationConfirmation;
  SendLocalList: SendLocalListConfirmation;
  SetChargingProfile: SetChargingProfileConfirmation;
  SignCertificate: SignCertificateConfirmation;
  SignedFirmwareStatusNotification: SignedFirmwareStatusNotificationConfirmation;
  SignedUpdateFirmware: SignedUpdateFirmwareConfirmation;
  StartTransaction: StartTransactionConfirmation;
  StatusNotification: StatusNotificationConfirmation;
  StopTransaction: StopTransactionConfirmation;
  TriggerMessage: TriggerMessageConfirmation;
  UnlockConnector: UnlockConnectorConfirmation;
  UpdateFirmware: UpdateFirmwareConfirmation;
}

/** Every action OCPP 1.6 (with the Security whitepaper messages) defines. */
export type Ocpp16Action = keyof Ocpp16Requests;

export const OCPP16_ACTIONS = [
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
] as const satisfies readonly Ocpp16Action[];
