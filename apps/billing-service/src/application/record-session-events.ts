import type { SessionCompleted, SessionInvalidated } from '@app/contracts';
import { parseEnvelope, type Envelope } from '@app/contracts';
import type { Queryable } from '@app/event-store';
import { chargeForCompletedSession, malformedSessionCompleted, type ChargeRecord } from '../domain/charge';
import { chargeRepository } from '../infrastructure/charge-repository';

/** One record of `charging.sessions.v1` as the consumer hands it over. */
export interface SessionRecord {
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
}

export interface RecordOutcome {
  charged: ChargeRecord[];
  anomalies: number;
  duplicates: number;
}

/**
 * Bills the completed sessions of a batch, inside the caller's transaction (which also stores the
 * consumer offset): SessionCompleted → price with the session's own tariff snapshot → insert the
 * charge (a redelivery hits the unique index and stores nothing) → ChargeCalculated into the
 * outbox. INVALID sessions, sessions without a usable tariff and records billing cannot read
 * become anomalies, never charges. Other session events are not billing's business.
 */
export async function recordSessionEvents(
  c: Queryable,
  records: SessionRecord[],
  now = () => new Date(),
): Promise<RecordOutcome> {
  const outcome: RecordOutcome = { charged: [], anomalies: 0, duplicates: 0 };
  for (const record of records) {
    const position = `${record.topic}:${record.partition}:${record.offset}`;
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(record.value);
    } catch (e) {
      await chargeRepository.insertAnomaly(
        c,
        position,
        { kind: 'MALFORMED_EVENT', reason: (e as Error).message },
        record.value?.toString('utf8').slice(0, 10000) ?? null,
        {},
      );
      outcome.anomalies++;
      continue;
    }
    if (envelope.type === 'SessionCompleted') {
      const problem = malformedSessionCompleted(envelope.data);
      if (problem) {
        await chargeRepository.insertAnomaly(
          c,
          envelope.id,
          { kind: 'MALFORMED_EVENT', reason: `SessionCompleted: ${problem}` },
          envelope,
          {},
        );
        outcome.anomalies++;
        continue;
      }
      const session = envelope.data as SessionCompleted;
      const ref = {
        sessionId: session.sessionId,
        fleetId: session.fleetId,
        chargePointId: session.chargePointId,
        evse: session.evse,
      };
      const result = chargeForCompletedSession(session, envelope.id, now().toISOString());
      if ('anomaly' in result) {
        await chargeRepository.insertAnomaly(c, envelope.id, result.anomaly, envelope.data, ref);
        outcome.anomalies++;
      } else {
        // A savepoint, so that data Postgres refuses (a year it cannot store...) becomes an
        // anomaly of this record instead of failing the whole batch again and again.
        await c.query('savepoint charge');
        try {
          if (await chargeRepository.insertSessionCharge(c, result.charge)) {
            await chargeRepository.appendChargeCalculated(c, [result.charge]);
            outcome.charged.push(result.charge);
          } else {
            outcome.duplicates++;
          }
          await c.query('release savepoint charge');
        } catch (e) {
          const code = (e as { code?: string }).code ?? '';
          if (!code.startsWith('22')) throw e; // only data exceptions are this record's fault
          await c.query('rollback to savepoint charge');
          await chargeRepository.insertAnomaly(
            c,
            envelope.id,
            { kind: 'MALFORMED_EVENT', reason: `not storable: ${(e as Error).message}` },
            envelope.data,
            ref,
          );
          outcome.anomalies++;
        }
      }
    } else if (envelope.type === 'SessionInvalidated') {
      const s = envelope.data as SessionInvalidated;
      await chargeRepository.insertAnomaly(
        c,
        envelope.id,
        { kind: 'SESSION_INVALIDATED', reason: String(s?.reason ?? 'invalidated') },
        envelope.data,
        {
          sessionId: s?.sessionId,
          fleetId: s?.fleetId,
          chargePointId: s?.chargePointId,
          evse: s?.evse,
        },
      );
      outcome.anomalies++;
    }
  }
  return outcome;
}
