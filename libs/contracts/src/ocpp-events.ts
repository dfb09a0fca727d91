/**
 * `ocpp.v16.events`, key chargePointId, producer: ocpp-gateway.
 * One record per accepted CALL from a charger, and one per connection change.
 */
import type { Ocpp16Action, Ocpp16Confirmations, Ocpp16Requests } from '@app/ocpp/ocpp16-types.generated';
import type { ChargerProtocol, ChargerRegistryApplied } from './chargers';
import type { Envelope } from './envelope';

export const OCPP_EVENTS_SOURCE = 'ocpp-gateway';

/** Charger-initiated actions the gateway accepts and publishes. */
export const OCPP_INBOUND_ACTIONS = [
  'Authorize',
  'BootNotification',
  'DataTransfer',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'MeterValues',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
] as const satisfies readonly Ocpp16Action[];
export type OcppInboundAction = (typeof OCPP_INBOUND_ACTIONS)[number];

/** What every `OcppCallReceived` carries, whatever the action. */
export interface OcppCallReceivedBase {
  chargePointId: string;
  /** Fleet the charger is registered to (tenant). */
  fleetId: string;
  /** The OCPP message id of the CALL (unique per connection, not globally). */
  messageId: string;
  /**
   * The whole CALL frame exactly as the charger sent it (UTF-8 text). Signed meter values,
   * meterStop and transactionData are kept byte for byte here.
   */
  rawFrame: string;
  /** When the gateway received the frame (ISO-8601, gateway clock). */
  receivedAt: string;
  /** Which gateway replica handled it. */
  gatewayId: string;
}

/** One action's `OcppCallReceived`: the CALL payload and the confirmation typed by the OCPP 1.6 schemas. */
export interface OcppCallReceivedOf<A extends OcppInboundAction> extends OcppCallReceivedBase {
  action: A;
  /** The CALL payload, valid against `<action>.req`, as parsed JSON. */
  payload: Ocpp16Requests[A];
  /** The CALLRESULT payload the gateway sent back (`<action>.conf`), after Kafka acknowledged this record. */
  reply: Ocpp16Confirmations[A];
}

/**
 * type `OcppCallReceived`, schema `ocpp.call-received/v1`: a union discriminated by `action`, so
 * `if (e.action === 'StartTransaction')` narrows `payload` and `reply`.
 */
export type OcppCallReceived = { [A in OcppInboundAction]: OcppCallReceivedOf<A> }[OcppInboundAction];

/** type `ChargerConnected`, schema `ocpp.charger-connected/v1`. */
export interface ChargerConnected {
  chargePointId: string;
  fleetId: string;
  gatewayId: string;
  connectedAt: string;
  remoteAddress?: string;
  /** Registered EVSE ids by connectorId ("1" → "DE*2GO*EMCD1311*1A*2"); empty when none. */
  evseIds: Record<string, string>;
  /** The OCPP-J subprotocol agreed in the handshake; absent on records from before 2.0.1 (= ocpp1.6). */
  protocol?: ChargerProtocol;
}

/** type `ChargerDisconnected`, schema `ocpp.charger-disconnected/v1`. */
export interface ChargerDisconnected {
  chargePointId: string;
  fleetId: string;
  gatewayId: string;
  disconnectedAt: string;
  /** WebSocket close code and why: "closed-by-charger", "replaced", "ping-timeout", "shutdown", ... */
  code: number;
  reason: string;
}

export type OcppEventType =
  'OcppCallReceived' | 'ChargerConnected' | 'ChargerDisconnected' | 'ChargerRegistryApplied';
export const OCPP_EVENT_SCHEMAS = {
  OcppCallReceived: 'ocpp.call-received/v1',
  ChargerConnected: 'ocpp.charger-connected/v1',
  ChargerDisconnected: 'ocpp.charger-disconnected/v1',
  ChargerRegistryApplied: 'ocpp.charger-registry-applied/v1',
} as const satisfies Record<OcppEventType, string>;

export type OcppEventEnvelope =
  | Envelope<OcppCallReceived, 'OcppCallReceived'>
  | Envelope<ChargerConnected, 'ChargerConnected'>
  | Envelope<ChargerDisconnected, 'ChargerDisconnected'>
  | Envelope<ChargerRegistryApplied, 'ChargerRegistryApplied'>;
