import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import {
  BILLING_SOURCE,
  CHARGE_CALCULATED_SCHEMA,
  makeEnvelope,
  nameUuid,
  OCPP201_COMMAND_RESULT_SCHEMA,
  OCPP_EVENTS_SOURCE,
  remoteStartIdOf,
  topicName,
  type ChargeCalculated,
  type Ocpp201Command,
  type Ocpp201CommandResult,
  type TopicKey,
} from '@app/contracts';
import type { SessionState } from '../domain/session';
import { TARIFF_A } from '../domain/session.fixtures.spec';
import { Gateway201Records } from '../testing/gateway-records-201';
import { GatewayRecords } from '../testing/gateway-records';
import { startHarness, waitFor, type Harness } from '../testing/harness';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are inspected field by field
type Json = any;

const FLEET = 'fleet-201-cmd';
const actor = { kind: 'api_key' as const, id: 'key-201' };

/**
 * The session service's 2.0.1 command path on the real broker and Postgres, the station played
 * by records shaped as the gateway publishes them: its TransactionEvents on ocpp.v201.events
 * (testing/gateway-records-201.ts), its answers on ocpp.v201.command-results. Every command that
 * leaves is read back from the commands topics as the gateway would read it.
 */
describe('OCPP 2.0.1 commands: remote start/stop and CostUpdated (real Kafka + Postgres)', () => {
  let h: Harness;
  const consumers: Consumer[] = [];
  const v201: { key: string; value: Json }[] = [];
  const v16: { key: string; value: Json }[] = [];
  /** How the stand-in station answers each 2.0.1 command; null: it does not answer. */
  let answer: (cmd: Ocpp201Command) => Partial<Ocpp201CommandResult> | null = () => null;
  /** What the stand-in station does after answering (its TransactionEvents). */
  let afterAnswer: (cmd: Ocpp201Command) => Promise<void> = async () => undefined;

  async function collect(
    topic: TopicKey,
    into: { key: string; value: Json }[],
    onEach?: (v: Json) => Promise<void>,
  ) {
    const consumer = h.tk.kafka.consumer({ groupId: `${topic}-reader-${randomUUID()}` });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(topic, h.tk.prefix), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = JSON.parse(message.value!.toString());
        into.push({ key: message.key?.toString() ?? '', value });
        await onEach?.(value);
      },
    });
  }

  const publish201 = (records: { key: string; value: string }[]) =>
    h.produce(topicName('ocppV201Events', h.tk.prefix), records);

  async function reply(cmd: Ocpp201Command, result: Partial<Ocpp201CommandResult>): Promise<void> {
    const env = makeEnvelope({
      type: 'OcppCommandCompleted',
      source: OCPP_EVENTS_SOURCE,
      subject: cmd.commandId,
      schema: OCPP201_COMMAND_RESULT_SCHEMA,
      data: {
        commandId: cmd.commandId,
        chargePointId: cmd.chargePointId,
        action: cmd.action,
        outcome: 'Result',
        completedAt: new Date().toISOString(),
        gatewayId: 'gw-test',
        ...(cmd.sessionId ? { sessionId: cmd.sessionId } : {}),
        ...result,
      } as Ocpp201CommandResult,
    });
    await h.produce(topicName('ocppV201CommandResults', h.tk.prefix), [
      { key: cmd.commandId, value: JSON.stringify(env) },
    ]);
  }

  beforeAll(async () => {
    h = await startHarness('sess_cmd201', { stopWaitSeconds: 8, commandTimeoutSeconds: 8 });
    await collect('ocppCommands', v16);
    await collect('ocppV201Commands', v201, async (env) => {
      const cmd = env.data as Ocpp201Command;
      const r = answer(cmd);
      if (!r) return;
      await reply(cmd, r);
      await afterAnswer(cmd);
    });
  });
  afterAll(async () => {
    for (const c of consumers) await c.disconnect();
    await h?.close();
  });

  const session = async (sessionId: string): Promise<SessionState> =>
    (await h.runtime.sessionStore.loadByIds(h.runtime.pool, [sessionId]))[0].state;

  async function connected201(g: Gateway201Records): Promise<void> {
    const now = new Date();
    await publish201([g.connected({}, now), g.boot(now), g.status(1, 'Available', now)]);
    await waitFor(
      async () => {
        const { rows } = await h.runtime.pool.query(
          `select protocol, connected from chargers where charge_point_id = $1`,
          [g.chargePointId],
        );
        return rows[0]?.protocol === 'ocpp2.0.1' && rows[0].connected === true;
      },
      30000,
      `${g.chargePointId} in the chargers projection as ocpp2.0.1`,
    );
  }

  const commandsFor = (list: { value: Json }[], cp: string) =>
    list.filter((r) => r.value.data.chargePointId === cp).map((r) => r.value);

  it('a remote start and stop of a 2.0.1 station: RequestStartTransaction with remoteStartId, RequestStopTransaction naming its transactionId, both on ocpp.v201.commands; a 1.6 charger of the fleet still gets RemoteStartTransaction on ocpp.v16.commands', async () => {
    const station = new Gateway201Records('CS-201-CMD-1', FLEET);
    const legacy = new GatewayRecords('CP-16-CMD-1', FLEET);
    await connected201(station);
    await h.produce(topicName('ocppEvents', h.tk.prefix), [legacy.connected()]);
    const txId = `tx-${randomUUID()}`;
    let seqNo = 0;
    answer = (cmd) =>
      cmd.action === 'RequestStartTransaction' || cmd.action === 'RequestStopTransaction'
        ? { payload: { status: 'Accepted' } }
        : null;
    afterAnswer = async (cmd) => {
      const at = new Date();
      if (cmd.action === 'RequestStartTransaction') {
        const p = cmd.payload as { idToken: { idToken: string }; remoteStartId: number; evseId: number };
        await publish201([
          station.transactionEvent({
            eventType: 'Started',
            transactionId: txId,
            seqNo: seqNo++,
            at,
            evseId: p.evseId,
            triggerReason: 'RemoteStart',
            remoteStartId: p.remoteStartId,
            idToken: p.idToken.idToken,
            readings: [{ value: '1.5', unit: 'kWh', context: 'Transaction.Begin' }],
          }),
        ]);
      } else if (cmd.action === 'RequestStopTransaction') {
        await publish201([
          station.transactionEvent({
            eventType: 'Ended',
            transactionId: txId,
            seqNo: seqNo++,
            at,
            evseId: 1,
            triggerReason: 'RemoteStop',
            stoppedReason: 'Remote',
            readings: [{ value: '4.25', unit: 'kWh', context: 'Transaction.End' }],
          }),
        ]);
      }
    };

    const { session: started } = await h.runtime.startSession.execute({
      fleetId: FLEET,
      evse: 'CS-201-CMD-1*1',
      userReference: 'driver-201',
      actor,
      idempotencyKey: null,
    });
    const [start] = await waitFor(async () => {
      const c = commandsFor(v201, 'CS-201-CMD-1');
      return c.length >= 1 ? c : null;
    });
    expect(start).toMatchObject({
      type: 'OcppCommandRequested',
      schema: 'ocpp201.command/v1',
      data: {
        chargePointId: 'CS-201-CMD-1',
        action: 'RequestStartTransaction',
        payload: {
          idToken: { idToken: started.idTag, type: 'Central' },
          evseId: 1,
          remoteStartId: remoteStartIdOf(started.sessionId),
        },
        requestedBy: 'session-service',
        sessionId: started.sessionId,
      },
    });
    expect(v201.find((r) => r.value.data.commandId === start.data.commandId)!.key).toBe('CS-201-CMD-1');

    const active = await waitFor(
      async () => {
        const s = await session(started.sessionId);
        return s.status === 'ACTIVE' ? s : null;
      },
      30000,
      'the remote session ACTIVE through its TransactionEvent Started',
    );
    expect(active).toMatchObject({ authType: 'REMOTE', connectorId: 1 });
    expect(active.start?.chargerTransactionId).toBe(txId);

    await h.runtime.stopSession.execute(FLEET, started.sessionId, actor);
    const stop = commandsFor(v201, 'CS-201-CMD-1').find((c) => c.data.action === 'RequestStopTransaction');
    expect(stop).toMatchObject({
      schema: 'ocpp201.command/v1',
      data: {
        payload: { transactionId: txId },
        sessionId: started.sessionId,
        requestedBy: 'session-service',
      },
    });
    const closed = await waitFor(
      async () => {
        const s = await session(started.sessionId);
        return s.status === 'CLOSED' ? s : null;
      },
      30000,
      'the session CLOSED through its TransactionEvent Ended',
    );
    expect(closed.stop).toMatchObject({ meterStopWh: 4250 });
    const { rows } = await h.runtime.pool.query(
      `select action, outcome from commands where session_id = $1 order by requested_at`,
      [started.sessionId],
    );
    expect(rows).toEqual([
      { action: 'RequestStartTransaction', outcome: 'Result' },
      { action: 'RequestStopTransaction', outcome: 'Result' },
    ]);
    const audit = await h.runtime.pool.query(
      `select details->>'command' as command from auth_audit_log where details->>'session_id' = $1 order by seq`,
      [started.sessionId],
    );
    expect(audit.rows.map((r) => r.command)).toEqual(['RequestStartTransaction', 'RequestStopTransaction']);
    expect(commandsFor(v16, 'CS-201-CMD-1')).toEqual([]);

    // Side by side: the 1.6 charger of the same fleet is started in 1.6.
    await waitFor(async () => {
      const { rows: c } = await h.runtime.pool.query(
        `select 1 from chargers where charge_point_id = 'CP-16-CMD-1'`,
      );
      return c.length === 1;
    });
    const { session: legacySession } = await h.runtime.startSession.execute({
      fleetId: FLEET,
      evse: 'CP-16-CMD-1*1',
      userReference: null,
      actor,
      idempotencyKey: null,
    });
    const [legacyStart] = await waitFor(async () => {
      const c = commandsFor(v16, 'CP-16-CMD-1');
      return c.length >= 1 ? c : null;
    });
    expect(legacyStart).toMatchObject({
      schema: 'ocpp.command/v1',
      data: {
        action: 'RemoteStartTransaction',
        payload: { connectorId: 1, idTag: legacySession.idTag },
      },
    });
    expect(commandsFor(v201, 'CP-16-CMD-1')).toEqual([]);
  });

  /** A local 2.0.1 session Started → Ended on `station`, CLOSED. */
  async function closedLocalSession(station: Gateway201Records, txId: string): Promise<SessionState> {
    const t0 = new Date(Date.now() - 60_000);
    await publish201([
      station.transactionEvent({
        eventType: 'Started',
        transactionId: txId,
        seqNo: 0,
        at: t0,
        evseId: 1,
        idToken: 'RFID-201',
        readings: [{ value: '1000', unit: 'Wh', context: 'Transaction.Begin' }],
      }),
      station.transactionEvent({
        eventType: 'Ended',
        transactionId: txId,
        seqNo: 1,
        at: new Date(t0.getTime() + 30_000),
        evseId: 1,
        stoppedReason: 'EVDisconnected',
        readings: [{ value: '9000', unit: 'Wh', context: 'Transaction.End' }],
      }),
    ]);
    return waitFor(
      async () => {
        const { rows } = await h.runtime.pool.query<{ session_id: string }>(
          `select session_id::text from sessions where charge_point_id = $1 and status = 'CLOSED'`,
          [station.chargePointId],
        );
        return rows[0] ? session(rows[0].session_id) : null;
      },
      30000,
      `a CLOSED session on ${station.chargePointId}`,
    );
  }

  function chargeRecord(s: SessionState, gross: string): { key: string; value: string } {
    const charge: ChargeCalculated = {
      chargeId: randomUUID(),
      sessionId: s.sessionId,
      fleetId: s.fleetId,
      chargePointId: s.chargePointId,
      evse: s.evse,
      kind: 'CHARGE',
      finalAmount: {
        energy: gross,
        session: '0.0000',
        time: '0.0000',
        net: gross,
        vat: '0.00',
        gross,
        currency: 'EUR',
      },
      inputs: {
        tariff: s.tariff ?? TARIFF_A,
        meter_start: 1000,
        meter_stop: 9000,
        started_at: s.start!.startedAt,
        completed_at: s.stop!.completedAt,
      },
      energyWh: 8000,
      durationS: 30,
      flags: [],
      calculatedAt: new Date().toISOString(),
    };
    const env = makeEnvelope({
      type: 'ChargeCalculated',
      source: BILLING_SOURCE,
      subject: charge.sessionId,
      schema: CHARGE_CALCULATED_SCHEMA,
      data: charge,
    });
    return { key: charge.sessionId, value: JSON.stringify(env) };
  }

  it('a priced 2.0.1 session gets one CostUpdated per charge with the exact gross, even when the charge record is delivered three times; the station’s answer lands on its row', async () => {
    const station = new Gateway201Records('CS-201-COST-1', FLEET);
    await connected201(station);
    const txId = `tx-${randomUUID()}`;
    const closed = await closedLocalSession(station, txId);
    answer = (cmd) => (cmd.action === 'CostUpdated' ? { payload: {} } : null);
    afterAnswer = async () => undefined;

    const record = chargeRecord(closed, '16.4234567890123456789');
    const charges = topicName('sessionCharges', h.tk.prefix);
    await h.produce(charges, [record, record]);
    await h.produce(charges, [record]);
    const chargeId = JSON.parse(record.value).data.chargeId as string;
    const commandId = nameUuid('CostUpdated', chargeId);
    await waitFor(
      async () => {
        const { rows } = await h.runtime.pool.query(`select outcome from commands where command_id = $1`, [
          commandId,
        ]);
        return rows[0]?.outcome === 'Result';
      },
      30000,
      'the CostUpdated answered',
    );
    // Whatever else arrives, it arrives within the consumer's next batches.
    await new Promise((r) => setTimeout(r, 1500));
    const sent = commandsFor(v201, 'CS-201-COST-1');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'OcppCommandRequested',
      schema: 'ocpp201.command/v1',
      id: commandId,
      data: {
        commandId,
        action: 'CostUpdated',
        payload: { totalCost: '16.4234567890123456789', transactionId: txId },
        requestedBy: 'billing',
        sessionId: closed.sessionId,
      },
    });
    const priced = await session(closed.sessionId);
    expect(priced.finalAmount?.gross).toBe('16.4234567890123456789');
    const { rows } = await h.runtime.pool.query(
      `select action, outcome, result->>'outcome' as result_outcome from commands where session_id = $1`,
      [closed.sessionId],
    );
    expect(rows).toEqual([{ action: 'CostUpdated', outcome: 'Result', result_outcome: 'Result' }]);
  });

  it('a station that disconnected before its session was priced: the CostUpdated is recorded Offline and never sent', async () => {
    const station = new Gateway201Records('CS-201-COST-2', FLEET);
    await connected201(station);
    const closed = await closedLocalSession(station, `tx-${randomUUID()}`);
    await publish201([station.disconnected(new Date())]);
    await waitFor(async () => {
      const { rows } = await h.runtime.pool.query(
        `select connected from chargers where charge_point_id = 'CS-201-COST-2'`,
      );
      return rows[0]?.connected === false;
    });
    const record = chargeRecord(closed, '3.10');
    await h.produce(topicName('sessionCharges', h.tk.prefix), [record]);
    const commandId = nameUuid('CostUpdated', JSON.parse(record.value).data.chargeId as string);
    const row = await waitFor(async () => {
      const { rows } = await h.runtime.pool.query(
        `select action, outcome, result from commands where command_id = $1`,
        [commandId],
      );
      return rows[0] ?? null;
    });
    expect(row).toMatchObject({
      action: 'CostUpdated',
      outcome: 'Offline',
      result: { outcome: 'Offline', action: 'CostUpdated', sessionId: closed.sessionId },
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(commandsFor(v201, 'CS-201-COST-2')).toEqual([]);
  });
});
