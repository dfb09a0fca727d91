/**
 * Builds `ocpp.v201.events` records exactly as the gateway publishes them for an OCPP 2.0.1
 * station (libs/contracts ocpp201.ts): one Ocpp201CallReceived envelope per CALL, keyed by
 * chargePointId, whose `rawFrame` is the station's text and whose `payload` is what JSON.parse
 * makes of it. Meter values are given as decimal TEXT ("12.3456"): the frame carries that text
 * verbatim, the payload the float JSON.parse reads from it, as with a real station.
 */
import { randomUUID } from 'node:crypto';
import {
  makeEnvelope,
  OCPP201_EVENT_SCHEMAS,
  OCPP_EVENTS_SOURCE,
  type Ocpp201InboundAction,
} from '@app/contracts';
import { LosslessNumber, stringifyWithLosslessNumbers } from '@app/ocpp';
import type { GatewayRecord } from './gateway-records';

export interface Reading {
  /** Decimal text as the station writes it. */
  value: string;
  measurand?: string;
  context?: string;
  unit?: string;
  multiplier?: number;
  signedMeterData?: string;
}

export interface TransactionEventInput {
  eventType: 'Started' | 'Updated' | 'Ended';
  transactionId: string;
  seqNo: number;
  at: Date;
  evseId?: number;
  connectorId?: number;
  triggerReason?: string;
  readings?: Reading[];
  idToken?: string;
  chargingState?: string;
  stoppedReason?: string;
  remoteStartId?: number;
  offline?: boolean;
  /** Gateway receive time (default `at`). */
  receivedAt?: Date;
}

export class Gateway201Records {
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
      schema: OCPP201_EVENT_SCHEMAS.ChargerConnected,
      time: at,
      data: {
        chargePointId: this.chargePointId,
        fleetId: this.fleetId,
        gatewayId: this.gatewayId,
        connectedAt: at.toISOString(),
        evseIds,
        protocol: 'ocpp2.0.1' as const,
      },
    });
    return { key: this.chargePointId, value: JSON.stringify(env) };
  }

  disconnected(at: Date, code = 1006, reason = 'closed-by-charger'): GatewayRecord {
    const env = makeEnvelope({
      type: 'ChargerDisconnected',
      source: OCPP_EVENTS_SOURCE,
      subject: this.chargePointId,
      schema: OCPP201_EVENT_SCHEMAS.ChargerDisconnected,
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

  /**
   * One accepted CALL. `payload` may hold LosslessNumber values (written as their text in the frame).
   * `messageId` defaults to a fresh one: a station that repeats a TransactionEvent sends it anew.
   */
  call(
    action: Ocpp201InboundAction,
    payload: Record<string, unknown>,
    reply: Record<string, unknown> = {},
    receivedAt = new Date(),
    messageId = `m201-${++this.msg}`,
  ): GatewayRecord {
    const rawFrame = stringifyWithLosslessNumbers([2, messageId, action, payload]);
    const parsed = (JSON.parse(rawFrame) as unknown[])[3] as Record<string, unknown>;
    const env = makeEnvelope({
      type: 'Ocpp201CallReceived',
      source: OCPP_EVENTS_SOURCE,
      subject: this.chargePointId,
      schema: OCPP201_EVENT_SCHEMAS.Ocpp201CallReceived,
      id: randomUUID(),
      time: receivedAt,
      data: {
        chargePointId: this.chargePointId,
        fleetId: this.fleetId,
        messageId,
        action,
        payload: parsed,
        rawFrame,
        receivedAt: receivedAt.toISOString(),
        reply,
        gatewayId: this.gatewayId,
      },
    });
    return { key: this.chargePointId, value: JSON.stringify(env) };
  }

  boot(
    at: Date,
    station: Record<string, unknown> = { model: 'Wall-201', vendorName: 'ACME' },
  ): GatewayRecord {
    return this.call(
      'BootNotification',
      { chargingStation: station, reason: 'PowerUp' },
      { currentTime: at.toISOString(), interval: 300, status: 'Accepted' },
      at,
    );
  }

  heartbeat(at = new Date()): GatewayRecord {
    return this.call('Heartbeat', {}, { currentTime: at.toISOString() }, at);
  }

  status(evseId: number, connectorStatus: string, at: Date, connectorId = 1): GatewayRecord {
    return this.call(
      'StatusNotification',
      { timestamp: at.toISOString(), connectorStatus, evseId, connectorId },
      {},
      at,
    );
  }

  firmwareStatus(status: string, at: Date): GatewayRecord {
    return this.call('FirmwareStatusNotification', { status }, {}, at);
  }

  transactionEvent(e: TransactionEventInput, messageId?: string): GatewayRecord {
    const payload: Record<string, unknown> = {
      eventType: e.eventType,
      timestamp: e.at.toISOString(),
      triggerReason:
        e.triggerReason ??
        (e.eventType === 'Started'
          ? 'CablePluggedIn'
          : e.eventType === 'Ended'
            ? 'EVCommunicationLost'
            : 'MeterValuePeriodic'),
      seqNo: e.seqNo,
      transactionInfo: {
        transactionId: e.transactionId,
        ...(e.chargingState ? { chargingState: e.chargingState } : {}),
        ...(e.stoppedReason ? { stoppedReason: e.stoppedReason } : {}),
        ...(e.remoteStartId !== undefined ? { remoteStartId: e.remoteStartId } : {}),
      },
    };
    if (e.offline) payload.offline = true;
    if (e.evseId !== undefined) payload.evse = { id: e.evseId, connectorId: e.connectorId ?? 1 };
    if (e.idToken !== undefined) payload.idToken = { idToken: e.idToken, type: 'ISO14443' };
    if (e.readings && e.readings.length > 0)
      payload.meterValue = [
        {
          timestamp: e.at.toISOString(),
          sampledValue: e.readings.map((r) => ({
            value: new LosslessNumber(r.value),
            ...(r.measurand ? { measurand: r.measurand } : {}),
            ...(r.context ? { context: r.context } : {}),
            ...(r.unit !== undefined || r.multiplier !== undefined
              ? {
                  unitOfMeasure: {
                    ...(r.unit !== undefined ? { unit: r.unit } : {}),
                    ...(r.multiplier !== undefined ? { multiplier: r.multiplier } : {}),
                  },
                }
              : {}),
            ...(r.signedMeterData
              ? {
                  signedMeterValue: {
                    signedMeterData: r.signedMeterData,
                    signingMethod: 'ECDSA-secp256r1-SHA256',
                    encodingMethod: 'OCMF',
                    publicKey: 'pk',
                  },
                }
              : {}),
          })),
        },
      ];
    const reply = e.idToken !== undefined ? { idTokenInfo: { status: 'Accepted' } } : {};
    return this.call('TransactionEvent', payload, reply, e.receivedAt ?? e.at, messageId);
  }
}
