/**
 * What a simulated OCPP 2.0.1 station writes and answers, as pure functions: its meter readings
 * (energy as JSON numbers with a unit and multiplier, as real stations send them), the 2.0.1
 * spellings of its connector state and stop reasons, and its answers to the CSMS's simple CALLs.
 * SimulatedCharger drives the state; this file knows the 2.0.1 vocabulary.
 */
import Decimal from 'decimal.js';
import { LosslessNumber, type Ocpp201 } from '@app/ocpp';

/** Enough digits for a reading with sub-Wh digits in kWh ("1234.5674999999999999999"). */
const Exact = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });

/** The 1.6-style connector state the simulator keeps for both protocols. */
export type InternalStatus =
  | 'Available'
  | 'Preparing'
  | 'Charging'
  | 'SuspendedEV'
  | 'SuspendedEVSE'
  | 'Finishing'
  | 'Unavailable'
  | 'Faulted';

/** 2.0.1 reports whether a connector is in use, not what the EV does (that is chargingState). */
export function connectorStatus201(status: InternalStatus): Ocpp201.ConnectorStatusEnumType {
  switch (status) {
    case 'Available':
    case 'Unavailable':
    case 'Faulted':
      return status;
    default:
      return 'Occupied';
  }
}

export function chargingState201(status: InternalStatus): Ocpp201.ChargingStateEnumType {
  switch (status) {
    case 'Charging':
    case 'SuspendedEV':
    case 'SuspendedEVSE':
      return status;
    case 'Available':
    case 'Unavailable':
    case 'Faulted':
      return 'Idle';
    default:
      return 'EVConnected';
  }
}

export const STOP_REASONS_201 = [
  'Local',
  'Remote',
  'EVDisconnected',
  'StoppedByEV',
  'PowerLoss',
  'Reboot',
  'ImmediateReset',
  'EmergencyStop',
  'DeAuthorized',
  'EnergyLimitReached',
  'TimeLimitReached',
  'Other',
] as const satisfies readonly Ocpp201.ReasonEnumType[];

/** A 1.6 reason (what runSession callers pass) in 2.0.1's words; 2.0.1 reasons pass unchanged. */
export function stopReason201(reason: string): Ocpp201.ReasonEnumType {
  switch (reason) {
    case 'SoftReset':
    case 'HardReset':
      return 'ImmediateReset';
    case 'UnlockCommand':
      return 'Other';
    default:
      return reason as Ocpp201.ReasonEnumType;
  }
}

/** Why the station sent the Ended event, for its stop reason. */
export function endTrigger201(reason: Ocpp201.ReasonEnumType): Ocpp201.TriggerReasonEnumType {
  switch (reason) {
    case 'Local':
      return 'StopAuthorized';
    case 'Remote':
      return 'RemoteStop';
    case 'EVDisconnected':
      return 'EVCommunicationLost';
    case 'StoppedByEV':
      return 'EVDeparted';
    case 'DeAuthorized':
      return 'Deauthorized';
    case 'EnergyLimitReached':
      return 'EnergyLimitReached';
    case 'TimeLimitReached':
      return 'TimeLimitReached';
    case 'ImmediateReset':
      return 'ResetCommand';
    default:
      return 'AbnormalCondition';
  }
}

/** How an energy register reading is written: the unit, its multiplier, and the digits. */
export type EnergyFormat =
  /** `unitOfMeasure` left out (2.0.1's default: Wh, multiplier 0), an integer. */
  | 'Wh'
  /** kWh with three decimals ("1234.567"). */
  | 'kWh'
  /** kWh with a trailing zero ("1234.5670"): the same number, other digits. */
  | 'kWh-padded'
  /** Wh with multiplier 3, i.e. kWh in disguise ("1234.567" × 10³ Wh). */
  | 'Wh-e3';

export const PERIODIC_ENERGY_FORMATS: readonly EnergyFormat[] = ['kWh', 'Wh', 'Wh-e3', 'kWh-padded'];

export interface EnergyReading {
  sampledValue: Ocpp201.SampledValueType;
  /** The value's digits as they go on the wire. */
  text: string;
  /** The register in integer Wh, rounded half up: what the backend must read from `text`. */
  wh: number;
}

/**
 * An Energy.Active.Import.Register sampled value of `wh` (a decimal: "1234567.5" has half a Wh).
 * Sub-Wh readings are written in kWh whatever `format` says (a Wh integer cannot carry them).
 */
export function energyReading(
  wh: Decimal.Value,
  format: EnergyFormat,
  context: Ocpp201.ReadingContextEnumType,
  signed?: Ocpp201.SignedMeterValueType,
): EnergyReading {
  const exact = new Exact(wh);
  const whole = exact.isInteger();
  const effective: EnergyFormat = whole ? format : 'kWh';
  let text: string;
  let unitOfMeasure: Ocpp201.UnitOfMeasureType | undefined;
  switch (effective) {
    case 'Wh':
      text = exact.toFixed();
      break;
    case 'kWh':
      text = exact.div(1000).toFixed(whole ? 3 : Math.max(3, exact.decimalPlaces() + 3));
      unitOfMeasure = { unit: 'kWh' };
      break;
    case 'kWh-padded':
      text = exact.div(1000).toFixed(4);
      unitOfMeasure = { unit: 'kWh' };
      break;
    case 'Wh-e3':
      text = exact.div(1000).toFixed(3);
      unitOfMeasure = { unit: 'Wh', multiplier: 3 };
      break;
  }
  const sampledValue: Ocpp201.SampledValueType = {
    // A number on the wire with these exact digits (the client writes LosslessNumbers as text).
    value: new LosslessNumber(text) as unknown as number,
    context,
    measurand: 'Energy.Active.Import.Register',
    ...(unitOfMeasure ? { unitOfMeasure } : {}),
    ...(signed ? { signedMeterValue: signed } : {}),
  };
  return { sampledValue, text, wh: exact.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber() };
}

/** A power sample (W) next to the energy register, as stations send them. */
export function powerSample(watts: number): Ocpp201.SampledValueType {
  return { value: watts, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } };
}

/**
 * A signed reading as an OCMF meter would give it: the signed data is opaque to the backend and
 * must come out byte for byte, so it holds characters a careless re-encoding would change.
 */
export function signedMeterValue(
  chargePointId: string,
  wh: Decimal.Value,
  at: string,
): Ocpp201.SignedMeterValueType {
  const data = `OCMF|{"MV":"${chargePointId}","RD":[{"TM":"${at}","RV":${new Exact(wh).toFixed()},"RU":"Wh"}]}|{"SA":"ECDSA-secp256r1-SHA256","SD":"3045+/="}`;
  return {
    signedMeterData: Buffer.from(data).toString('base64'),
    signingMethod: 'ECDSA-secp256r1-SHA256',
    encodingMethod: 'OCMF',
    publicKey: Buffer.from(`sim-public-key:${chargePointId}`).toString('base64'),
  };
}

/** The variables the simulated station has (GetVariables/SetVariables/GetBaseReport). */
export interface StationVariables {
  heartbeatIntervalS: number;
  meterValuesIntervalS: number;
  evseCount: number;
}

function variableValue(
  vars: StationVariables,
  component: string,
  variable: string,
): { value: string; mutable: boolean } | 'UnknownComponent' | 'UnknownVariable' {
  if (component === 'OCPPCommCtrlr') {
    if (variable === 'HeartbeatInterval') return { value: String(vars.heartbeatIntervalS), mutable: true };
    return 'UnknownVariable';
  }
  if (component === 'SampledDataCtrlr') {
    if (variable === 'TxUpdatedInterval') return { value: String(vars.meterValuesIntervalS), mutable: true };
    return 'UnknownVariable';
  }
  if (component === 'EVSE' || component === 'ChargingStation') {
    if (variable === 'Available') return { value: 'true', mutable: false };
    if (variable === 'EVSECount' && component === 'ChargingStation')
      return { value: String(vars.evseCount), mutable: false };
    return 'UnknownVariable';
  }
  return 'UnknownComponent';
}

export function getVariables(
  vars: StationVariables,
  request: Ocpp201.GetVariablesRequest,
): Ocpp201.GetVariablesConfirmation {
  return {
    getVariableResult: request.getVariableData.map((d) => {
      const found = variableValue(vars, d.component.name, d.variable.name);
      const base = { component: d.component, variable: d.variable };
      if (typeof found === 'string') return { ...base, attributeStatus: found };
      if (d.attributeType && d.attributeType !== 'Actual')
        return { ...base, attributeStatus: 'NotSupportedAttributeType', attributeType: d.attributeType };
      return { ...base, attributeStatus: 'Accepted', attributeValue: found.value };
    }),
  };
}

/** Sets what is writable (heartbeat and meter intervals, positive integers); returns the answer. */
export function setVariables(
  vars: StationVariables,
  request: Ocpp201.SetVariablesRequest,
): Ocpp201.SetVariablesConfirmation {
  return {
    setVariableResult: request.setVariableData.map((d) => {
      const found = variableValue(vars, d.component.name, d.variable.name);
      const base = { component: d.component, variable: d.variable };
      if (typeof found === 'string') return { ...base, attributeStatus: found };
      if (!found.mutable || !/^\d{1,6}$/.test(d.attributeValue))
        return { ...base, attributeStatus: 'Rejected' };
      if (d.variable.name === 'HeartbeatInterval') vars.heartbeatIntervalS = Number(d.attributeValue);
      else vars.meterValuesIntervalS = Number(d.attributeValue);
      return { ...base, attributeStatus: 'Accepted' };
    }),
  };
}

/** The NotifyReport a GetBaseReport asks for (one message, every variable the station has). */
export function baseReport(vars: StationVariables, requestId: number): Ocpp201.NotifyReportRequest {
  const entry = (component: string, variable: string): Ocpp201.ReportDataType => {
    const found = variableValue(vars, component, variable) as { value: string; mutable: boolean };
    return {
      component: { name: component },
      variable: { name: variable },
      variableAttribute: [
        { type: 'Actual', value: found.value, mutability: found.mutable ? 'ReadWrite' : 'ReadOnly' },
      ],
    };
  };
  return {
    requestId,
    generatedAt: new Date().toISOString(),
    seqNo: 0,
    tbc: false,
    reportData: [
      entry('OCPPCommCtrlr', 'HeartbeatInterval'),
      entry('SampledDataCtrlr', 'TxUpdatedInterval'),
      entry('ChargingStation', 'EVSECount'),
    ],
  };
}
