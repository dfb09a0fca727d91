import {
  makeEnvelope,
  OCPP_COMMAND_RESULT_SCHEMA,
  OCPP_EVENT_SCHEMAS,
  OCPP_EVENTS_SOURCE,
  topicName,
  type ChargerConnected,
  type ChargerDisconnected,
  type ChargerRegistryApplied,
  type OcppCallReceived,
  type OcppCommandResult,
  type OcppEventType,
} from '@app/contracts';
import type { KafkaPublisher } from '@app/kafka';
import type { OcppEventSink } from '../../application/ports';

/**
 * Envelopes for `ocpp.v16.events` (key chargePointId) and `ocpp.v16.command-results` (key
 * commandId), sent through the shared coalescing publisher: concurrent CALLs from many chargers
 * leave in one produce request, each caller resumes when the broker acknowledged the batch.
 */
export class KafkaOcppEventSink implements OcppEventSink {
  private readonly eventsTopic: string;
  private readonly resultsTopic: string;

  constructor(
    private readonly publisher: KafkaPublisher,
    topicPrefix: string,
  ) {
    this.eventsTopic = topicName('ocppEvents', topicPrefix);
    this.resultsTopic = topicName('ocppCommandResults', topicPrefix);
  }

  private event<T>(type: OcppEventType, chargePointId: string, data: T, time: string): Promise<void> {
    const envelope = makeEnvelope({
      type,
      source: OCPP_EVENTS_SOURCE,
      subject: chargePointId,
      schema: OCPP_EVENT_SCHEMAS[type],
      data,
      time,
    });
    return this.publisher.publish({
      topic: this.eventsTopic,
      key: chargePointId,
      value: JSON.stringify(envelope),
    });
  }

  callReceived(event: OcppCallReceived): Promise<void> {
    return this.event('OcppCallReceived', event.chargePointId, event, event.receivedAt);
  }

  chargerConnected(event: ChargerConnected): Promise<void> {
    return this.event('ChargerConnected', event.chargePointId, event, event.connectedAt);
  }

  chargerDisconnected(event: ChargerDisconnected): Promise<void> {
    return this.event('ChargerDisconnected', event.chargePointId, event, event.disconnectedAt);
  }

  chargerRegistryApplied(event: ChargerRegistryApplied): Promise<void> {
    return this.event('ChargerRegistryApplied', event.chargePointId, event, event.appliedAt);
  }

  commandResult(result: OcppCommandResult): Promise<void> {
    const envelope = makeEnvelope({
      type: 'OcppCommandCompleted',
      source: OCPP_EVENTS_SOURCE,
      subject: result.commandId,
      schema: OCPP_COMMAND_RESULT_SCHEMA,
      data: result,
      time: result.completedAt,
    });
    return this.publisher.publish({
      topic: this.resultsTopic,
      key: result.commandId,
      value: JSON.stringify(envelope),
    });
  }
}
