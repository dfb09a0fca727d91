import fc from 'fast-check';
import { OCPP201_INBOUND_ACTIONS, type Ocpp201CallReceived } from '@app/contracts';
import { exampleRequests201, Ocpp201Validator, parseFrame, type CallFrame } from '@app/ocpp';
import { PublishTimeoutError } from '@app/kafka';
import type { IdTagRecord } from '../domain/id-tag-info';
import type { ChargerContext } from './answer-call';
import { HandleStationCall201 } from './handle-station-call-201';
import type { ChargerRepository, OcppEventSink } from './ports';

const validator = new Ocpp201Validator();
const NOW = new Date('2026-12-01T20:00:00.000Z');

/** Records what was published, and at which moment relative to the replies (publish-before-reply). */
class FakeSink implements OcppEventSink {
  published: Ocpp201CallReceived[] = [];
  failWith: Error | null = null;
  async callReceived() {
    throw new Error('a 2.0.1 CALL must never be published as 1.6');
  }
  async ocpp201CallReceived(e: Ocpp201CallReceived) {
    if (this.failWith) throw this.failWith;
    this.published.push(e);
  }
  async chargerConnected() {}
  async chargerDisconnected() {}
  async commandResult() {}
  async chargerRegistryApplied() {}
}

const tags: Record<string, IdTagRecord> = {
  GOOD: { status: 'Accepted', expiryDate: null, parentIdTag: null },
  CHILD: { status: 'Accepted', expiryDate: new Date('2027-01-01T00:00:00.000Z'), parentIdTag: 'PARENT' },
  OLD: { status: 'Accepted', expiryDate: new Date('2026-01-01T00:00:00.000Z'), parentIdTag: null },
  BLOCKED: { status: 'Blocked', expiryDate: null, parentIdTag: null },
};

function setup(options: { sampleMs?: number; findIdTag?: ChargerRepository['findIdTag'] } = {}) {
  const sink = new FakeSink();
  const errors: unknown[] = [];
  const handler = new HandleStationCall201({
    validator,
    chargers: { findIdTag: options.findIdTag ?? (async (_fleet, tag) => tags[tag] ?? null) },
    sink,
    gatewayId: 'gw-test',
    acceptUnknownIdTags: false,
    heartbeatIntervalS: 120,
    heartbeatSampleMs: options.sampleMs ?? 0,
    dataTransferVendors: new Set(['com.known']),
    onError: (e) => void errors.push(e),
    now: () => NOW,
  });
  const ctx: ChargerContext = { chargePointId: 'CS-1', fleetId: 'f', lastHeartbeatPublishedAt: 0 };
  const run = async (action: string, payload: unknown, id = 'm1') => {
    const raw = JSON.stringify([2, id, action, payload]);
    const frame = parseFrame(raw, 'ocpp2.0.1');
    if (frame.type !== 'call') throw new Error(`not a CALL: ${raw}`);
    const outcome = await handler.execute(ctx, frame as CallFrame, raw, NOW);
    return { ...outcome, frame: JSON.parse(outcome.reply) as unknown[], raw };
  };
  return { sink, run, errors };
}

const transactionEvent = (extra: Record<string, unknown> = {}) => {
  const { idToken: _none, ...started } = exampleRequests201(NOW).TransactionEvent;
  return { ...started, ...extra };
};

describe('HandleStationCall201', () => {
  it.each(OCPP201_INBOUND_ACTIONS.map((a) => [a]))(
    'answers a valid %s with a schema-valid response, published to the 2.0.1 sink first',
    async (action) => {
      const { sink, run } = setup();
      const { frame, outcome, raw } = await run(action, exampleRequests201(NOW)[action]);
      expect(outcome).toBe('result');
      expect(frame[0]).toBe(3);
      expect(validator.validateResponse(action, frame[2])).toBeNull();
      expect(sink.published).toHaveLength(1);
      expect(sink.published[0]).toMatchObject({
        chargePointId: 'CS-1',
        fleetId: 'f',
        messageId: 'm1',
        action,
        payload: exampleRequests201(NOW)[action],
        rawFrame: raw,
        receivedAt: NOW.toISOString(),
        gatewayId: 'gw-test',
      });
      expect(sink.published[0].reply).toEqual(frame[2]);
    },
  );

  it('answers each action with what a CSMS owes it', async () => {
    const { run } = setup();
    const examples = exampleRequests201(NOW);
    const reply = async (action: string, payload: unknown) => (await run(action, payload)).frame[2];
    expect(await reply('BootNotification', examples.BootNotification)).toEqual({
      currentTime: NOW.toISOString(),
      interval: 120,
      status: 'Accepted',
    });
    expect(await reply('Heartbeat', {})).toEqual({ currentTime: NOW.toISOString() });
    for (const action of [
      'StatusNotification',
      'MeterValues',
      'NotifyEvent',
      'NotifyReport',
      'SecurityEventNotification',
      'FirmwareStatusNotification',
      'LogStatusNotification',
    ] as const)
      expect(await reply(action, examples[action])).toEqual({});
    expect(await reply('DataTransfer', { vendorId: 'com.known' })).toEqual({ status: 'Accepted' });
    expect(await reply('DataTransfer', { vendorId: 'com.other' })).toEqual({ status: 'UnknownVendorId' });
  });

  it.each([
    ['GOOD', { status: 'Accepted' }],
    [
      'CHILD',
      {
        status: 'Accepted',
        cacheExpiryDateTime: '2027-01-01T00:00:00.000Z',
        groupIdToken: { idToken: 'PARENT', type: 'Central' },
      },
    ],
    ['OLD', { status: 'Expired', cacheExpiryDateTime: '2026-01-01T00:00:00.000Z' }],
    ['BLOCKED', { status: 'Blocked' }],
    ['STRANGER', { status: 'Invalid' }],
  ])('Authorize and TransactionEvent answer idToken %s with idTokenInfo %j', async (idToken, info) => {
    const { run } = setup();
    const token = { idToken, type: 'ISO14443' };
    expect((await run('Authorize', { idToken: token })).frame[2]).toEqual({ idTokenInfo: info });
    expect((await run('TransactionEvent', transactionEvent({ idToken: token }))).frame[2]).toEqual({
      idTokenInfo: info,
    });
  });

  it('answers a TransactionEvent without an idToken {} (no idTokenInfo to give)', async () => {
    const { run, sink } = setup();
    expect((await run('TransactionEvent', transactionEvent())).frame).toEqual([3, 'm1', {}]);
    expect(sink.published).toHaveLength(1);
  });

  it('accepts a NoAuthorization token without a lookup (free vend: nothing for the fleet to judge)', async () => {
    const { run } = setup({
      findIdTag: async () => {
        throw new Error('must not be looked up');
      },
    });
    const token = { idToken: '', type: 'NoAuthorization' };
    expect((await run('TransactionEvent', transactionEvent({ idToken: token }))).frame[2]).toEqual({
      idTokenInfo: { status: 'Accepted' },
    });
  });

  it('still answers a TransactionEvent (without idTokenInfo) when the id tags cannot be read, but not an Authorize', async () => {
    const { run, sink, errors } = setup({ findIdTag: () => Promise.reject(new Error('db down')) });
    const token = { idToken: 'GOOD', type: 'ISO14443' };
    const event = await run('TransactionEvent', transactionEvent({ idToken: token }));
    expect(event.frame).toEqual([3, 'm1', {}]);
    expect(sink.published).toHaveLength(1);
    const authorize = await run('Authorize', { idToken: token }, 'm2');
    expect(authorize.frame.slice(0, 3)).toEqual([4, 'm2', 'InternalError']);
    expect(sink.published).toHaveLength(1);
    expect(errors).toHaveLength(2);
  });

  it('answers InternalError, not a CALLRESULT, for every action when the record is not acknowledged', async () => {
    const { sink, run } = setup();
    sink.failWith = new PublishTimeoutError(100);
    for (const action of OCPP201_INBOUND_ACTIONS) {
      const { frame, outcome } = await run(action, exampleRequests201(NOW)[action]);
      expect(frame.slice(0, 3)).toEqual([4, 'm1', 'InternalError']);
      expect(outcome).toBe('InternalError');
    }
  });

  it('replies only once the publish resolved', async () => {
    const { sink, run } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const publish = sink.ocpp201CallReceived.bind(sink);
    sink.ocpp201CallReceived = async (e) => {
      await gate;
      return publish(e);
    };
    let replied = false;
    const pending = run('Heartbeat', {}).then((r) => {
      replied = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(replied).toBe(false);
    release();
    expect((await pending).frame[0]).toBe(3);
    expect(sink.published).toHaveLength(1);
  });

  it.each([
    ['an action 2.0.1 does not define', 'MakeCoffee', {}, 'NotImplemented'],
    [
      'a CSMS-only action',
      'RequestStartTransaction',
      { idToken: { idToken: 'x', type: 'Central' }, remoteStartId: 1 },
      'NotSupported',
    ],
    ['a 1.6-only action', 'StartTransaction', { connectorId: 1 }, 'NotImplemented'],
    ['a missing required field', 'Authorize', {}, 'OccurrenceConstraintViolation'],
    ['a wrong type', 'Heartbeat', { customData: 'x' }, 'TypeConstraintViolation'],
    ['a bad enum', 'Authorize', { idToken: { idToken: 'A', type: 'Badge' } }, 'PropertyConstraintViolation'],
  ])('answers %s with its 2.0.1 code and publishes nothing', async (_n, action, payload, code) => {
    const { run, sink } = setup();
    const { frame, outcome } = await run(action, payload);
    expect(frame.slice(0, 3)).toEqual([4, 'm1', code]);
    expect(outcome).toBe(code);
    expect(sink.published).toHaveLength(0);
  });

  it('publishes one Heartbeat per sampling period per connection, answering every one', async () => {
    const { sink, run } = setup({ sampleMs: 60_000 });
    expect((await run('Heartbeat', {}, 'h1')).frame[0]).toBe(3);
    expect((await run('Heartbeat', {}, 'h2')).frame[0]).toBe(3);
    expect(sink.published.map((e) => e.messageId)).toEqual(['h1']);
  });

  it('for any DataTransfer vendor, Accepted exactly when the vendor is configured, and the record carries that reply', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant('com.known'), fc.constant('com.KNOWN'), fc.string({ maxLength: 255 })),
        fc.string(),
        async (vendorId, data) => {
          const { run, sink } = setup();
          const { frame } = await run('DataTransfer', { vendorId, data });
          const expected = vendorId === 'com.known' ? 'Accepted' : 'UnknownVendorId';
          expect(frame[2]).toEqual({ status: expected });
          expect(sink.published.map((e) => e.reply)).toEqual([{ status: expected }]);
        },
      ),
      { numRuns: 50 },
    );
  });
});
