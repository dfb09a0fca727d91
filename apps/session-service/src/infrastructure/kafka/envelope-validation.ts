import { topicName, type Envelope, type TopicKey } from '@app/contracts';
import { createEnvelopeValidator, TOPIC_SCHEMAS } from '@app/contracts/schemas';

/**
 * The edge check of every record the session service consumes (the consumers' `validate` hook):
 * the envelope must carry a schema that belongs on its topic and be valid against that schema's
 * JSON Schema. What fails goes to `<topic>.dlq` with the problems as its reason; the use cases
 * only ever see contract-valid envelopes.
 */
export function sessionEnvelopeValidation(
  topicPrefix: string,
  topics: readonly TopicKey[],
): (envelope: Envelope, topic: string) => string[] {
  const check = createEnvelopeValidator();
  const allowed = new Map(topics.map((k) => [topicName(k, topicPrefix), TOPIC_SCHEMAS[k]]));
  return (envelope, topic) => {
    const schemas = allowed.get(topic);
    if (schemas && !schemas.includes(envelope.schema))
      return [
        `schema ${JSON.stringify(envelope.schema)} does not belong on ${topic} (${schemas.join(', ')})`,
      ];
    return check(envelope);
  };
}
