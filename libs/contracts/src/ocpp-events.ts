/**
 * `ocpp.v16.events`, key chargePointId, producer: ocpp-gateway.
 * One record per accepted CALL from a charger, and one per connection change.
 */
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
] as const;
export type OcppInboundAction = (typeof OCPP_INBOUND_ACTIONS)[number];

/** type `OcppCallReceived`, schema `ocpp.call-received/v1`. */
export interface OcppCallReceived {
  chargePointId: string;
  /** Fleet the charger is registered to (tenant). */
  fleetId: string;
  /** The OCPP message id of the CALL (unique per connection, not globally). */
  messageId: string;
  action: OcppInboundAction;
  /** The CALL payload, schema-valid, as parsed JSON. */
  payload: Record<string, unknown>;
  /**
   * The whole CALL frame exactly as the charger sent it (UTF-8 text). Signed meter values,
   * meterStop and transactionData are kept byte for byte here.
   */
  rawFrame: string;
  /** When the gateway received the frame (ISO-8601, gateway clock). */
  receivedAt: string;
  /** The CALLRESULT payload the gateway sent back (after Kafka acknowledged this record). */
  reply: Record<string, unknown>;
  /** Which gateway replica handled it. */
  gatewayId: string;
}

/** type `ChargerConnected`, schema `ocpp.charger-connected/v1`. */
export interface ChargerConnected {
  chargePointId: string;
  fleetId: string;
  gatewayId: string;
  connectedAt: string;
  remoteAddress?: string;
  /** Registered EVSE ids by connectorId ("1" → "DE*2GO*EMCD1311*1A*2"); empty when none. */
  evseIds: Record<string, string>;
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

export type OcppEventType = 'OcppCallReceived' | 'ChargerConnected' | 'ChargerDisconnected';
export const OCPP_EVENT_SCHEMAS = {
  OcppCallReceived: 'ocpp.call-received/v1',
  ChargerConnected: 'ocpp.charger-connected/v1',
  ChargerDisconnected: 'ocpp.charger-disconnected/v1',
} as const satisfies Record<OcppEventType, string>;

export type OcppEventEnvelope =
  | Envelope<OcppCallReceived, 'OcppCallReceived'>
  | Envelope<ChargerConnected, 'ChargerConnected'>
  | Envelope<ChargerDisconnected, 'ChargerDisconnected'>;
