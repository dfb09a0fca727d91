/**
 * Builds `ocpp.v16.events` records exactly as the gateway publishes them (libs/contracts
 * ocpp-events.ts): one OcppCallReceived envelope per CALL, keyed by chargePointId. Used by the
 * integration tests and the benchmark to feed the service without a gateway.
 */
import { randomUUID } from 'node:crypto';
import { makeEnvelope, OCPP_EVENT_SCHEMAS, OCPP_EVENTS_SOURCE, type OcppInboundAction } from '@app/contracts';

export interface GatewayRecord {
  key: string;
  value: string;
}

export class GatewayRecords {
  private msg = 0;
  constructor(
    readonly chargePointId: string,
    readonly fleetId: string,
    readonly gatewayId = 'gw-test',
  ) {}

  connected(evseIds: Record<string, string> = {}, at = new Date()): GatewayRecord {
    const env = makeEnvelope({
      type: 'ChargerConnected',
      source: OCPP_EVENTS_SOURCE,
      subject: this.chargePointId,
      schema: OCPP_EVENT_SCHEMAS.ChargerConnected,
      time: at,
      data: {
        chargePointId: this.chargePointId,
        fleetId: this.fleetId,
        gatewayId: this.gatewayId,
        connectedAt: at.toISOString(),
        evseIds,
      },
    });
    return { key: this.chargePointId, value: JSON.stringify(env) };
  }

  call(
    action: OcppInboundAction,
    payload: Record<string, unknown>,
    reply: Record<string, unknown> = {},
    receivedAt = new Date(),
  ): GatewayRecord {
    const messageId = `m${++this.msg}`;
    const rawFrame = JSON.stringify([2, messageId, action, payload]);
    const env = makeEnvelope({
      type: 'OcppCallReceived',
      source: OCPP_EVENTS_SOURCE,
      subject: this.chargePointId,
      schema: OCPP_EVENT_SCHEMAS.OcppCallReceived,
      id: randomUUID(),
      time: receivedAt,
      data: {
        chargePointId: this.chargePointId,
        fleetId: this.fleetId,
        messageId,
        action,
        payload,
        rawFrame,
        receivedAt: receivedAt.toISOString(),
        reply,
        gatewayId: this.gatewayId,
      },
    });
    return { key: this.chargePointId, value: JSON.stringify(env) };
  }

  startTransaction(
    connectorId: number,
    transactionId: number,
    meterStart: number,
    at: Date,
    idTag = 'RFID-1',
  ): GatewayRecord {
    return this.call(
      'StartTransaction',
      { connectorId, idTag, meterStart, timestamp: at.toISOString() },
      { transactionId, idTagInfo: { status: 'Accepted' } },
      at,
    );
  }

  meterValues(
    connectorId: number,
    transactionId: number,
    wh: number,
    at: Date,
    receivedAt = at,
  ): GatewayRecord {
    return this.call(
      'MeterValues',
      {
        connectorId,
        transactionId,
        meterValue: [
          {
            timestamp: at.toISOString(),
            sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
          },
        ],
      },
      {},
      receivedAt,
    );
  }

  status(connectorId: number, status: string, at: Date): GatewayRecord {
    return this.call(
      'StatusNotification',
      { connectorId, errorCode: 'NoError', status, timestamp: at.toISOString() },
      {},
      at,
    );
  }

  stopTransaction(
    transactionId: number,
    meterStop: number,
    at: Date,
    reason = 'EVDisconnected',
  ): GatewayRecord {
    return this.call(
      'StopTransaction',
      { transactionId, meterStop, timestamp: at.toISOString(), reason },
      { idTagInfo: { status: 'Accepted' } },
      at,
    );
  }

  heartbeat(at = new Date()): GatewayRecord {
    return this.call('Heartbeat', {}, { currentTime: at.toISOString() }, at);
  }

  disconnected(at: Date, code = 1006, reason = 'closed-by-charger'): GatewayRecord {
    const env = makeEnvelope({
      type: 'ChargerDisconnected',
      source: OCPP_EVENTS_SOURCE,
      subject: this.chargePointId,
      schema: OCPP_EVENT_SCHEMAS.ChargerDisconnected,
      time: at,
      data: {
        chargePointId: this.chargePointId,
        fleetId: this.fleetId,
        gatewayId: this.gatewayId,
        disconnectedAt: at.toISOString(),
        code,
        reason,
      },
    });
    return { key: this.chargePointId, value: JSON.stringify(env) };
  }

  /** This replica applied registry version `version` of the charger (ChargerRegistryApplied). */
  registryApplied(version: number, at = new Date(), closedConnection = false): GatewayRecord {
    const env = makeEnvelope({
      type: 'ChargerRegistryApplied',
      source: OCPP_EVENTS_SOURCE,
      subject: this.chargePointId,
      schema: OCPP_EVENT_SCHEMAS.ChargerRegistryApplied,
      data: {
        chargePointId: this.chargePointId,
        version,
        gatewayId: this.gatewayId,
        appliedAt: at.toISOString(),
        closedConnection,
      },
    });
    return { key: this.chargePointId, value: JSON.stringify(env) };
  }
}
