// Generated from the official OCPP 2.0.1 JSON schemas (ocpp-rpc/lib/schemas/ocpp2_0_1.json) by
// libs/ocpp/src/codegen/render-types.ts. Do not edit: run
// `node scripts/run-ts.mjs libs/ocpp/src/codegen/generate-types.ts`.

export type ACChargingParametersType = {
  customData?: CustomDataType;
  /** integer */
  energyAmount: number;
  /** integer */
  evMinCurrent: number;
  /** integer */
  evMaxCurrent: number;
  /** integer */
  evMaxVoltage: number;
};

export type APNAuthenticationEnumType = 'CHAP' | 'NONE' | 'PAP' | 'AUTO';

export type APNType = {
  customData?: CustomDataType;
  /** at most 512 characters */
  apn: string;
  /** at most 20 characters */
  apnUserName?: string;
  /** at most 20 characters */
  apnPassword?: string;
  /** integer */
  simPin?: number;
  /** at most 6 characters */
  preferredNetwork?: string;
  useOnlyPreferredNetwork?: boolean;
  apnAuthentication: APNAuthenticationEnumType;
};

export type AdditionalInfoType = {
  customData?: CustomDataType;
  /** at most 36 characters */
  additionalIdToken: string;
  /** at most 50 characters */
  type: string;
};

export type AttributeEnumType = 'Actual' | 'Target' | 'MinSet' | 'MaxSet';

export type AuthorizationData = {
  customData?: CustomDataType;
  idToken: IdTokenType;
  idTokenInfo?: IdTokenInfoType;
};

export type AuthorizationStatusEnumType =
  | 'Accepted'
  | 'Blocked'
  | 'ConcurrentTx'
  | 'Expired'
  | 'Invalid'
  | 'NoCredit'
  | 'NotAllowedTypeEVSE'
  | 'NotAtThisLocation'
  | 'NotAtThisTime'
  | 'Unknown';

export type AuthorizeCertificateStatusEnumType =
  | 'Accepted'
  | 'SignatureError'
  | 'CertificateExpired'
  | 'CertificateRevoked'
  | 'NoCertificateAvailable'
  | 'CertChainError'
  | 'ContractCancelled';

export type BootReasonEnumType =
  | 'ApplicationReset'
  | 'FirmwareUpdate'
  | 'LocalReset'
  | 'PowerUp'
  | 'RemoteReset'
  | 'ScheduledReset'
  | 'Triggered'
  | 'Unknown'
  | 'Watchdog';

export type CancelReservationStatusEnumType = 'Accepted' | 'Rejected';

export type CertificateActionEnumType = 'Install' | 'Update';

export type CertificateHashDataChainType = {
  customData?: CustomDataType;
  certificateHashData: CertificateHashDataType;
  certificateType: GetCertificateIdUseEnumType;
  /** at least 1 item; at most 4 items */
  childCertificateHashData?: CertificateHashDataType[];
};

export type CertificateHashDataType = {
  customData?: CustomDataType;
  hashAlgorithm: HashAlgorithmEnumType;
  /** at most 128 characters */
  issuerNameHash: string;
  /** at most 128 characters */
  issuerKeyHash: string;
  /** at most 40 characters */
  serialNumber: string;
};

export type CertificateSignedStatusEnumType = 'Accepted' | 'Rejected';

export type CertificateSigningUseEnumType = 'ChargingStationCertificate' | 'V2GCertificate';

export type ChangeAvailabilityStatusEnumType = 'Accepted' | 'Rejected' | 'Scheduled';

export type ChargingLimitSourceEnumType = 'EMS' | 'Other' | 'SO' | 'CSO';

export type ChargingLimitType = {
  customData?: CustomDataType;
  chargingLimitSource: ChargingLimitSourceEnumType;
  isGridCritical?: boolean;
};

export type ChargingNeedsType = {
  customData?: CustomDataType;
  acChargingParameters?: ACChargingParametersType;
  dcChargingParameters?: DCChargingParametersType;
  requestedEnergyTransfer: EnergyTransferModeEnumType;
  /** date-time (ISO 8601) */
  departureTime?: string;
};

export type ChargingProfileCriterionType = {
  customData?: CustomDataType;
  chargingProfilePurpose?: ChargingProfilePurposeEnumType;
  /** integer */
  stackLevel?: number;
  /** at least 1 item */
  chargingProfileId?: number[];
  /** at least 1 item; at most 4 items */
  chargingLimitSource?: ChargingLimitSourceEnumType[];
};

export type ChargingProfileKindEnumType = 'Absolute' | 'Recurring' | 'Relative';

export type ChargingProfilePurposeEnumType =
  'ChargingStationExternalConstraints' | 'ChargingStationMaxProfile' | 'TxDefaultProfile' | 'TxProfile';

export type ChargingProfileStatusEnumType = 'Accepted' | 'Rejected';

export type ChargingProfileType = {
  customData?: CustomDataType;
  /** integer */
  id: number;
  /** integer */
  stackLevel: number;
  chargingProfilePurpose: ChargingProfilePurposeEnumType;
  chargingProfileKind: ChargingProfileKindEnumType;
  recurrencyKind?: RecurrencyKindEnumType;
  /** date-time (ISO 8601) */
  validFrom?: string;
  /** date-time (ISO 8601) */
  validTo?: string;
  /** at least 1 item; at most 3 items */
  chargingSchedule: ChargingScheduleType[];
  /** at most 36 characters */
  transactionId?: string;
};

export type ChargingRateUnitEnumType = 'W' | 'A';

export type ChargingSchedulePeriodType = {
  customData?: CustomDataType;
  /** integer */
  startPeriod: number;
  limit: number;
  /** integer */
  numberPhases?: number;
  /** integer */
  phaseToUse?: number;
};

export type ChargingScheduleType = {
  customData?: CustomDataType;
  /** integer */
  id: number;
  /** date-time (ISO 8601) */
  startSchedule?: string;
  /** integer */
  duration?: number;
  chargingRateUnit: ChargingRateUnitEnumType;
  /** at least 1 item; at most 1024 items */
  chargingSchedulePeriod: ChargingSchedulePeriodType[];
  minChargingRate?: number;
  salesTariff?: SalesTariffType;
};

export type ChargingStateEnumType = 'Charging' | 'EVConnected' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle';

export type ChargingStationType = {
  customData?: CustomDataType;
  /** at most 25 characters */
  serialNumber?: string;
  /** at most 20 characters */
  model: string;
  modem?: ModemType;
  /** at most 50 characters */
  vendorName: string;
  /** at most 50 characters */
  firmwareVersion?: string;
};

export type ClearCacheStatusEnumType = 'Accepted' | 'Rejected';

export type ClearChargingProfileStatusEnumType = 'Accepted' | 'Unknown';

export type ClearChargingProfileType = {
  customData?: CustomDataType;
  /** integer */
  evseId?: number;
  chargingProfilePurpose?: ChargingProfilePurposeEnumType;
  /** integer */
  stackLevel?: number;
};

export type ClearMessageStatusEnumType = 'Accepted' | 'Unknown';

export type ClearMonitoringResultType = {
  customData?: CustomDataType;
  status: ClearMonitoringStatusEnumType;
  /** integer */
  id: number;
  statusInfo?: StatusInfoType;
};

export type ClearMonitoringStatusEnumType = 'Accepted' | 'Rejected' | 'NotFound';

export type ComponentCriterionEnumType = 'Active' | 'Available' | 'Enabled' | 'Problem';

export type ComponentType = {
  customData?: CustomDataType;
  evse?: EVSEType;
  /** at most 50 characters */
  name: string;
  /** at most 50 characters */
  instance?: string;
};

export type ComponentVariableType = {
  customData?: CustomDataType;
  component: ComponentType;
  variable?: VariableType;
};

export type CompositeScheduleType = {
  customData?: CustomDataType;
  /** at least 1 item */
  chargingSchedulePeriod: ChargingSchedulePeriodType[];
  /** integer */
  evseId: number;
  /** integer */
  duration: number;
  /** date-time (ISO 8601) */
  scheduleStart: string;
  chargingRateUnit: ChargingRateUnitEnumType;
};

export type ConnectorEnumType =
  | 'cCCS1'
  | 'cCCS2'
  | 'cG105'
  | 'cTesla'
  | 'cType1'
  | 'cType2'
  | 's309-1P-16A'
  | 's309-1P-32A'
  | 's309-3P-16A'
  | 's309-3P-32A'
  | 'sBS1361'
  | 'sCEE-7-7'
  | 'sType2'
  | 'sType3'
  | 'Other1PhMax16A'
  | 'Other1PhOver16A'
  | 'Other3Ph'
  | 'Pan'
  | 'wInductive'
  | 'wResonant'
  | 'Undetermined'
  | 'Unknown';

export type ConnectorStatusEnumType = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';

export type ConsumptionCostType = {
  customData?: CustomDataType;
  startValue: number;
  /** at least 1 item; at most 3 items */
  cost: CostType[];
};

export type CostKindEnumType =
  'CarbonDioxideEmission' | 'RelativePricePercentage' | 'RenewableGenerationPercentage';

export type CostType = {
  customData?: CustomDataType;
  costKind: CostKindEnumType;
  /** integer */
  amount: number;
  /** integer */
  amountMultiplier?: number;
};

export type CustomDataType = {
  /** at most 255 characters */
  vendorId: string;
  [vendorField: string]: unknown;
};

export type CustomerInformationStatusEnumType = 'Accepted' | 'Rejected' | 'Invalid';

export type DCChargingParametersType = {
  customData?: CustomDataType;
  /** integer */
  evMaxCurrent: number;
  /** integer */
  evMaxVoltage: number;
  /** integer */
  energyAmount?: number;
  /** integer */
  evMaxPower?: number;
  /** integer; at least 0; at most 100 */
  stateOfCharge?: number;
  /** integer */
  evEnergyCapacity?: number;
  /** integer; at least 0; at most 100 */
  fullSoC?: number;
  /** integer; at least 0; at most 100 */
  bulkSoC?: number;
};

export type DataEnumType =
  'string' | 'decimal' | 'integer' | 'dateTime' | 'boolean' | 'OptionList' | 'SequenceList' | 'MemberList';

export type DataTransferStatusEnumType = 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';

export type DeleteCertificateStatusEnumType = 'Accepted' | 'Failed' | 'NotFound';

export type DisplayMessageStatusEnumType =
  | 'Accepted'
  | 'NotSupportedMessageFormat'
  | 'Rejected'
  | 'NotSupportedPriority'
  | 'NotSupportedState'
  | 'UnknownTransaction';

export type EVSEType = {
  customData?: CustomDataType;
  /** integer */
  id: number;
  /** integer */
  connectorId?: number;
};

export type EnergyTransferModeEnumType = 'DC' | 'AC_single_phase' | 'AC_two_phase' | 'AC_three_phase';

export type EventDataType = {
  customData?: CustomDataType;
  /** integer */
  eventId: number;
  /** date-time (ISO 8601) */
  timestamp: string;
  trigger: EventTriggerEnumType;
  /** integer */
  cause?: number;
  /** at most 2500 characters */
  actualValue: string;
  /** at most 50 characters */
  techCode?: string;
  /** at most 500 characters */
  techInfo?: string;
  cleared?: boolean;
  /** at most 36 characters */
  transactionId?: string;
  component: ComponentType;
  /** integer */
  variableMonitoringId?: number;
  eventNotificationType: EventNotificationEnumType;
  variable: VariableType;
};

export type EventNotificationEnumType =
  'HardWiredNotification' | 'HardWiredMonitor' | 'PreconfiguredMonitor' | 'CustomMonitor';

export type EventTriggerEnumType = 'Alerting' | 'Delta' | 'Periodic';

export type FirmwareStatusEnumType =
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

export type FirmwareType = {
  customData?: CustomDataType;
  /** at most 512 characters */
  location: string;
  /** date-time (ISO 8601) */
  retrieveDateTime: string;
  /** date-time (ISO 8601) */
  installDateTime?: string;
  /** at most 5500 characters */
  signingCertificate?: string;
  /** at most 800 characters */
  signature?: string;
};

export type GenericDeviceModelStatusEnumType = 'Accepted' | 'Rejected' | 'NotSupported' | 'EmptyResultSet';

export type GenericStatusEnumType = 'Accepted' | 'Rejected';

export type GetCertificateIdUseEnumType =
  | 'V2GRootCertificate'
  | 'MORootCertificate'
  | 'CSMSRootCertificate'
  | 'V2GCertificateChain'
  | 'ManufacturerRootCertificate';

export type GetCertificateStatusEnumType = 'Accepted' | 'Failed';

export type GetChargingProfileStatusEnumType = 'Accepted' | 'NoProfiles';

export type GetDisplayMessagesStatusEnumType = 'Accepted' | 'Unknown';

export type GetInstalledCertificateStatusEnumType = 'Accepted' | 'NotFound';

export type GetVariableDataType = {
  customData?: CustomDataType;
  attributeType?: AttributeEnumType;
  component: ComponentType;
  variable: VariableType;
};

export type GetVariableResultType = {
  customData?: CustomDataType;
  attributeStatusInfo?: StatusInfoType;
  attributeStatus: GetVariableStatusEnumType;
  attributeType?: AttributeEnumType;
  /** at most 2500 characters */
  attributeValue?: string;
  component: ComponentType;
  variable: VariableType;
};

export type GetVariableStatusEnumType =
  'Accepted' | 'Rejected' | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType';

export type HashAlgorithmEnumType = 'SHA256' | 'SHA384' | 'SHA512';

export type IdTokenEnumType =
  'Central' | 'eMAID' | 'ISO14443' | 'ISO15693' | 'KeyCode' | 'Local' | 'MacAddress' | 'NoAuthorization';

export type IdTokenInfoType = {
  customData?: CustomDataType;
  status: AuthorizationStatusEnumType;
  /** date-time (ISO 8601) */
  cacheExpiryDateTime?: string;
  /** integer */
  chargingPriority?: number;
  /** at most 8 characters */
  language1?: string;
  /** at least 1 item */
  evseId?: number[];
  groupIdToken?: IdTokenType;
  /** at most 8 characters */
  language2?: string;
  personalMessage?: MessageContentType;
};

export type IdTokenType = {
  customData?: CustomDataType;
  /** at least 1 item */
  additionalInfo?: AdditionalInfoType[];
  /** at most 36 characters */
  idToken: string;
  type: IdTokenEnumType;
};

export type InstallCertificateStatusEnumType = 'Accepted' | 'Rejected' | 'Failed';

export type InstallCertificateUseEnumType =
  'V2GRootCertificate' | 'MORootCertificate' | 'CSMSRootCertificate' | 'ManufacturerRootCertificate';

export type Iso15118EVCertificateStatusEnumType = 'Accepted' | 'Failed';

export type LocationEnumType = 'Body' | 'Cable' | 'EV' | 'Inlet' | 'Outlet';

export type LogEnumType = 'DiagnosticsLog' | 'SecurityLog';

export type LogParametersType = {
  customData?: CustomDataType;
  /** at most 512 characters */
  remoteLocation: string;
  /** date-time (ISO 8601) */
  oldestTimestamp?: string;
  /** date-time (ISO 8601) */
  latestTimestamp?: string;
};

export type LogStatusEnumType = 'Accepted' | 'Rejected' | 'AcceptedCanceled';

export type MeasurandEnumType =
  | 'Current.Export'
  | 'Current.Import'
  | 'Current.Offered'
  | 'Energy.Active.Export.Register'
  | 'Energy.Active.Import.Register'
  | 'Energy.Reactive.Export.Register'
  | 'Energy.Reactive.Import.Register'
  | 'Energy.Active.Export.Interval'
  | 'Energy.Active.Import.Interval'
  | 'Energy.Active.Net'
  | 'Energy.Reactive.Export.Interval'
  | 'Energy.Reactive.Import.Interval'
  | 'Energy.Reactive.Net'
  | 'Energy.Apparent.Net'
  | 'Energy.Apparent.Import'
  | 'Energy.Apparent.Export'
  | 'Frequency'
  | 'Power.Active.Export'
  | 'Power.Active.Import'
  | 'Power.Factor'
  | 'Power.Offered'
  | 'Power.Reactive.Export'
  | 'Power.Reactive.Import'
  | 'SoC'
  | 'Voltage';

export type MessageContentType = {
  customData?: CustomDataType;
  format: MessageFormatEnumType;
  /** at most 8 characters */
  language?: string;
  /** at most 512 characters */
  content: string;
};

export type MessageFormatEnumType = 'ASCII' | 'HTML' | 'URI' | 'UTF8';

export type MessageInfoType = {
  customData?: CustomDataType;
  display?: ComponentType;
  /** integer */
  id: number;
  priority: MessagePriorityEnumType;
  state?: MessageStateEnumType;
  /** date-time (ISO 8601) */
  startDateTime?: string;
  /** date-time (ISO 8601) */
  endDateTime?: string;
  /** at most 36 characters */
  transactionId?: string;
  message: MessageContentType;
};

export type MessagePriorityEnumType = 'AlwaysFront' | 'InFront' | 'NormalCycle';

export type MessageStateEnumType = 'Charging' | 'Faulted' | 'Idle' | 'Unavailable';

export type MessageTriggerEnumType =
  | 'BootNotification'
  | 'LogStatusNotification'
  | 'FirmwareStatusNotification'
  | 'Heartbeat'
  | 'MeterValues'
  | 'SignChargingStationCertificate'
  | 'SignV2GCertificate'
  | 'StatusNotification'
  | 'TransactionEvent'
  | 'SignCombinedCertificate'
  | 'PublishFirmwareStatusNotification';

export type MeterValueType = {
  customData?: CustomDataType;
  /** at least 1 item */
  sampledValue: SampledValueType[];
  /** date-time (ISO 8601) */
  timestamp: string;
};

export type ModemType = {
  customData?: CustomDataType;
  /** at most 20 characters */
  iccid?: string;
  /** at most 20 characters */
  imsi?: string;
};

export type MonitorEnumType =
  'UpperThreshold' | 'LowerThreshold' | 'Delta' | 'Periodic' | 'PeriodicClockAligned';

export type MonitoringBaseEnumType = 'All' | 'FactoryDefault' | 'HardWiredOnly';

export type MonitoringCriterionEnumType = 'ThresholdMonitoring' | 'DeltaMonitoring' | 'PeriodicMonitoring';

export type MonitoringDataType = {
  customData?: CustomDataType;
  component: ComponentType;
  variable: VariableType;
  /** at least 1 item */
  variableMonitoring: VariableMonitoringType[];
};

export type MutabilityEnumType = 'ReadOnly' | 'WriteOnly' | 'ReadWrite';

export type NetworkConnectionProfileType = {
  customData?: CustomDataType;
  apn?: APNType;
  ocppVersion: OCPPVersionEnumType;
  ocppTransport: OCPPTransportEnumType;
  /** at most 512 characters */
  ocppCsmsUrl: string;
  /** integer */
  messageTimeout: number;
  /** integer */
  securityProfile: number;
  ocppInterface: OCPPInterfaceEnumType;
  vpn?: VPNType;
};

export type NotifyEVChargingNeedsStatusEnumType = 'Accepted' | 'Rejected' | 'Processing';

export type OCPPInterfaceEnumType =
  'Wired0' | 'Wired1' | 'Wired2' | 'Wired3' | 'Wireless0' | 'Wireless1' | 'Wireless2' | 'Wireless3';

export type OCPPTransportEnumType = 'JSON' | 'SOAP';

export type OCPPVersionEnumType = 'OCPP12' | 'OCPP15' | 'OCPP16' | 'OCPP20';

export type OCSPRequestDataType = {
  customData?: CustomDataType;
  hashAlgorithm: HashAlgorithmEnumType;
  /** at most 128 characters */
  issuerNameHash: string;
  /** at most 128 characters */
  issuerKeyHash: string;
  /** at most 40 characters */
  serialNumber: string;
  /** at most 512 characters */
  responderURL: string;
};

export type OperationalStatusEnumType = 'Inoperative' | 'Operative';

export type PhaseEnumType = 'L1' | 'L2' | 'L3' | 'N' | 'L1-N' | 'L2-N' | 'L3-N' | 'L1-L2' | 'L2-L3' | 'L3-L1';

export type PublishFirmwareStatusEnumType =
  | 'Idle'
  | 'DownloadScheduled'
  | 'Downloading'
  | 'Downloaded'
  | 'Published'
  | 'DownloadFailed'
  | 'DownloadPaused'
  | 'InvalidChecksum'
  | 'ChecksumVerified'
  | 'PublishFailed';

export type ReadingContextEnumType =
  | 'Interruption.Begin'
  | 'Interruption.End'
  | 'Other'
  | 'Sample.Clock'
  | 'Sample.Periodic'
  | 'Transaction.Begin'
  | 'Transaction.End'
  | 'Trigger';

export type ReasonEnumType =
  | 'DeAuthorized'
  | 'EmergencyStop'
  | 'EnergyLimitReached'
  | 'EVDisconnected'
  | 'GroundFault'
  | 'ImmediateReset'
  | 'Local'
  | 'LocalOutOfCredit'
  | 'MasterPass'
  | 'Other'
  | 'OvercurrentFault'
  | 'PowerLoss'
  | 'PowerQuality'
  | 'Reboot'
  | 'Remote'
  | 'SOCLimitReached'
  | 'StoppedByEV'
  | 'TimeLimitReached'
  | 'Timeout';

export type RecurrencyKindEnumType = 'Daily' | 'Weekly';

export type RegistrationStatusEnumType = 'Accepted' | 'Pending' | 'Rejected';

export type RelativeTimeIntervalType = {
  customData?: CustomDataType;
  /** integer */
  start: number;
  /** integer */
  duration?: number;
};

export type ReportBaseEnumType = 'ConfigurationInventory' | 'FullInventory' | 'SummaryInventory';

export type ReportDataType = {
  customData?: CustomDataType;
  component: ComponentType;
  variable: VariableType;
  /** at least 1 item; at most 4 items */
  variableAttribute: VariableAttributeType[];
  variableCharacteristics?: VariableCharacteristicsType;
};

export type RequestStartStopStatusEnumType = 'Accepted' | 'Rejected';

export type ReservationUpdateStatusEnumType = 'Expired' | 'Removed';

export type ReserveNowStatusEnumType = 'Accepted' | 'Faulted' | 'Occupied' | 'Rejected' | 'Unavailable';

export type ResetEnumType = 'Immediate' | 'OnIdle';

export type ResetStatusEnumType = 'Accepted' | 'Rejected' | 'Scheduled';

export type SalesTariffEntryType = {
  customData?: CustomDataType;
  relativeTimeInterval: RelativeTimeIntervalType;
  /** integer; at least 0 */
  ePriceLevel?: number;
  /** at least 1 item; at most 3 items */
  consumptionCost?: ConsumptionCostType[];
};

export type SalesTariffType = {
  customData?: CustomDataType;
  /** integer */
  id: number;
  /** at most 32 characters */
  salesTariffDescription?: string;
  /** integer */
  numEPriceLevels?: number;
  /** at least 1 item; at most 1024 items */
  salesTariffEntry: SalesTariffEntryType[];
};

export type SampledValueType = {
  customData?: CustomDataType;
  value: number;
  context?: ReadingContextEnumType;
  measurand?: MeasurandEnumType;
  phase?: PhaseEnumType;
  location?: LocationEnumType;
  signedMeterValue?: SignedMeterValueType;
  unitOfMeasure?: UnitOfMeasureType;
};

export type SendLocalListStatusEnumType = 'Accepted' | 'Failed' | 'VersionMismatch';

export type SetMonitoringDataType = {
  customData?: CustomDataType;
  /** integer */
  id?: number;
  transaction?: boolean;
  value: number;
  type: MonitorEnumType;
  /** integer */
  severity: number;
  component: ComponentType;
  variable: VariableType;
};

export type SetMonitoringResultType = {
  customData?: CustomDataType;
  /** integer */
  id?: number;
  statusInfo?: StatusInfoType;
  status: SetMonitoringStatusEnumType;
  type: MonitorEnumType;
  component: ComponentType;
  variable: VariableType;
  /** integer */
  severity: number;
};

export type SetMonitoringStatusEnumType =
  'Accepted' | 'UnknownComponent' | 'UnknownVariable' | 'UnsupportedMonitorType' | 'Rejected' | 'Duplicate';

export type SetNetworkProfileStatusEnumType = 'Accepted' | 'Rejected' | 'Failed';

export type SetVariableDataType = {
  customData?: CustomDataType;
  attributeType?: AttributeEnumType;
  /** at most 1000 characters */
  attributeValue: string;
  component: ComponentType;
  variable: VariableType;
};

export type SetVariableResultType = {
  customData?: CustomDataType;
  attributeType?: AttributeEnumType;
  attributeStatus: SetVariableStatusEnumType;
  attributeStatusInfo?: StatusInfoType;
  component: ComponentType;
  variable: VariableType;
};

export type SetVariableStatusEnumType =
  | 'Accepted'
  | 'Rejected'
  | 'UnknownComponent'
  | 'UnknownVariable'
  | 'NotSupportedAttributeType'
  | 'RebootRequired';

export type SignedMeterValueType = {
  customData?: CustomDataType;
  /** at most 2500 characters */
  signedMeterData: string;
  /** at most 50 characters */
  signingMethod: string;
  /** at most 50 characters */
  encodingMethod: string;
  /** at most 2500 characters */
  publicKey: string;
};

export type StatusInfoType = {
  customData?: CustomDataType;
  /** at most 20 characters */
  reasonCode: string;
  /** at most 512 characters */
  additionalInfo?: string;
};

export type TransactionEventEnumType = 'Ended' | 'Started' | 'Updated';

export type TransactionType = {
  customData?: CustomDataType;
  /** at most 36 characters */
  transactionId: string;
  chargingState?: ChargingStateEnumType;
  /** integer */
  timeSpentCharging?: number;
  stoppedReason?: ReasonEnumType;
  /** integer */
  remoteStartId?: number;
};

export type TriggerMessageStatusEnumType = 'Accepted' | 'Rejected' | 'NotImplemented';

export type TriggerReasonEnumType =
  | 'Authorized'
  | 'CablePluggedIn'
  | 'ChargingRateChanged'
  | 'ChargingStateChanged'
  | 'Deauthorized'
  | 'EnergyLimitReached'
  | 'EVCommunicationLost'
  | 'EVConnectTimeout'
  | 'MeterValueClock'
  | 'MeterValuePeriodic'
  | 'TimeLimitReached'
  | 'Trigger'
  | 'UnlockCommand'
  | 'StopAuthorized'
  | 'EVDeparted'
  | 'EVDetected'
  | 'RemoteStop'
  | 'RemoteStart'
  | 'AbnormalCondition'
  | 'SignedDataReceived'
  | 'ResetCommand';

export type UnitOfMeasureType = {
  customData?: CustomDataType;
  /** at most 20 characters */
  unit?: string;
  /** integer */
  multiplier?: number;
};

export type UnlockStatusEnumType =
  'Unlocked' | 'UnlockFailed' | 'OngoingAuthorizedTransaction' | 'UnknownConnector';

export type UnpublishFirmwareStatusEnumType = 'DownloadOngoing' | 'NoFirmware' | 'Unpublished';

export type UpdateEnumType = 'Differential' | 'Full';

export type UpdateFirmwareStatusEnumType =
  'Accepted' | 'Rejected' | 'AcceptedCanceled' | 'InvalidCertificate' | 'RevokedCertificate';

export type UploadLogStatusEnumType =
  | 'BadMessage'
  | 'Idle'
  | 'NotSupportedOperation'
  | 'PermissionDenied'
  | 'Uploaded'
  | 'UploadFailure'
  | 'Uploading'
  | 'AcceptedCanceled';

export type VPNEnumType = 'IKEv2' | 'IPSec' | 'L2TP' | 'PPTP';

export type VPNType = {
  customData?: CustomDataType;
  /** at most 512 characters */
  server: string;
  /** at most 20 characters */
  user: string;
  /** at most 20 characters */
  group?: string;
  /** at most 20 characters */
  password: string;
  /** at most 255 characters */
  key: string;
  type: VPNEnumType;
};

export type VariableAttributeType = {
  customData?: CustomDataType;
  type?: AttributeEnumType;
  /** at most 2500 characters */
  value?: string;
  mutability?: MutabilityEnumType;
  persistent?: boolean;
  constant?: boolean;
};

export type VariableCharacteristicsType = {
  customData?: CustomDataType;
  /** at most 16 characters */
  unit?: string;
  dataType: DataEnumType;
  minLimit?: number;
  maxLimit?: number;
  /** at most 1000 characters */
  valuesList?: string;
  supportsMonitoring: boolean;
};

export type VariableMonitoringType = {
  customData?: CustomDataType;
  /** integer */
  id: number;
  transaction: boolean;
  value: number;
  type: MonitorEnumType;
  /** integer */
  severity: number;
};

export type VariableType = {
  customData?: CustomDataType;
  /** at most 50 characters */
  name: string;
  /** at most 50 characters */
  instance?: string;
};

/** urn:Authorize.req */
export type AuthorizeRequest = {
  customData?: CustomDataType;
  idToken: IdTokenType;
  /** at most 5500 characters */
  certificate?: string;
  /** at least 1 item; at most 4 items */
  iso15118CertificateHashData?: OCSPRequestDataType[];
};

/** urn:Authorize.conf */
export type AuthorizeConfirmation = {
  customData?: CustomDataType;
  idTokenInfo: IdTokenInfoType;
  certificateStatus?: AuthorizeCertificateStatusEnumType;
};

/** urn:BootNotification.req */
export type BootNotificationRequest = {
  customData?: CustomDataType;
  chargingStation: ChargingStationType;
  reason: BootReasonEnumType;
};

/** urn:BootNotification.conf */
export type BootNotificationConfirmation = {
  customData?: CustomDataType;
  /** date-time (ISO 8601) */
  currentTime: string;
  /** integer */
  interval: number;
  status: RegistrationStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:CancelReservation.req */
export type CancelReservationRequest = {
  customData?: CustomDataType;
  /** integer */
  reservationId: number;
};

/** urn:CancelReservation.conf */
export type CancelReservationConfirmation = {
  customData?: CustomDataType;
  status: CancelReservationStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:CertificateSigned.req */
export type CertificateSignedRequest = {
  customData?: CustomDataType;
  /** at most 10000 characters */
  certificateChain: string;
  certificateType?: CertificateSigningUseEnumType;
};

/** urn:CertificateSigned.conf */
export type CertificateSignedConfirmation = {
  customData?: CustomDataType;
  status: CertificateSignedStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:ChangeAvailability.req */
export type ChangeAvailabilityRequest = {
  customData?: CustomDataType;
  evse?: EVSEType;
  operationalStatus: OperationalStatusEnumType;
};

/** urn:ChangeAvailability.conf */
export type ChangeAvailabilityConfirmation = {
  customData?: CustomDataType;
  status: ChangeAvailabilityStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:ClearCache.req */
export type ClearCacheRequest = {
  customData?: CustomDataType;
};

/** urn:ClearCache.conf */
export type ClearCacheConfirmation = {
  customData?: CustomDataType;
  status: ClearCacheStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:ClearChargingProfile.req */
export type ClearChargingProfileRequest = {
  customData?: CustomDataType;
  /** integer */
  chargingProfileId?: number;
  chargingProfileCriteria?: ClearChargingProfileType;
};

/** urn:ClearChargingProfile.conf */
export type ClearChargingProfileConfirmation = {
  customData?: CustomDataType;
  status: ClearChargingProfileStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:ClearDisplayMessage.req */
export type ClearDisplayMessageRequest = {
  customData?: CustomDataType;
  /** integer */
  id: number;
};

/** urn:ClearDisplayMessage.conf */
export type ClearDisplayMessageConfirmation = {
  customData?: CustomDataType;
  status: ClearMessageStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:ClearVariableMonitoring.req */
export type ClearVariableMonitoringRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  id: number[];
};

/** urn:ClearVariableMonitoring.conf */
export type ClearVariableMonitoringConfirmation = {
  customData?: CustomDataType;
  /** at least 1 item */
  clearMonitoringResult: ClearMonitoringResultType[];
};

/** urn:ClearedChargingLimit.req */
export type ClearedChargingLimitRequest = {
  customData?: CustomDataType;
  chargingLimitSource: ChargingLimitSourceEnumType;
  /** integer */
  evseId?: number;
};

/** urn:ClearedChargingLimit.conf */
export type ClearedChargingLimitConfirmation = {
  customData?: CustomDataType;
};

/** urn:CostUpdated.req */
export type CostUpdatedRequest = {
  customData?: CustomDataType;
  totalCost: number;
  /** at most 36 characters */
  transactionId: string;
};

/** urn:CostUpdated.conf */
export type CostUpdatedConfirmation = {
  customData?: CustomDataType;
};

/** urn:CustomerInformation.req */
export type CustomerInformationRequest = {
  customData?: CustomDataType;
  customerCertificate?: CertificateHashDataType;
  idToken?: IdTokenType;
  /** integer */
  requestId: number;
  report: boolean;
  clear: boolean;
  /** at most 64 characters */
  customerIdentifier?: string;
};

/** urn:CustomerInformation.conf */
export type CustomerInformationConfirmation = {
  customData?: CustomDataType;
  status: CustomerInformationStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:DataTransfer.req */
export type DataTransferRequest = {
  customData?: CustomDataType;
  /** at most 50 characters */
  messageId?: string;
  data?: unknown;
  /** at most 255 characters */
  vendorId: string;
};

/** urn:DataTransfer.conf */
export type DataTransferConfirmation = {
  customData?: CustomDataType;
  status: DataTransferStatusEnumType;
  statusInfo?: StatusInfoType;
  data?: unknown;
};

/** urn:DeleteCertificate.req */
export type DeleteCertificateRequest = {
  customData?: CustomDataType;
  certificateHashData: CertificateHashDataType;
};

/** urn:DeleteCertificate.conf */
export type DeleteCertificateConfirmation = {
  customData?: CustomDataType;
  status: DeleteCertificateStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:FirmwareStatusNotification.req */
export type FirmwareStatusNotificationRequest = {
  customData?: CustomDataType;
  status: FirmwareStatusEnumType;
  /** integer */
  requestId?: number;
};

/** urn:FirmwareStatusNotification.conf */
export type FirmwareStatusNotificationConfirmation = {
  customData?: CustomDataType;
};

/** urn:Get15118EVCertificate.req */
export type Get15118EVCertificateRequest = {
  customData?: CustomDataType;
  /** at most 50 characters */
  iso15118SchemaVersion: string;
  action: CertificateActionEnumType;
  /** at most 5600 characters */
  exiRequest: string;
};

/** urn:Get15118EVCertificate.conf */
export type Get15118EVCertificateConfirmation = {
  customData?: CustomDataType;
  status: Iso15118EVCertificateStatusEnumType;
  statusInfo?: StatusInfoType;
  /** at most 5600 characters */
  exiResponse: string;
};

/** urn:GetBaseReport.req */
export type GetBaseReportRequest = {
  customData?: CustomDataType;
  /** integer */
  requestId: number;
  reportBase: ReportBaseEnumType;
};

/** urn:GetBaseReport.conf */
export type GetBaseReportConfirmation = {
  customData?: CustomDataType;
  status: GenericDeviceModelStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:GetCertificateStatus.req */
export type GetCertificateStatusRequest = {
  customData?: CustomDataType;
  ocspRequestData: OCSPRequestDataType;
};

/** urn:GetCertificateStatus.conf */
export type GetCertificateStatusConfirmation = {
  customData?: CustomDataType;
  status: GetCertificateStatusEnumType;
  statusInfo?: StatusInfoType;
  /** at most 5500 characters */
  ocspResult?: string;
};

/** urn:GetChargingProfiles.req */
export type GetChargingProfilesRequest = {
  customData?: CustomDataType;
  /** integer */
  requestId: number;
  /** integer */
  evseId?: number;
  chargingProfile: ChargingProfileCriterionType;
};

/** urn:GetChargingProfiles.conf */
export type GetChargingProfilesConfirmation = {
  customData?: CustomDataType;
  status: GetChargingProfileStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:GetCompositeSchedule.req */
export type GetCompositeScheduleRequest = {
  customData?: CustomDataType;
  /** integer */
  duration: number;
  chargingRateUnit?: ChargingRateUnitEnumType;
  /** integer */
  evseId: number;
};

/** urn:GetCompositeSchedule.conf */
export type GetCompositeScheduleConfirmation = {
  customData?: CustomDataType;
  status: GenericStatusEnumType;
  statusInfo?: StatusInfoType;
  schedule?: CompositeScheduleType;
};

/** urn:GetDisplayMessages.req */
export type GetDisplayMessagesRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  id?: number[];
  /** integer */
  requestId: number;
  priority?: MessagePriorityEnumType;
  state?: MessageStateEnumType;
};

/** urn:GetDisplayMessages.conf */
export type GetDisplayMessagesConfirmation = {
  customData?: CustomDataType;
  status: GetDisplayMessagesStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:GetInstalledCertificateIds.req */
export type GetInstalledCertificateIdsRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  certificateType?: GetCertificateIdUseEnumType[];
};

/** urn:GetInstalledCertificateIds.conf */
export type GetInstalledCertificateIdsConfirmation = {
  customData?: CustomDataType;
  status: GetInstalledCertificateStatusEnumType;
  statusInfo?: StatusInfoType;
  /** at least 1 item */
  certificateHashDataChain?: CertificateHashDataChainType[];
};

/** urn:GetLocalListVersion.req */
export type GetLocalListVersionRequest = {
  customData?: CustomDataType;
};

/** urn:GetLocalListVersion.conf */
export type GetLocalListVersionConfirmation = {
  customData?: CustomDataType;
  /** integer */
  versionNumber: number;
};

/** urn:GetLog.req */
export type GetLogRequest = {
  customData?: CustomDataType;
  log: LogParametersType;
  logType: LogEnumType;
  /** integer */
  requestId: number;
  /** integer */
  retries?: number;
  /** integer */
  retryInterval?: number;
};

/** urn:GetLog.conf */
export type GetLogConfirmation = {
  customData?: CustomDataType;
  status: LogStatusEnumType;
  statusInfo?: StatusInfoType;
  /** at most 255 characters */
  filename?: string;
};

/** urn:GetMonitoringReport.req */
export type GetMonitoringReportRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  componentVariable?: ComponentVariableType[];
  /** integer */
  requestId: number;
  /** at least 1 item; at most 3 items */
  monitoringCriteria?: MonitoringCriterionEnumType[];
};

/** urn:GetMonitoringReport.conf */
export type GetMonitoringReportConfirmation = {
  customData?: CustomDataType;
  status: GenericDeviceModelStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:GetReport.req */
export type GetReportRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  componentVariable?: ComponentVariableType[];
  /** integer */
  requestId: number;
  /** at least 1 item; at most 4 items */
  componentCriteria?: ComponentCriterionEnumType[];
};

/** urn:GetReport.conf */
export type GetReportConfirmation = {
  customData?: CustomDataType;
  status: GenericDeviceModelStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:GetTransactionStatus.req */
export type GetTransactionStatusRequest = {
  customData?: CustomDataType;
  /** at most 36 characters */
  transactionId?: string;
};

/** urn:GetTransactionStatus.conf */
export type GetTransactionStatusConfirmation = {
  customData?: CustomDataType;
  ongoingIndicator?: boolean;
  messagesInQueue: boolean;
};

/** urn:GetVariables.req */
export type GetVariablesRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  getVariableData: GetVariableDataType[];
};

/** urn:GetVariables.conf */
export type GetVariablesConfirmation = {
  customData?: CustomDataType;
  /** at least 1 item */
  getVariableResult: GetVariableResultType[];
};

/** urn:Heartbeat.req */
export type HeartbeatRequest = {
  customData?: CustomDataType;
};

/** urn:Heartbeat.conf */
export type HeartbeatConfirmation = {
  customData?: CustomDataType;
  /** date-time (ISO 8601) */
  currentTime: string;
};

/** urn:InstallCertificate.req */
export type InstallCertificateRequest = {
  customData?: CustomDataType;
  certificateType: InstallCertificateUseEnumType;
  /** at most 5500 characters */
  certificate: string;
};

/** urn:InstallCertificate.conf */
export type InstallCertificateConfirmation = {
  customData?: CustomDataType;
  status: InstallCertificateStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:LogStatusNotification.req */
export type LogStatusNotificationRequest = {
  customData?: CustomDataType;
  status: UploadLogStatusEnumType;
  /** integer */
  requestId?: number;
};

/** urn:LogStatusNotification.conf */
export type LogStatusNotificationConfirmation = {
  customData?: CustomDataType;
};

/** urn:MeterValues.req */
export type MeterValuesRequest = {
  customData?: CustomDataType;
  /** integer */
  evseId: number;
  /** at least 1 item */
  meterValue: MeterValueType[];
};

/** urn:MeterValues.conf */
export type MeterValuesConfirmation = {
  customData?: CustomDataType;
};

/** urn:NotifyChargingLimit.req */
export type NotifyChargingLimitRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  chargingSchedule?: ChargingScheduleType[];
  /** integer */
  evseId?: number;
  chargingLimit: ChargingLimitType;
};

/** urn:NotifyChargingLimit.conf */
export type NotifyChargingLimitConfirmation = {
  customData?: CustomDataType;
};

/** urn:NotifyCustomerInformation.req */
export type NotifyCustomerInformationRequest = {
  customData?: CustomDataType;
  /** at most 512 characters */
  data: string;
  tbc?: boolean;
  /** integer */
  seqNo: number;
  /** date-time (ISO 8601) */
  generatedAt: string;
  /** integer */
  requestId: number;
};

/** urn:NotifyCustomerInformation.conf */
export type NotifyCustomerInformationConfirmation = {
  customData?: CustomDataType;
};

/** urn:NotifyDisplayMessages.req */
export type NotifyDisplayMessagesRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  messageInfo?: MessageInfoType[];
  /** integer */
  requestId: number;
  tbc?: boolean;
};

/** urn:NotifyDisplayMessages.conf */
export type NotifyDisplayMessagesConfirmation = {
  customData?: CustomDataType;
};

/** urn:NotifyEVChargingNeeds.req */
export type NotifyEVChargingNeedsRequest = {
  customData?: CustomDataType;
  /** integer */
  maxScheduleTuples?: number;
  chargingNeeds: ChargingNeedsType;
  /** integer */
  evseId: number;
};

/** urn:NotifyEVChargingNeeds.conf */
export type NotifyEVChargingNeedsConfirmation = {
  customData?: CustomDataType;
  status: NotifyEVChargingNeedsStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:NotifyEVChargingSchedule.req */
export type NotifyEVChargingScheduleRequest = {
  customData?: CustomDataType;
  /** date-time (ISO 8601) */
  timeBase: string;
  chargingSchedule: ChargingScheduleType;
  /** integer */
  evseId: number;
};

/** urn:NotifyEVChargingSchedule.conf */
export type NotifyEVChargingScheduleConfirmation = {
  customData?: CustomDataType;
  status: GenericStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:NotifyEvent.req */
export type NotifyEventRequest = {
  customData?: CustomDataType;
  /** date-time (ISO 8601) */
  generatedAt: string;
  tbc?: boolean;
  /** integer */
  seqNo: number;
  /** at least 1 item */
  eventData: EventDataType[];
};

/** urn:NotifyEvent.conf */
export type NotifyEventConfirmation = {
  customData?: CustomDataType;
};

/** urn:NotifyMonitoringReport.req */
export type NotifyMonitoringReportRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  monitor?: MonitoringDataType[];
  /** integer */
  requestId: number;
  tbc?: boolean;
  /** integer */
  seqNo: number;
  /** date-time (ISO 8601) */
  generatedAt: string;
};

/** urn:NotifyMonitoringReport.conf */
export type NotifyMonitoringReportConfirmation = {
  customData?: CustomDataType;
};

/** urn:NotifyReport.req */
export type NotifyReportRequest = {
  customData?: CustomDataType;
  /** integer */
  requestId: number;
  /** date-time (ISO 8601) */
  generatedAt: string;
  /** at least 1 item */
  reportData?: ReportDataType[];
  tbc?: boolean;
  /** integer */
  seqNo: number;
};

/** urn:NotifyReport.conf */
export type NotifyReportConfirmation = {
  customData?: CustomDataType;
};

/** urn:PublishFirmware.req */
export type PublishFirmwareRequest = {
  customData?: CustomDataType;
  /** at most 512 characters */
  location: string;
  /** integer */
  retries?: number;
  /** at most 32 characters */
  checksum: string;
  /** integer */
  requestId: number;
  /** integer */
  retryInterval?: number;
};

/** urn:PublishFirmware.conf */
export type PublishFirmwareConfirmation = {
  customData?: CustomDataType;
  status: GenericStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:PublishFirmwareStatusNotification.req */
export type PublishFirmwareStatusNotificationRequest = {
  customData?: CustomDataType;
  status: PublishFirmwareStatusEnumType;
  /** at least 1 item */
  location?: string[];
  /** integer */
  requestId?: number;
};

/** urn:PublishFirmwareStatusNotification.conf */
export type PublishFirmwareStatusNotificationConfirmation = {
  customData?: CustomDataType;
};

/** urn:ReportChargingProfiles.req */
export type ReportChargingProfilesRequest = {
  customData?: CustomDataType;
  /** integer */
  requestId: number;
  chargingLimitSource: ChargingLimitSourceEnumType;
  /** at least 1 item */
  chargingProfile: ChargingProfileType[];
  tbc?: boolean;
  /** integer */
  evseId: number;
};

/** urn:ReportChargingProfiles.conf */
export type ReportChargingProfilesConfirmation = {
  customData?: CustomDataType;
};

/** urn:RequestStartTransaction.req */
export type RequestStartTransactionRequest = {
  customData?: CustomDataType;
  /** integer */
  evseId?: number;
  groupIdToken?: IdTokenType;
  idToken: IdTokenType;
  /** integer */
  remoteStartId: number;
  chargingProfile?: ChargingProfileType;
};

/** urn:RequestStartTransaction.conf */
export type RequestStartTransactionConfirmation = {
  customData?: CustomDataType;
  status: RequestStartStopStatusEnumType;
  statusInfo?: StatusInfoType;
  /** at most 36 characters */
  transactionId?: string;
};

/** urn:RequestStopTransaction.req */
export type RequestStopTransactionRequest = {
  customData?: CustomDataType;
  /** at most 36 characters */
  transactionId: string;
};

/** urn:RequestStopTransaction.conf */
export type RequestStopTransactionConfirmation = {
  customData?: CustomDataType;
  status: RequestStartStopStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:ReservationStatusUpdate.req */
export type ReservationStatusUpdateRequest = {
  customData?: CustomDataType;
  /** integer */
  reservationId: number;
  reservationUpdateStatus: ReservationUpdateStatusEnumType;
};

/** urn:ReservationStatusUpdate.conf */
export type ReservationStatusUpdateConfirmation = {
  customData?: CustomDataType;
};

/** urn:ReserveNow.req */
export type ReserveNowRequest = {
  customData?: CustomDataType;
  /** integer */
  id: number;
  /** date-time (ISO 8601) */
  expiryDateTime: string;
  connectorType?: ConnectorEnumType;
  idToken: IdTokenType;
  /** integer */
  evseId?: number;
  groupIdToken?: IdTokenType;
};

/** urn:ReserveNow.conf */
export type ReserveNowConfirmation = {
  customData?: CustomDataType;
  status: ReserveNowStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:Reset.req */
export type ResetRequest = {
  customData?: CustomDataType;
  type: ResetEnumType;
  /** integer */
  evseId?: number;
};

/** urn:Reset.conf */
export type ResetConfirmation = {
  customData?: CustomDataType;
  status: ResetStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:SecurityEventNotification.req */
export type SecurityEventNotificationRequest = {
  customData?: CustomDataType;
  /** at most 50 characters */
  type: string;
  /** date-time (ISO 8601) */
  timestamp: string;
  /** at most 255 characters */
  techInfo?: string;
};

/** urn:SecurityEventNotification.conf */
export type SecurityEventNotificationConfirmation = {
  customData?: CustomDataType;
};

/** urn:SendLocalList.req */
export type SendLocalListRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  localAuthorizationList?: AuthorizationData[];
  /** integer */
  versionNumber: number;
  updateType: UpdateEnumType;
};

/** urn:SendLocalList.conf */
export type SendLocalListConfirmation = {
  customData?: CustomDataType;
  status: SendLocalListStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:SetChargingProfile.req */
export type SetChargingProfileRequest = {
  customData?: CustomDataType;
  /** integer */
  evseId: number;
  chargingProfile: ChargingProfileType;
};

/** urn:SetChargingProfile.conf */
export type SetChargingProfileConfirmation = {
  customData?: CustomDataType;
  status: ChargingProfileStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:SetDisplayMessage.req */
export type SetDisplayMessageRequest = {
  customData?: CustomDataType;
  message: MessageInfoType;
};

/** urn:SetDisplayMessage.conf */
export type SetDisplayMessageConfirmation = {
  customData?: CustomDataType;
  status: DisplayMessageStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:SetMonitoringBase.req */
export type SetMonitoringBaseRequest = {
  customData?: CustomDataType;
  monitoringBase: MonitoringBaseEnumType;
};

/** urn:SetMonitoringBase.conf */
export type SetMonitoringBaseConfirmation = {
  customData?: CustomDataType;
  status: GenericDeviceModelStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:SetMonitoringLevel.req */
export type SetMonitoringLevelRequest = {
  customData?: CustomDataType;
  /** integer */
  severity: number;
};

/** urn:SetMonitoringLevel.conf */
export type SetMonitoringLevelConfirmation = {
  customData?: CustomDataType;
  status: GenericStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:SetNetworkProfile.req */
export type SetNetworkProfileRequest = {
  customData?: CustomDataType;
  /** integer */
  configurationSlot: number;
  connectionData: NetworkConnectionProfileType;
};

/** urn:SetNetworkProfile.conf */
export type SetNetworkProfileConfirmation = {
  customData?: CustomDataType;
  status: SetNetworkProfileStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:SetVariableMonitoring.req */
export type SetVariableMonitoringRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  setMonitoringData: SetMonitoringDataType[];
};

/** urn:SetVariableMonitoring.conf */
export type SetVariableMonitoringConfirmation = {
  customData?: CustomDataType;
  /** at least 1 item */
  setMonitoringResult: SetMonitoringResultType[];
};

/** urn:SetVariables.req */
export type SetVariablesRequest = {
  customData?: CustomDataType;
  /** at least 1 item */
  setVariableData: SetVariableDataType[];
};

/** urn:SetVariables.conf */
export type SetVariablesConfirmation = {
  customData?: CustomDataType;
  /** at least 1 item */
  setVariableResult: SetVariableResultType[];
};

/** urn:SignCertificate.req */
export type SignCertificateRequest = {
  customData?: CustomDataType;
  /** at most 5500 characters */
  csr: string;
  certificateType?: CertificateSigningUseEnumType;
};

/** urn:SignCertificate.conf */
export type SignCertificateConfirmation = {
  customData?: CustomDataType;
  status: GenericStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:StatusNotification.req */
export type StatusNotificationRequest = {
  customData?: CustomDataType;
  /** date-time (ISO 8601) */
  timestamp: string;
  connectorStatus: ConnectorStatusEnumType;
  /** integer */
  evseId: number;
  /** integer */
  connectorId: number;
};

/** urn:StatusNotification.conf */
export type StatusNotificationConfirmation = {
  customData?: CustomDataType;
};

/** urn:TransactionEvent.req */
export type TransactionEventRequest = {
  customData?: CustomDataType;
  eventType: TransactionEventEnumType;
  /** at least 1 item */
  meterValue?: MeterValueType[];
  /** date-time (ISO 8601) */
  timestamp: string;
  triggerReason: TriggerReasonEnumType;
  /** integer */
  seqNo: number;
  offline?: boolean;
  /** integer */
  numberOfPhasesUsed?: number;
  /** integer */
  cableMaxCurrent?: number;
  /** integer */
  reservationId?: number;
  transactionInfo: TransactionType;
  evse?: EVSEType;
  idToken?: IdTokenType;
};

/** urn:TransactionEvent.conf */
export type TransactionEventConfirmation = {
  customData?: CustomDataType;
  totalCost?: number;
  /** integer */
  chargingPriority?: number;
  idTokenInfo?: IdTokenInfoType;
  updatedPersonalMessage?: MessageContentType;
};

/** urn:TriggerMessage.req */
export type TriggerMessageRequest = {
  customData?: CustomDataType;
  evse?: EVSEType;
  requestedMessage: MessageTriggerEnumType;
};

/** urn:TriggerMessage.conf */
export type TriggerMessageConfirmation = {
  customData?: CustomDataType;
  status: TriggerMessageStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:UnlockConnector.req */
export type UnlockConnectorRequest = {
  customData?: CustomDataType;
  /** integer */
  evseId: number;
  /** integer */
  connectorId: number;
};

/** urn:UnlockConnector.conf */
export type UnlockConnectorConfirmation = {
  customData?: CustomDataType;
  status: UnlockStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** urn:UnpublishFirmware.req */
export type UnpublishFirmwareRequest = {
  customData?: CustomDataType;
  /** at most 32 characters */
  checksum: string;
};

/** urn:UnpublishFirmware.conf */
export type UnpublishFirmwareConfirmation = {
  customData?: CustomDataType;
  status: UnpublishFirmwareStatusEnumType;
};

/** urn:UpdateFirmware.req */
export type UpdateFirmwareRequest = {
  customData?: CustomDataType;
  /** integer */
  retries?: number;
  /** integer */
  retryInterval?: number;
  /** integer */
  requestId: number;
  firmware: FirmwareType;
};

/** urn:UpdateFirmware.conf */
export type UpdateFirmwareConfirmation = {
  customData?: CustomDataType;
  status: UpdateFirmwareStatusEnumType;
  statusInfo?: StatusInfoType;
};

/** Every `<Action>.req` by action. */
export interface Ocpp201Requests {
  Authorize: AuthorizeRequest;
  BootNotification: BootNotificationRequest;
  CancelReservation: CancelReservationRequest;
  CertificateSigned: CertificateSignedRequest;
  ChangeAvailability: ChangeAvailabilityRequest;
  ClearCache: ClearCacheRequest;
  ClearChargingProfile: ClearChargingProfileRequest;
  ClearDisplayMessage: ClearDisplayMessageRequest;
  ClearVariableMonitoring: ClearVariableMonitoringRequest;
  ClearedChargingLimit: ClearedChargingLimitRequest;
  CostUpdated: CostUpdatedRequest;
  CustomerInformation: CustomerInformationRequest;
  DataTransfer: DataTransferRequest;
  DeleteCertificate: DeleteCertificateRequest;
  FirmwareStatusNotification: FirmwareStatusNotificationRequest;
  Get15118EVCertificate: Get15118EVCertificateRequest;
  GetBaseReport: GetBaseReportRequest;
  GetCertificateStatus: GetCertificateStatusRequest;
  GetChargingProfiles: GetChargingProfilesRequest;
  GetCompositeSchedule: GetCompositeScheduleRequest;
  GetDisplayMessages: GetDisplayMessagesRequest;
  GetInstalledCertificateIds: GetInstalledCertificateIdsRequest;
  GetLocalListVersion: GetLocalListVersionRequest;
  GetLog: GetLogRequest;
  GetMonitoringReport: GetMonitoringReportRequest;
  GetReport: GetReportRequest;
  GetTransactionStatus: GetTransactionStatusRequest;
  GetVariables: GetVariablesRequest;
  Heartbeat: HeartbeatRequest;
  InstallCertificate: InstallCertificateRequest;
  LogStatusNotification: LogStatusNotificationRequest;
  MeterValues: MeterValuesRequest;
  NotifyChargingLimit: NotifyChargingLimitRequest;
  NotifyCustomerInformation: NotifyCustomerInformationRequest;
  NotifyDisplayMessages: NotifyDisplayMessagesRequest;
  NotifyEVChargingNeeds: NotifyEVChargingNeedsRequest;
  NotifyEVChargingSchedule: NotifyEVChargingScheduleRequest;
  NotifyEvent: NotifyEventRequest;
  NotifyMonitoringReport: NotifyMonitoringReportRequest;
  NotifyReport: NotifyReportRequest;
  PublishFirmware: PublishFirmwareRequest;
  PublishFirmwareStatusNotification: PublishFirmwareStatusNotificationRequest;
  ReportChargingProfiles: ReportChargingProfilesRequest;
  RequestStartTransaction: RequestStartTransactionRequest;
  RequestStopTransaction: RequestStopTransactionRequest;
  ReservationStatusUpdate: ReservationStatusUpdateRequest;
  ReserveNow: ReserveNowRequest;
  Reset: ResetRequest;
  SecurityEventNotification: SecurityEventNotificationRequest;
  SendLocalList: SendLocalListRequest;
  SetChargingProfile: SetChargingProfileRequest;
  SetDisplayMessage: SetDisplayMessageRequest;
  SetMonitoringBase: SetMonitoringBaseRequest;
  SetMonitoringLevel: SetMonitoringLevelRequest;
  SetNetworkProfile: SetNetworkProfileRequest;
  SetVariableMonitoring: SetVariableMonitoringRequest;
  SetVariables: SetVariablesRequest;
  SignCertificate: SignCertificateRequest;
  StatusNotification: StatusNotificationRequest;
  TransactionEvent: TransactionEventRequest;
  TriggerMessage: TriggerMessageRequest;
  UnlockConnector: UnlockConnectorRequest;
  UnpublishFirmware: UnpublishFirmwareRequest;
  UpdateFirmware: UpdateFirmwareRequest;
}

/** Every `<Action>.conf` by action. */
export interface Ocpp201Confirmations {
  Authorize: AuthorizeConfirmation;
  BootNotification: BootNotificationConfirmation;
  CancelReservation: CancelReservationConfirmation;
  CertificateSigned: CertificateSignedConfirmation;
  ChangeAvailability: ChangeAvailabilityConfirmation;
  ClearCache: ClearCacheConfirmation;
  ClearChargingProfile: ClearChargingProfileConfirmation;
  ClearDisplayMessage: ClearDisplayMessageConfirmation;
  ClearVariableMonitoring: ClearVariableMonitoringConfirmation;
  ClearedChargingLimit: ClearedChargingLimitConfirmation;
  CostUpdated: CostUpdatedConfirmation;
  CustomerInformation: CustomerInformationConfirmation;
  DataTransfer: DataTransferConfirmation;
  DeleteCertificate: DeleteCertificateConfirmation;
  FirmwareStatusNotification: FirmwareStatusNotificationConfirmation;
  Get15118EVCertificate: Get15118EVCertificateConfirmation;
  GetBaseReport: GetBaseReportConfirmation;
  GetCertificateStatus: GetCertificateStatusConfirmation;
  GetChargingProfiles: GetChargingProfilesConfirmation;
  GetCompositeSchedule: GetCompositeScheduleConfirmation;
  GetDisplayMessages: GetDisplayMessagesConfirmation;
  GetInstalledCertificateIds: GetInstalledCertificateIdsConfirmation;
  GetLocalListVersion: GetLocalListVersionConfirmation;
  GetLog: GetLogConfirmation;
  GetMonitoringReport: GetMonitoringReportConfirmation;
  GetReport: GetReportConfirmation;
  GetTransactionStatus: GetTransactionStatusConfirmation;
  GetVariables: GetVariablesConfirmation;
  Heartbeat: HeartbeatConfirmation;
  InstallCertificate: InstallCertificateConfirmation;
  LogStatusNotification: LogStatusNotificationConfirmation;
  MeterValues: MeterValuesConfirmation;
  NotifyChargingLimit: NotifyChargingLimitConfirmation;
  NotifyCustomerInformation: NotifyCustomerInformationConfirmation;
  NotifyDisplayMessages: NotifyDisplayMessagesConfirmation;
  NotifyEVChargingNeeds: NotifyEVChargingNeedsConfirmation;
  NotifyEVChargingSchedule: NotifyEVChargingScheduleConfirmation;
  NotifyEvent: NotifyEventConfirmation;
  NotifyMonitoringReport: NotifyMonitoringReportConfirmation;
  NotifyReport: NotifyReportConfirmation;
  PublishFirmware: PublishFirmwareConfirmation;
  PublishFirmwareStatusNotification: PublishFirmwareStatusNotificationConfirmation;
  ReportChargingProfiles: ReportChargingProfilesConfirmation;
  RequestStartTransaction: RequestStartTransactionConfirmation;
  RequestStopTransaction: RequestStopTransactionConfirmation;
  ReservationStatusUpdate: ReservationStatusUpdateConfirmation;
  ReserveNow: ReserveNowConfirmation;
  Reset: ResetConfirmation;
  SecurityEventNotification: SecurityEventNotificationConfirmation;
  SendLocalList: SendLocalListConfirmation;
  SetChargingProfile: SetChargingProfileConfirmation;
  SetDisplayMessage: SetDisplayMessageConfirmation;
  SetMonitoringBase: SetMonitoringBaseConfirmation;
  SetMonitoringLevel: SetMonitoringLevelConfirmation;
  SetNetworkProfile: SetNetworkProfileConfirmation;
  SetVariableMonitoring: SetVariableMonitoringConfirmation;
  SetVariables: SetVariablesConfirmation;
  SignCertificate: SignCertificateConfirmation;
  StatusNotification: StatusNotificationConfirmation;
  TransactionEvent: TransactionEventConfirmation;
  TriggerMessage: TriggerMessageConfirmation;
  UnlockConnector: UnlockConnectorConfirmation;
  UnpublishFirmware: UnpublishFirmwareConfirmation;
  UpdateFirmware: UpdateFirmwareConfirmation;
}

/** Every action OCPP 2.0.1 defines. */
export type Ocpp201Action = keyof Ocpp201Requests;

export const OCPP201_ACTIONS = [
  'Authorize',
  'BootNotification',
  'CancelReservation',
  'CertificateSigned',
  'ChangeAvailability',
  'ClearCache',
  'ClearChargingProfile',
  'ClearDisplayMessage',
  'ClearVariableMonitoring',
  'ClearedChargingLimit',
  'CostUpdated',
  'CustomerInformation',
  'DataTransfer',
  'DeleteCertificate',
  'FirmwareStatusNotification',
  'Get15118EVCertificate',
  'GetBaseReport',
  'GetCertificateStatus',
  'GetChargingProfiles',
  'GetCompositeSchedule',
  'GetDisplayMessages',
  'GetInstalledCertificateIds',
  'GetLocalListVersion',
  'GetLog',
  'GetMonitoringReport',
  'GetReport',
  'GetTransactionStatus',
  'GetVariables',
  'Heartbeat',
  'InstallCertificate',
  'LogStatusNotification',
  'MeterValues',
  'NotifyChargingLimit',
  'NotifyCustomerInformation',
  'NotifyDisplayMessages',
  'NotifyEVChargingNeeds',
  'NotifyEVChargingSchedule',
  'NotifyEvent',
  'NotifyMonitoringReport',
  'NotifyReport',
  'PublishFirmware',
  'PublishFirmwareStatusNotification',
  'ReportChargingProfiles',
  'RequestStartTransaction',
  'RequestStopTransaction',
  'ReservationStatusUpdate',
  'ReserveNow',
  'Reset',
  'SecurityEventNotification',
  'SendLocalList',
  'SetChargingProfile',
  'SetDisplayMessage',
  'SetMonitoringBase',
  'SetMonitoringLevel',
  'SetNetworkProfile',
  'SetVariableMonitoring',
  'SetVariables',
  'SignCertificate',
  'StatusNotification',
  'TransactionEvent',
  'TriggerMessage',
  'UnlockConnector',
  'UnpublishFirmware',
  'UpdateFirmware',
] as const satisfies readonly Ocpp201Action[];
