import {
  makeEnvelope,
  OCPP201_COMMAND_RESULT_SCHEMA,
  OCPP201_EVENT_SCHEMAS,
  OCPP_COMMAND_RESULT_SCHEMA,
  OCPP_EVENT_SCHEMAS,
  OCPP_EVENTS_SOURCE,
  topicName,
  type AnyOcppCommandResult,
  type ChargerConnected,
  type ChargerDisconnected,
  type ChargerProtocol,
  type ChargerRegistryApplied,
  type Ocpp201CallReceived,
  type OcppCallReceived,
} from '@app/contracts';
import type { KafkaPublisher } from '@app/kafka';
import type { OcppEventSink } from '../../application/ports';

/** Where one protocol's records go, and under which schema ids. */
interface ProtocolTopics {
  events: string;
  results: string;
  resultSchema: string;
  schemas: Record<'CallReceived' | 'ChargerConnected' | 'ChargerDisconnected', string>;
  callType: 'OcppCallReceived' | 'Ocpp201CallReceived';
}

/**
 * Envelopes for the events topics (key chargePointId) and the command-results topics (key
 * commandId) of both protocols, sent through the shared coalescing publisher: concurrent CALLs from
 * many chargers leave in one produce request, each caller resumes when the broker acknowledged the
 * batch. 1.6 connections write `ocpp.v16.*`, 2.0.1 connections `ocpp.v201.*`.
 */
export class KafkaOcppEventSink implements OcppEventSink {
  private readonly topics: Record<ChargerProtocol, ProtocolTopics>;

  constructor(
    private readonly publisher: KafkaPublisher,
    topicPrefix: string,
  ) {
    this.topics = {
      'ocpp1.6': {
        events: topicName('ocppEvents', topicPrefix),
        results: topicName('ocppCommandResults', topicPrefix),
        resultSchema: OCPP_COMMAND_RESULT_SCHEMA,
        schemas: {
          CallReceived: OCPP_EVENT_SCHEMAS.OcppCallReceived,
          ChargerConnected: OCPP_EVENT_SCHEMAS.ChargerConnected,
          ChargerDisconnected: OCPP_EVENT_SCHEMAS.ChargerDisconnected,
        },
        callType: 'OcppCallReceived',
      },
      'ocpp2.0.1': {
        events: topicName('ocppV201Events', topicPrefix),
        results: topicName('ocppV201CommandResults', topicPrefix),
        resultSchema: OCPP201_COMMAND_RESULT_SCHEMA,
        schemas: {
          CallReceived: OCPP201_EVENT_SCHEMAS.Ocpp201CallReceived,
          ChargerConnected: OCPP201_EVENT_SCHEMAS.ChargerConnected,
          ChargerDisconnected: OCPP201_EVENT_SCHEMAS.ChargerDisconnected,
        },
        callType: 'Ocpp201CallReceived',
      },
    };
  }

  private publish(
    topic: string,
    type: string,
    schema: string,
    subject: string,
    data: unknown,
    time: string,
  ): Promise<void> {
    const envelope = makeEnvelope({ type, source: OCPP_EVENTS_SOURCE, subject, schema, data, time });
    return this.publisher.publish({ topic, key: subject, value: JSON.stringify(envelope) });
  }

  private event(
    protocol: ChargerProtocol,
    kind: keyof ProtocolTopics['schemas'],
    chargePointId: string,
    data: unknown,
    time: string,
  ): Promise<void> {
    const t = this.topics[protocol];
    const type = kind === 'CallReceived' ? t.callType : kind;
    return this.publish(t.events, type, t.schemas[kind], chargePointId, data, time);
  }

  callReceived(event: OcppCallReceived): Promise<void> {
    return this.event('ocpp1.6', 'CallReceived', event.chargePointId, event, event.receivedAt);
  }

  ocpp201CallReceived(event: Ocpp201CallReceived): Promise<void> {
    return this.event('ocpp2.0.1', 'CallReceived', event.chargePointId, event, event.receivedAt);
  }

  chargerConnected(event: ChargerConnected): Promise<void> {
    const protocol = event.protocol ?? 'ocpp1.6';
    return this.event(protocol, 'ChargerConnected', event.chargePointId, event, event.connectedAt);
  }

  chargerDisconnected(event: ChargerDisconnected, protocol: ChargerProtocol): Promise<void> {
    return this.event(protocol, 'ChargerDisconnected', event.chargePointId, event, event.disconnectedAt);
  }

  chargerRegistryApplied(event: ChargerRegistryApplied): Promise<void> {
    return this.publish(
      this.topics['ocpp1.6'].events,
      'ChargerRegistryApplied',
      OCPP_EVENT_SCHEMAS.ChargerRegistryApplied,
      event.chargePointId,
      event,
      event.appliedAt,
    );
  }

  commandResult(result: AnyOcppCommandResult, protocol: ChargerProtocol): Promise<void> {
    const t = this.topics[protocol];
    return this.publish(
      t.results,
      'OcppCommandCompleted',
      t.resultSchema,
      result.commandId,
      result,
      result.completedAt,
    );
  }
}
