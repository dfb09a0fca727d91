import { randomUUID } from 'node:crypto';
import {
  makeEnvelope,
  OCPP_COMMAND_RESULT_SCHEMA,
  OCPP_EVENTS_SOURCE,
  topicName,
  type OcppCommandResult,
} from '@app/contracts';
import { GatewayRecords } from '../testing/gateway-records';
import { startHarness, waitFor, type Harness } from '../testing/harness';
import { ChargerCommandError } from './ports';

const actor = { kind: 'api_key' as const, id: 'key-of-fleet-stop' };

describe('remote stop: the wait and what the charger answered (real Kafka + Postgres)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('sess_stop', { stopWaitSeconds: 3 });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function activeSession(chargePointId: string, transactionId: number): Promise<string> {
    const g = new GatewayRecords(chargePointId, 'fleet-stop');
    await h.produce(topicName('ocppEvents', h.tk.prefix), [
      g.connected(),
      g.startTransaction(1, transactionId, 1000, new Date()),
    ]);
    return waitFor(async () => {
      const { rows } = await h.runtime.pool.query<{ session_id: string }>(
        `select session_id::text from sessions where charge_point_id = $1 and status = 'ACTIVE'`,
        [chargePointId],
      );
      return rows[0]?.session_id ?? null;
    });
  }

  /** Plays the gateway: answers the session's RemoteStopTransaction with `answer`. */
  async function answerStop(sessionId: string, answer: Partial<OcppCommandResult>): Promise<void> {
    const command = await waitFor(async () => {
      const { rows } = await h.runtime.pool.query<{ command_id: string; charge_point_id: string }>(
        `select command_id::text, charge_point_id from commands where session_id = $1 and action = 'RemoteStopTransaction'`,
        [sessionId],
      );
      return rows[0] ?? null;
    });
    const result: OcppCommandResult = {
      commandId: command.command_id,
      chargePointId: command.charge_point_id,
      action: 'RemoteStopTransaction',
      outcome: 'Result',
      completedAt: new Date().toISOString(),
      sessionId,
      ...answer,
    };
    const env = makeEnvelope({
      type: 'OcppCommandCompleted',
      source: OCPP_EVENTS_SOURCE,
      subject: command.charge_point_id,
      schema: OCPP_COMMAND_RESULT_SCHEMA,
      id: randomUUID(),
      data: result,
    });
    await h.produce(topicName('ocppCommandResults', h.tk.prefix), [
      { key: command.command_id, value: JSON.stringify(env) },
    ]);
  }

  async function stopError(sessionId: string): Promise<ChargerCommandError> {
    const e = await h.runtime.stopSession.execute('fleet-stop', sessionId, actor).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ChargerCommandError);
    return e as ChargerCommandError;
  }

  it('given a charger that never answers, when stopping, then 504 once the configured wait is over (not the 30 s command timeout)', async () => {
    const sessionId = await activeSession('CP-STOP-1', 401);
    const t0 = Date.now();
    const e = await stopError(sessionId);
    const elapsed = Date.now() - t0;
    expect(e).toMatchObject({ status: 504, code: 'CHARGER_TIMEOUT' });
    expect(e.message).toContain('3 s');
    expect(elapsed).toBeGreaterThanOrEqual(2900);
    expect(elapsed).toBeLessThan(3800);
    // The gateway was told to give up a second before the answer is due, so its Timeout comes back in time.
    const { rows } = await h.runtime.pool.query<{ ms: number }>(
      `select extract(epoch from (deadline - requested_at)) * 1000 as ms from commands where session_id = $1`,
      [sessionId],
    );
    expect(Number(rows[0].ms)).toBeGreaterThan(1500);
    expect(Number(rows[0].ms)).toBeLessThan(2600);
  });

  it('given a charger that answers Rejected, when stopping, then 502 names the status it answered', async () => {
    const sessionId = await activeSession('CP-STOP-2', 402);
    const [e] = await Promise.all([
      stopError(sessionId),
      answerStop(sessionId, { outcome: 'Result', payload: { status: 'Rejected' } }),
    ]);
    expect(e).toMatchObject({ status: 502, code: 'CHARGER_REJECTED' });
    expect(e.message).toBe('the charger did not accept the stop: it answered status Rejected');
  });

  it('given a charger that answers a CALLERROR, when stopping, then 502 names its code and description', async () => {
    const sessionId = await activeSession('CP-STOP-3', 403);
    const [e] = await Promise.all([
      stopError(sessionId),
      answerStop(sessionId, {
        outcome: 'Error',
        error: { code: 'NotSupported', description: 'remote stop is disabled' },
      }),
    ]);
    expect(e).toMatchObject({ status: 502, code: 'CHARGER_REJECTED' });
    expect(e.message).toBe(
      'the charger did not accept the stop: it answered CALLERROR NotSupported (remote stop is disabled)',
    );
  });
});
