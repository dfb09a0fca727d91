import { makeEnvelope, SESSION_EVENT_SCHEMAS } from '@app/contracts';
import { sessionEnvelopeProblems } from './session-envelope-problems';

const completed = (over: Record<string, unknown> = {}) => ({
  ...makeEnvelope({
    type: 'SessionCompleted',
    source: 'session-service',
    subject: 's-1',
    schema: SESSION_EVENT_SCHEMAS.SessionCompleted,
    data: { tariff: null },
  }),
  ...over,
});

describe('sessionEnvelopeProblems (the edge check of charging.sessions.v1)', () => {
  it('accepts a SessionCompleted of the contract billing reads, whatever its data', () => {
    // Data problems are billing's own report (anomalies), not the dead-letter topic's.
    expect(sessionEnvelopeProblems(completed())).toEqual([]);
  });

  it('refuses a contract version billing does not read, a foreign producer and an id that is not a uuid', () => {
    expect(sessionEnvelopeProblems(completed({ schema: 'charging.session-completed/v2' }))).toEqual([
      'SessionCompleted with schema "charging.session-completed/v2": billing reads charging.session-completed/v1',
    ]);
    expect(sessionEnvelopeProblems(completed({ source: 'ocpp-gateway' }))).toEqual([
      'SessionCompleted from "ocpp-gateway": only session-service produces it',
    ]);
    expect(sessionEnvelopeProblems(completed({ id: 'evt-1' }))).toEqual(['id "evt-1" is not a uuid']);
  });

  it('leaves the session events billing ignores alone, but for their id', () => {
    const started = completed({ type: 'SessionStarted', schema: 'whatever/v9', source: 'elsewhere' });
    expect(sessionEnvelopeProblems(started)).toEqual([]);
    expect(sessionEnvelopeProblems({ ...started, id: '' })).toEqual(['id "" is not a uuid']);
  });
});
