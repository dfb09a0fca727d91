import type { SessionCompleted, SessionInvalidated } from '@app/contracts';
import { chargeForCompletedSession, malformedSessionCompleted, type ChargeRecord } from '../domain/charge';
import type { ChargeStore, Db, SessionRecord } from './ports';

export type { SessionRecord } from './ports';

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
export class RecordSessionEvents {
  constructor(
    private readonly charges: ChargeStore,
    private readonly now = () => new Date(),
  ) {}

  async handle(c: Db, records: SessionRecord[]): Promise<RecordOutcome> {
    const { charges, now } = this;
    const outcome: RecordOutcome = { charged: [], anomalies: 0, duplicates: 0 };
    for (const record of records) {
      const envelope = record.envelope;
      if (envelope === null) {
        await charges.insertAnomaly(
          c,
          record.position,
          { kind: 'MALFORMED_EVENT', reason: record.unreadable ?? 'not an envelope' },
          record.value?.toString('utf8').slice(0, 10000) ?? null,
          {},
        );
        outcome.anomalies++;
        continue;
      }
      if (envelope.type === 'SessionCompleted') {
        const problem = malformedSessionCompleted(envelope.data);
        if (problem) {
          await charges.insertAnomaly(
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
          await charges.insertAnomaly(c, envelope.id, result.anomaly, envelope.data, ref);
          outcome.anomalies++;
        } else {
          // Guarded, so that data the store refuses (a year Postgres cannot hold...) becomes an
          // anomaly of this record instead of failing the whole batch again and again.
          const stored = await charges.guarded(c, async () => {
            if (!(await charges.insertSessionCharge(c, result.charge))) return false;
            await charges.appendChargeCalculated(c, [result.charge]);
            return true;
          });
          if ('ok' in stored) {
            if (stored.ok) outcome.charged.push(result.charge);
            else outcome.duplicates++;
          } else {
            await charges.insertAnomaly(
              c,
              envelope.id,
              { kind: 'MALFORMED_EVENT', reason: `not storable: ${stored.refused.message}` },
              envelope.data,
              ref,
            );
            outcome.anomalies++;
          }
        }
      } else if (envelope.type === 'SessionInvalidated') {
        const s = envelope.data as SessionInvalidated;
        await charges.insertAnomaly(
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
}
