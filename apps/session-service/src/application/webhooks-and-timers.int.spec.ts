import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { topicName } from '@app/contracts';
import { GatewayRecords } from '../testing/gateway-records';
import { startHarness, waitFor, type Harness } from '../testing/harness';
import type { SessionState } from '../domain/session';
import { verifyTimestampedSignature } from '../domain/webhook-signature';

describe('webhooks and timers (real Kafka + Postgres)', () => {
  let h: Harness;
  let server: http.Server;
  let url: string;
  const received: { type: string; status: string; sessionId: string; signatureOk: boolean }[] = [];
  let failFirst = 1;
  const SECRET = 'whsec-test-secret';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failFirst-- > 0) {
          res.statusCode = 500; // the first delivery fails: it must be retried, and nothing overtakes it
          res.end();
          return;
        }
        const expected = 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex');
        const parsed = JSON.parse(body);
        received.push({
          type: parsed.type,
          status: parsed.data.data.status,
          sessionId: parsed.data.data.id,
          signatureOk:
            req.headers['x-hub-signature-256'] === expected &&
            verifyTimestampedSignature(
              SECRET,
              body,
              String(req.headers['x-chargebill-signature']),
              Date.now() / 1000,
            ) &&
            parsed.object === 'event' &&
            parsed.data.object === 'fleet.charging_session',
        });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    h = await startHarness('sess_hooks', {
      // The receiver is on loopback: allowed here only (production refuses it, test/security).
      webhooks: {
        baseBackoffMs: 100,
        pollMs: 50,
        secretKey: randomBytes(32),
        allowHttp: true,
        allowedAddresses: ['127.0.0.1'],
      },
      timers: { stopGraceMinutes: 10, startTimeoutSeconds: 60 },
    });
    await h.runtime.manageWebhooks.create('fleet-w', { url, events: null }, async () => undefined, SECRET);
    h.runtime.webhookOutbox.refresh();
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => server.close(r));
  });

  const topic = () => topicName('ocppEvents', h.tk.prefix);
  const session = async (cp: string, tx: number) =>
    (
      await h.runtime.pool.query<{ state: SessionState }>(
        'select state from sessions where charge_point_id = $1 and transaction_id = $2',
        [cp, tx],
      )
    ).rows[0]?.state;

  it('sends signed pump-style webhooks, retried, in order per session', async () => {
    const cp = new GatewayRecords('CP-W-1', 'fleet-w');
    const t0 = new Date();
    await h.produce(topic(), [cp.connected(), cp.startTransaction(1, 1, 100, t0)]);
    await waitFor(async () => (await session('CP-W-1', 1))?.status === 'ACTIVE');
    await h.produce(topic(), [cp.meterValues(1, 1, 600, new Date(t0.getTime() + 60_000))]);
    await waitFor(async () => (await session('CP-W-1', 1))?.lastMeter?.wh === 600);
    await h.produce(topic(), [cp.stopTransaction(1, 900, new Date(t0.getTime() + 120_000))]);
    await waitFor(async () => received.length >= 3, 20000, '3 webhooks');
    expect(received.map((r) => r.type)).toEqual([
      'fleet.charging_session.started',
      'fleet.charging_session.updated',
      'fleet.charging_session.closed',
    ]);
    expect(received.every((r) => r.signatureOk)).toBe(true);
    expect(received[2].status).toBe('CLOSED');
    const { rows } = await h.runtime.pool.query('select attempts from webhook_deliveries order by id');
    expect(rows.map((r) => r.attempts)).toEqual([2, 1, 1]); // the first one was retried once
  });

  it('timers: a connector Available without StopTransaction is closed INFERRED after the grace; a start without StartTransaction fails', async () => {
    const cp = new GatewayRecords('CP-T-1', 'fleet-t');
    const now = Date.now();
    await h.produce(topic(), [
      cp.connected(),
      cp.startTransaction(1, 5, 1000, new Date(now - 60_000)),
      cp.meterValues(1, 5, 4000, new Date(now - 30_000)),
      cp.status(1, 'Available', new Date(now - 20_000)),
    ]);
    await waitFor(async () => (await session('CP-T-1', 5))?.connectorStatus === 'Available');
    await h.runtime.runTimers.runOnce(new Date(now + 5 * 60_000));
    expect((await session('CP-T-1', 5)).status).toBe('ACTIVE'); // within STOP_GRACE_MINUTES
    await h.runtime.runTimers.runOnce(new Date(now + 11 * 60_000));
    const closed = await session('CP-T-1', 5);
    expect(closed).toMatchObject({ status: 'CLOSED', stop: { stopReason: 'INFERRED', meterStopWh: 4000 } });
    expect(closed.flags).toContain('INFERRED_STOP');

    // The charger's real StopTransaction arrives after the inferred close: the session (and its
    // bill) stays as closed, and the charger's meterStop is kept as an anomaly for finance.
    await h.produce(topic(), [cp.stopTransaction(5, 4600, new Date(now - 10_000))]);
    const late = await waitFor(async () => {
      const { rows } = await h.runtime.pool.query<{ detail: Record<string, unknown> }>(
        `select detail from anomalies where kind = 'STOP_AFTER_INFERRED_CLOSE' and charge_point_id = 'CP-T-1'`,
      );
      return rows[0]?.detail ?? null;
    });
    expect(late).toMatchObject({
      transactionId: 5,
      meterStop: 4600,
      inferredMeterStop: 4000,
      sessionId: closed.sessionId,
    });
    expect(await session('CP-T-1', 5)).toMatchObject({
      status: 'CLOSED',
      stop: { stopReason: 'INFERRED', meterStopWh: 4000 },
    });

    // A remote start nobody answers: FAILED after START_TIMEOUT_SECONDS.
    await h.runtime.pool.query(
      `insert into chargers (charge_point_id, fleet_id, last_seen_at) values ('CP-T-2', 'fleet-t', now())`,
    );
    const { session: started } = await h.runtime.startSession.execute({
      fleetId: 'fleet-t',
      evse: 'CP-T-2*1',
      userReference: null,
      idempotencyKey: null,
      actor: { kind: 'api_key', id: 'key-of-fleet-t' },
    });
    await h.runtime.runTimers.runOnce(new Date(Date.now() + 61_000));
    const failed = (
      await h.runtime.pool.query<{ state: SessionState }>(
        'select state from sessions where session_id = $1',
        [started.sessionId],
      )
    ).rows[0].state;
    expect(failed).toMatchObject({ status: 'FAILED', failure: { reason: 'START_TIMEOUT' } });
  });
});
