import { isUuid, SESSION_EVENT_SCHEMAS, SESSIONS_SOURCE, type Envelope } from '@app/contracts';

/** The session events billing acts on; the others on the topic are not its business. */
const BILLED = ['SessionCompleted', 'SessionInvalidated'] as const;

/**
 * The edge check of `charging.sessions.v1` (the consumer's `validate` hook): what makes an
 * envelope one billing must not act on, whatever its data. A record failing it goes to the
 * dead-letter topic with these reasons, for operations (a producer or contract version billing
 * does not know yet: deploy, then replay). What is wrong with the data of a known SessionCompleted
 * (no tariff, a meter going backwards, a charger's odd timestamp) stays billing's business: an
 * anomaly in the finance report, or a charge — never the dead-letter topic.
 */
export function sessionEnvelopeProblems(envelope: Envelope): string[] {
  const problems: string[] = [];
  // The id keys the charge (source_event_id) and the anomaly: nothing else identifies the record.
  if (!isUuid(envelope.id)) problems.push(`id ${JSON.stringify(envelope.id)} is not a uuid`);
  const type = BILLED.find((t) => t === envelope.type);
  if (type) {
    if (envelope.schema !== SESSION_EVENT_SCHEMAS[type]) {
      problems.push(
        `${type} with schema ${JSON.stringify(envelope.schema)}: billing reads ${SESSION_EVENT_SCHEMAS[type]}`,
      );
    }
    if (envelope.source !== SESSIONS_SOURCE) {
      problems.push(`${type} from ${JSON.stringify(envelope.source)}: only ${SESSIONS_SOURCE} produces it`);
    }
  }
  return problems;
}
