/**
 * OCPP 2.0.1 on Kafka (issue 13). Same envelope, same shapes as 1.6, own topics, so a consumer of
 * `ocpp.v16.events` never sees a 2.0.1 record:
 * - `ocpp.v201.events` (key chargePointId, producer ocpp-gateway): one `Ocpp201CallReceived` per
 *   accepted CALL of a 2.0.1 station, and the station's `ChargerConnected` / `ChargerDisconnected`
 *   (protocol `ocpp2.0.1`), in the order the gateway saw them;
 * - `ocpp.v201.commands` (key chargePointId, producer session-service): `Ocpp201Command`;
 * - `ocpp.v201.command-results` (key commandId, producer ocpp-gateway): `Ocpp201CommandResult`.
 * `ChargerRegistryApplied` stays on `ocpp.v16.events`: the registry is protocol-neutral.
 */
import type { Ocpp201Action, Ocpp201Confirmations, Ocpp201Requests } from '@app/ocpp/ocpp201-types.generated';
import type { Envelope } from './envelope';
import type { ChargerConnected, ChargerDisconnected, OcppCallReceivedBase } from './ocpp-events';
import type { OcppCommand, OcppCommandResult } from './ocpp-commands';

/** Station-initiated 2.0.1 actions the gateway accepts and publishes; any other defined one is NotSupported. */
export const OCPP201_INBOUND_ACTIONS = [
  'Authorize',
  'BootNotification',
  'DataTransfer',
  'FirmwareStatusNotification',
  'Heartbeat',
  'LogStatusNotification',
  'MeterValues',
  'NotifyEvent',
  'NotifyReport',
  'SecurityEventNotification',
  'StatusNotification',
  'TransactionEvent',
] as const satisfies readonly Ocpp201Action[];
export type Ocpp201InboundAction = (typeof OCPP201_INBOUND_ACTIONS)[number];

/** One action's `Ocpp201CallReceived`: the CALL payload and the CALLRESULT, typed by the 2.0.1 schemas. */
export interface Ocpp201CallReceivedOf<A extends Ocpp201InboundAction> extends OcppCallReceivedBase {
  action: A;
  /** Valid against `<action>.req` (2.0.1). Numbers as JSON.parse read them: read exact decimals from `rawFrame`. */
  payload: Ocpp201Requests[A];
  /** The CALLRESULT payload the gateway sent, after Kafka acknowledged this record. */
  reply: Ocpp201Confirmations[A];
}

/** type `Ocpp201CallReceived`, schema `ocpp201.call-received/v1`, discriminated by `action`. */
export type Ocpp201CallReceived = {
  [A in Ocpp201InboundAction]: Ocpp201CallReceivedOf<A>;
}[Ocpp201InboundAction];

export type Ocpp201EventType = 'Ocpp201CallReceived' | 'ChargerConnected' | 'ChargerDisconnected';
export const OCPP201_EVENT_SCHEMAS = {
  Ocpp201CallReceived: 'ocpp201.call-received/v1',
  ChargerConnected: 'ocpp.charger-connected/v1',
  ChargerDisconnected: 'ocpp.charger-disconnected/v1',
} as const satisfies Record<Ocpp201EventType, string>;

export type Ocpp201EventEnvelope =
  | Envelope<Ocpp201CallReceived, 'Ocpp201CallReceived'>
  | Envelope<ChargerConnected, 'ChargerConnected'>
  | Envelope<ChargerDisconnected, 'ChargerDisconnected'>;

/**
 * CSMS → station actions sent through `ocpp.v201.commands`. CostUpdated is sent by session-service
 * once a 2.0.1 session is priced (the driver sees the bill on the station).
 */
export const OCPP201_OUTBOUND_ACTIONS = [
  'RequestStartTransaction',
  'RequestStopTransaction',
  'Reset',
  'UnlockConnector',
  'ChangeAvailability',
  'GetVariables',
  'SetVariables',
  'TriggerMessage',
  'GetBaseReport',
  'CostUpdated',
] as const satisfies readonly Ocpp201Action[];
export type Ocpp201OutboundAction = (typeof OCPP201_OUTBOUND_ACTIONS)[number];

/**
 * type `OcppCommandRequested`, schema `ocpp201.command/v1`: as the 1.6 command, with a 2.0.1
 * action and payload (`<action>.req` of 2.0.1). One exception for money: CostUpdated's
 * `totalCost` travels as a decimal string ("12.34", money is never a float on Kafka); the gateway
 * writes that exact text as the JSON number the schema wants on the wire.
 */
export interface Ocpp201Command extends Omit<OcppCommand, 'action'> {
  action: Ocpp201OutboundAction;
}

/** type `OcppCommandCompleted`, schema `ocpp201.command-result/v1`. */
export interface Ocpp201CommandResult extends Omit<OcppCommandResult, 'action'> {
  action: Ocpp201OutboundAction;
}

export const OCPP201_COMMAND_SCHEMA = 'ocpp201.command/v1';
export const OCPP201_COMMAND_RESULT_SCHEMA = 'ocpp201.command-result/v1';
export type Ocpp201CommandEnvelope = Envelope<Ocpp201Command, 'OcppCommandRequested'>;
export type Ocpp201CommandResultEnvelope = Envelope<Ocpp201CommandResult, 'OcppCommandCompleted'>;

/** A command of either protocol (what session-service sends, what the results consumer reads). */
export type AnyOcppCommand = OcppCommand | Ocpp201Command;
export type AnyOcppCommandResult = OcppCommandResult | Ocpp201CommandResult;
