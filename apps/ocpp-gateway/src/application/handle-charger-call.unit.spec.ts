import { OCPP_INBOUND_ACTIONS, type OcppCallReceived } from '@app/contracts';
import { exampleRequests, Ocpp16Validator, parseFrame, type CallFrame } from '@app/ocpp';
import { PublishTimeoutError } from '@app/kafka';
import { TransactionIdBlocks } from '../domain/transaction-id-block';
import type { IdTagRecord } from '../domain/id-tag-info';
import type { ChargerContext } from './answer-call';
import { HandleChargerCall } from './handle-charger-call';
import type { ChargerRepository, OcppEventSink, StartTransactionKey, TransactionRepository } from './ports';

const validator = new Ocpp16Validator();

class FakeSink implements OcppEventSink {
  published: OcppCallReceived[] = [];
  failWith: Error | null = null;
  async callReceived(e: OcppCallReceived) {
    if (this.failWith) throw this.failWith;
    this.published.push(e);
  }
  async ocpp201CallReceived() {
    throw new Error('a 1.6 CALL must never be published as 2.0.1');
  }
  async chargerConnected() {}
  async chargerDisconnected() {}
  async commandResult() {}
  async chargerRegistryApplied() {}
}

class FakeTransactions implements TransactionRepository {
  starts = new Map<string, number>();
  next = 1;
  async reserveBlock() {
    const s = this.next;
    this.next += 100;
    return s;
  }
  async recordStart(key: StartTransactionKey, candidate: number) {
    const k = JSON.stringify(key);
    if (!this.starts.has(k)) this.starts.set(k, candidate);
    return this.starts.get(k)!;
  }
}

const tags: Record<string, IdTagRecord> = {
  GOOD: { status: 'Accepted', expiryDate: null, parentIdTag: null },
};
const chargers: ChargerRepository = {
  find: async () => null,
  registerIfAbsent: async () => {
    throw new Error('unused');
  },
  findIdTag: async (_fleet, tag) => tags[tag] ?? null,
  grantRemoteStartIdTag: async () => undefined,
};

function setup(sampleMs = 0) {
  const sink = new FakeSink();
  const transactions = new FakeTransactions();
  const handler = new HandleChargerCall({
    validator,
    chargers,
    transactions,
    transactionIds: new TransactionIdBlocks(() => transactions.reserveBlock(), 100),
    sink,
    gatewayId: 'gw-test',
    acceptUnknownIdTags: false,
    heartbeatIntervalS: 120,
    heartbeatSampleMs: sampleMs,
    dataTransferVendors: new Set(['com.known']),
  });
  const ctx: ChargerContext = { chargePointId: 'CP-1', fleetId: 'f', lastHeartbeatPublishedAt: 0 };
  const run = (action: string, payload: Record<string, unknown>, id = 'm1') => {
    const raw = JSON.stringify([2, id, action, payload]);
    return handler.execute(ctx, parseFrame(raw) as CallFrame, raw, new Date());
  };
  return { sink, run, ctx };
}

describe('HandleChargerCall', () => {
  it.each(OCPP_INBOUND_ACTIONS.map((a) => [a]))(
    'answers a valid %s with a schema-valid confirmation, published first',
    async (action) => {
      const { sink, run } = setup();
      const { reply, outcome } = await run(action, exampleRequests()[action]);
      const frame = JSON.parse(reply);
      expect(outcome).toBe('result');
      expect(frame[0]).toBe(3);
      expect(validator.validateResponse(action, frame[2])).toBeNull();
      expect(sink.published).toHaveLength(1);
      expect(sink.published[0].reply).toEqual(frame[2]);
    },
  );

  it('answers InternalError, not a CALLRESULT, when the record is not acknowledged', async () => {
    const { sink, run } = setup();
    sink.failWith = new PublishTimeoutError(100);
    for (const action of OCPP_INBOUND_ACTIONS) {
      const { reply } = await run(action, exampleRequests()[action]);
      expect(JSON.parse(reply).slice(0, 3)).toEqual([4, 'm1', 'InternalError']);
    }
  });

  it('publishes nothing for an invalid CALL', async () => {
    const { sink, run } = setup();
    const { outcome } = await run('StartTransaction', { connectorId: 1 });
    expect(outcome).toBe('OccurenceConstraintViolation');
    expect(sink.published).toHaveLength(0);
  });

  it('always confirms StopTransaction (unknown transaction, repeat), with idTagInfo when an idTag is given', async () => {
    const { run } = setup();
    const stop = { transactionId: 777, meterStop: 10, timestamp: '2026-01-15T12:00:00Z' };
    expect(JSON.parse((await run('StopTransaction', stop)).reply)).toEqual([3, 'm1', {}]);
    expect(JSON.parse((await run('StopTransaction', stop, 'm2')).reply)).toEqual([3, 'm2', {}]);
    expect(JSON.parse((await run('StopTransaction', { ...stop, idTag: 'BAD' }, 'm3')).reply)[2]).toEqual({
      idTagInfo: { status: 'Invalid' },
    });
  });

  it('gives a retried StartTransaction the same transactionId', async () => {
    const { run } = setup();
    const start = { connectorId: 1, idTag: 'GOOD', meterStart: 5, timestamp: '2026-01-15T12:00:00Z' };
    const a = JSON.parse((await run('StartTransaction', start)).reply)[2];
    const b = JSON.parse((await run('StartTransaction', start, 'm2')).reply)[2];
    const c = JSON.parse((await run('StartTransaction', { ...start, meterStart: 6 }, 'm3')).reply)[2];
    expect(a).toEqual({ transactionId: 1, idTagInfo: { status: 'Accepted' } });
    expect(b.transactionId).toBe(1);
    // The retry used up a candidate id: ids are unique, not dense.
    expect(c.transactionId).toBe(3);
  });

  it('answers DataTransfer for an unknown vendor UnknownVendorId', async () => {
    const { run } = setup();
    expect(JSON.parse((await run('DataTransfer', { vendorId: 'com.other' })).reply)[2]).toEqual({
      status: 'UnknownVendorId',
    });
    expect(JSON.parse((await run('DataTransfer', { vendorId: 'com.known' })).reply)[2]).toEqual({
      status: 'Accepted',
    });
  });

  it('samples heartbeats per connection', async () => {
    const { sink, run } = setup(60_000);
    await run('Heartbeat', {}, 'h1');
    await run('Heartbeat', {}, 'h2');
    expect(sink.published.map((e) => e.messageId)).toEqual(['h1']);
  });
});

describe('HandleChargerCall when the database is down', () => {
  it('still confirms StopTransaction (without idTagInfo) but answers StartTransaction InternalError', async () => {
    const sink = new FakeSink();
    const broken: ChargerRepository = {
      ...chargers,
      findIdTag: async () => Promise.reject(new Error('db down')),
    };
    const transactions = new FakeTransactions();
    const handler = new HandleChargerCall({
      validator,
      chargers: broken,
      transactions,
      transactionIds: new TransactionIdBlocks(() => transactions.reserveBlock(), 100),
      sink,
      gatewayId: 'gw',
      acceptUnknownIdTags: false,
      heartbeatIntervalS: 60,
      heartbeatSampleMs: 0,
      dataTransferVendors: new Set(),
    });
    const ctx: ChargerContext = { chargePointId: 'CP', fleetId: 'f', lastHeartbeatPublishedAt: 0 };
    const call = (action: string, payload: Record<string, unknown>) => {
      const raw = JSON.stringify([2, 'x', action, payload]);
      return handler.execute(ctx, parseFrame(raw) as CallFrame, raw, new Date());
    };
    const stop = await call('StopTransaction', {
      transactionId: 1,
      meterStop: 2,
      timestamp: '2026-01-15T12:00:00Z',
      idTag: 'T',
    });
    expect(JSON.parse(stop.reply)).toEqual([3, 'x', {}]);
    expect(sink.published).toHaveLength(1);
    const start = await call('StartTransaction', {
      connectorId: 1,
      idTag: 'T',
      meterStart: 0,
      timestamp: '2026-01-15T12:00:00Z',
    });
    expect(start.outcome).toBe('InternalError');
  });
});
