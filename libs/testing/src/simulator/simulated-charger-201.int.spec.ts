/**
 * The simulator's 2.0.1 station against a strict stand-in CSMS on loopback (no Kafka): every CALL
 * it sends and every answer it gives must be valid against the official 2.0.1 schemas, and its
 * transactions must read as the design says (seqNo from 0, Begin/End readings, exact digits).
 */
import type { AddressInfo } from 'node:net';
import Decimal from 'decimal.js';
import WebSocket, { WebSocketServer } from 'ws';
import {
  Ocpp16Validator,
  Ocpp201Validator,
  parseJsonLossless,
  type LosslessNumber,
  type Ocpp201,
} from '@app/ocpp';
import { ocpp201TransactionNumber } from '@app/contracts';
import { SimulatedCharger, sleep } from './simulated-charger';

interface Received {
  action: string;
  payload: Record<string, unknown>;
  text: string;
}

/** A CSMS that checks everything against the schemas of the subprotocol it agreed on. */
class StrictCsms {
  readonly server: WebSocketServer;
  readonly calls: Received[] = [];
  readonly answers: Array<{ action: string; payload: unknown }> = [];
  readonly invalid: string[] = [];
  socket: WebSocket | null = null;
  private readonly pending = new Map<string, { action: string; resolve(p: unknown): void }>();
  private n = 0;

  constructor(private readonly prefer: string) {
    this.server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      handleProtocols: (offered) => (offered.has(this.prefer) ? this.prefer : [...offered][0]),
    });
    this.server.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (data) => this.onMessage(ws, data.toString()));
    });
  }

  listening(): Promise<void> {
    return new Promise((resolve) =>
      this.server.address() ? resolve() : this.server.once('listening', () => resolve()),
    );
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ocpp`;
  }

  private validator(): Ocpp16Validator | Ocpp201Validator {
    return this.socket?.protocol === 'ocpp2.0.1' ? new Ocpp201Validator() : new Ocpp16Validator();
  }

  private onMessage(ws: WebSocket, text: string): void {
    const frame = JSON.parse(text) as unknown[];
    if (frame[0] === 3 || frame[0] === 4) {
      const p = this.pending.get(String(frame[1]));
      this.pending.delete(String(frame[1]));
      if (frame[0] === 4) this.invalid.push(`CALLERROR to ${p?.action}: ${text}`);
      else {
        const error = this.validator().validateResponse(p!.action, frame[2]);
        if (error) this.invalid.push(`answer to ${p!.action}: ${error.message}`);
        this.answers.push({ action: p!.action, payload: frame[2] });
      }
      p?.resolve(frame[2]);
      return;
    }
    const [, id, action, payload] = frame as [number, string, string, Record<string, unknown>];
    const error = this.validator().checkInboundCall(action, payload);
    if (error) {
      this.invalid.push(`${action}: ${error.message} in ${text}`);
      ws.send(JSON.stringify([4, id, error.code, error.description, {}]));
      return;
    }
    this.calls.push({ action, payload, text });
    ws.send(JSON.stringify([3, id, this.reply(action, payload)]));
  }

  private reply(action: string, payload: Record<string, unknown>): Record<string, unknown> {
    const now = new Date().toISOString();
    switch (action) {
      case 'BootNotification':
        return { currentTime: now, interval: 300, status: 'Accepted' };
      case 'Heartbeat':
        return { currentTime: now };
      case 'StartTransaction':
        return { transactionId: 7, idTagInfo: { status: 'Accepted' } };
      case 'TransactionEvent':
        return payload.idToken ? { idTokenInfo: { status: 'Accepted' } } : {};
      default:
        return {};
    }
  }

  /** Sends a CALL written by hand (`payloadText`: exact digits) and waits for its answer. */
  call(action: string, payloadText: string): Promise<unknown> {
    const id = `csms-${this.n++}`;
    return new Promise((resolve) => {
      this.pending.set(id, { action, resolve });
      this.socket!.send(`[2,"${id}","${action}",${payloadText}]`);
    });
  }

  of(action: string): Received[] {
    return this.calls.filter((c) => c.action === action);
  }

  close(): Promise<void> {
    for (const c of this.server.clients) c.terminate();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** The Energy.Active.Import.Register values of a TransactionEvent frame, as their exact digits. */
function energyTexts(
  text: string,
): Array<{ text: string; context: string; unit?: string; multiplier?: string }> {
  const payload = (parseJsonLossless(text) as unknown[])[3] as {
    meterValue?: Array<{ sampledValue: Array<Record<string, unknown>> }>;
  };
  return (payload.meterValue ?? []).flatMap((mv) =>
    mv.sampledValue
      .filter((v) => v.measurand === 'Energy.Active.Import.Register')
      .map((v) => {
        const unit = v.unitOfMeasure as { unit?: string; multiplier?: LosslessNumber } | undefined;
        return {
          text: (v.value as LosslessNumber).text,
          context: String(v.context),
          unit: unit?.unit,
          multiplier: unit?.multiplier?.text,
        };
      }),
  );
}

/** decimal.js's default 20 significant digits would round "1235.0114999999999999999" up. */
const Exact = Decimal.clone({ precision: 60 });

/** Integer Wh of a reading, by hand: value × 10^multiplier (× 1000 for kWh), half up. */
function whOf(r: { text: string; unit?: string; multiplier?: string }): number {
  const wh = new Exact(r.text)
    .times(new Exact(10).pow(Number(r.multiplier ?? 0)))
    .times(r.unit === 'kWh' ? 1000 : 1);
  return wh.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

async function until<T>(what: string, probe: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('SimulatedCharger speaking OCPP 2.0.1', () => {
  let csms: StrictCsms;
  let sim: SimulatedCharger | null = null;

  beforeEach(async () => {
    csms = new StrictCsms('ocpp2.0.1');
    await csms.listening();
  });
  afterEach(async () => {
    await sim?.close();
    sim = null;
    await csms.close();
  });

  it('runs a local transaction: valid CALLs, seqNo 0..n-1, Begin/End readings with exact digits', async () => {
    sim = new SimulatedCharger({
      url: csms.url,
      chargePointId: 'SIM201-A',
      protocol: 'ocpp2.0.1',
      connectors: 2,
      initialMeterWh: 1_234_567,
      powerW: 3_600_000, // 1 Wh per ms
      signedMeterValues: true,
    });
    await sim.connect();
    expect(sim.protocol).toBe('ocpp2.0.1');
    const s = await sim.runSession({ connectorId: 2, idTag: 'TOKEN-1', durationMs: 300, suspend: true });
    for (let i = 0; i < 4; i++) await sim.sendMeterValues(1); // no transaction on EVSE 1: MeterValues
    expect(csms.invalid).toEqual([]);

    const boot = csms.of('BootNotification')[0].payload;
    expect(boot).toMatchObject({ reason: 'PowerUp', chargingStation: { vendorName: 'ChargeBill' } });
    expect(csms.of('StatusNotification').map((c) => [c.payload.evseId, c.payload.connectorStatus])).toEqual([
      [1, 'Available'],
      [2, 'Available'],
      [2, 'Occupied'],
      [2, 'Available'],
    ]);
    const events = csms.of('TransactionEvent');
    expect(events.map((e) => e.payload.eventType)).toEqual([
      'Started',
      'Updated', // SuspendedEV
      'Updated', // Charging again
      'Ended',
    ]);
    expect(events.map((e) => e.payload.seqNo)).toEqual([0, 1, 2, 3]);
    expect(events.map((e) => (e.payload.transactionInfo as { chargingState: string }).chargingState)).toEqual(
      ['Charging', 'SuspendedEV', 'Charging', 'EVConnected'],
    );
    const txId = (events[0].payload.transactionInfo as { transactionId: string }).transactionId;
    expect(txId.length).toBeLessThanOrEqual(36);
    expect(
      events.every((e) => (e.payload.transactionInfo as { transactionId: string }).transactionId === txId),
    ).toBe(true);
    expect(events[0].payload).toMatchObject({
      triggerReason: 'Authorized',
      evse: { id: 2, connectorId: 1 },
      idToken: { idToken: 'TOKEN-1', type: 'ISO14443' },
    });
    expect(events[3].payload).toMatchObject({
      triggerReason: 'StopAuthorized',
      transactionInfo: { stoppedReason: 'Local' },
    });

    // Begin: half a Wh above the meter's 1234567 (rounds up); End: just under half a Wh above.
    const [begin] = energyTexts(events[0].text);
    expect(begin).toEqual({
      text: '1234.5675',
      context: 'Transaction.Begin',
      unit: 'kWh',
      multiplier: undefined,
    });
    const [end] = energyTexts(events[3].text);
    expect(end.context).toBe('Transaction.End');
    expect(end.text).toMatch(/^\d+\.\d{3}4999999999999999999$/);
    expect(s).toMatchObject({
      connectorId: 2,
      chargerTransactionId: txId,
      transactionId: ocpp201TransactionNumber('SIM201-A', txId),
      meterStart: 1_234_568,
      meterStartText: begin.text,
      meterStopText: end.text,
      reason: 'Local',
      events: 4,
    });
    expect(s.meterStop).toBe(whOf(end));
    expect(s.meterStop!).toBeGreaterThan(s.meterStart + 100); // 300 ms at 1 Wh/ms, less the pause
    // More digits than a double holds: only an exact reading gets the Wh right.
    expect(String(Number(end.text))).not.toBe(end.text);
    // Every reading in the transaction is the same register, never going backwards.
    const readings = events.flatMap((e) => energyTexts(e.text)).map(whOf);
    expect([...readings].sort((a, b) => a - b)).toEqual(readings);
    // Signed readings: Begin and End carry one, kept as base64 text.
    const started = events[0].payload as unknown as Ocpp201.TransactionEventRequest;
    const signed = started.meterValue![0].sampledValue[0].signedMeterValue!;
    expect(signed).toMatchObject({ encodingMethod: 'OCMF', signingMethod: 'ECDSA-secp256r1-SHA256' });
    expect(Buffer.from(signed.signedMeterData, 'base64').toString()).toContain('"MV":"SIM201-A"');
    expect(s.signedMeterData).toEqual([
      signed.signedMeterData,
      (events[3].payload as unknown as Ocpp201.TransactionEventRequest).meterValue![0].sampledValue[0]
        .signedMeterValue!.signedMeterData,
    ]);

    // Outside a transaction: MeterValues for the EVSE, the four periodic formats in turn.
    const meter = csms.of('MeterValues');
    expect(meter.map((m) => m.payload.evseId)).toEqual([1, 1, 1, 1]);
    const formats = meter.map((m) => energyTexts(m.text)[0]);
    expect(new Set(formats.map((f) => `${f.unit ?? '-'}/${f.multiplier ?? '-'}`))).toEqual(
      new Set(['kWh/-', '-/-', 'Wh/3', 'kWh/-']),
    );
    expect(formats.map(whOf)).toEqual([1_234_567, 1_234_567, 1_234_567, 1_234_567]);
    expect(formats.map((f) => f.text)).toContain('1234.5670');
  });

  it('answers RequestStartTransaction / RequestStopTransaction and keeps CostUpdated digit for digit', async () => {
    sim = new SimulatedCharger({
      url: csms.url,
      chargePointId: 'SIM201-B',
      protocol: 'ocpp2.0.1',
      energyUnit: 'Wh',
      initialMeterWh: 5000,
      // No energy flows: the readings below are exact whatever the time between start and stop
      // (at the default 11 kW a slow CI machine once saw 5001 Wh at the stop).
      powerW: 0,
    });
    await sim.connect();
    const started = await csms.call(
      'RequestStartTransaction',
      '{"idToken":{"idToken":"REMOTE-1","type":"Central"},"evseId":1,"remoteStartId":424242}',
    );
    expect(started).toEqual({ status: 'Accepted' });
    const s = await until('the remote session', () => sim!.sessions[0]);
    await sim.settle();
    const ev = csms.of('TransactionEvent')[0].payload;
    expect(ev).toMatchObject({
      eventType: 'Started',
      triggerReason: 'RemoteStart',
      idToken: { idToken: 'REMOTE-1', type: 'Central' },
      transactionInfo: { remoteStartId: 424242, transactionId: s.chargerTransactionId },
    });
    expect(s).toMatchObject({ remoteStartId: 424242, idTag: 'REMOTE-1', meterStart: 5000 });
    // Busy EVSE: a second start is rejected; an unknown transaction cannot be stopped.
    expect(
      await csms.call(
        'RequestStartTransaction',
        '{"idToken":{"idToken":"X","type":"Central"},"remoteStartId":1}',
      ),
    ).toEqual({ status: 'Rejected' });
    expect(await csms.call('RequestStopTransaction', '{"transactionId":"nope"}')).toEqual({
      status: 'Rejected',
    });
    expect(
      await csms.call('RequestStopTransaction', `{"transactionId":"${s.chargerTransactionId}"}`),
    ).toEqual({ status: 'Accepted' });
    await until('the remote stop', () => (s.meterStop !== undefined ? true : undefined));
    await sim.settle();
    const ended = csms.of('TransactionEvent').at(-1)!;
    expect(ended.payload).toMatchObject({
      eventType: 'Ended',
      triggerReason: 'RemoteStop',
      transactionInfo: { stoppedReason: 'Remote' },
    });
    expect(energyTexts(ended.text)[0]).toMatchObject({ text: '5000', unit: undefined });

    const waiting = sim.costUpdated(s.chargerTransactionId);
    expect(
      await csms.call(
        'CostUpdated',
        `{"totalCost":12.3400000000000000001,"transactionId":"${s.chargerTransactionId}"}`,
      ),
    ).toEqual({});
    expect(await waiting).toMatchObject({
      transactionId: s.chargerTransactionId,
      totalCost: '12.3400000000000000001',
    });
    expect(csms.invalid).toEqual([]);
  });

  it('answers the device-model and operator CALLs validly (GetBaseReport sends a NotifyReport)', async () => {
    sim = new SimulatedCharger({
      url: csms.url,
      chargePointId: 'SIM201-C',
      protocol: 'ocpp2.0.1',
      meterValuesIntervalMs: 60_000,
    });
    await sim.connect();
    const got = (await csms.call(
      'GetVariables',
      '{"getVariableData":[{"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}},' +
        '{"component":{"name":"SampledDataCtrlr"},"variable":{"name":"TxUpdatedInterval"}},' +
        '{"component":{"name":"Nope"},"variable":{"name":"X"}}]}',
    )) as { getVariableResult: Array<Record<string, unknown>> };
    expect(got.getVariableResult.map((r) => [r.attributeStatus, r.attributeValue])).toEqual([
      ['Accepted', '300'],
      ['Accepted', '60'],
      ['UnknownComponent', undefined],
    ]);
    const set = (await csms.call(
      'SetVariables',
      '{"setVariableData":[{"attributeValue":"120","component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}},' +
        '{"attributeValue":"x","component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}}]}',
    )) as { setVariableResult: Array<Record<string, unknown>> };
    expect(set.setVariableResult.map((r) => r.attributeStatus)).toEqual(['Accepted', 'Rejected']);
    expect(sim.heartbeatIntervalS).toBe(120);
    expect(await csms.call('GetBaseReport', '{"requestId":9,"reportBase":"FullInventory"}')).toEqual({
      status: 'Accepted',
    });
    const report = await until('the NotifyReport', () => csms.of('NotifyReport')[0]);
    expect(report.payload).toMatchObject({ requestId: 9, seqNo: 0, tbc: false });
    expect(await csms.call('TriggerMessage', '{"requestedMessage":"Heartbeat"}')).toEqual({
      status: 'Accepted',
    });
    await until('the triggered Heartbeat', () => csms.of('Heartbeat')[0]);
    expect(await csms.call('TriggerMessage', '{"requestedMessage":"LogStatusNotification"}')).toEqual({
      status: 'NotImplemented',
    });
    expect(await csms.call('Reset', '{"type":"OnIdle"}')).toEqual({ status: 'Accepted' });
    expect(await csms.call('UnlockConnector', '{"evseId":1,"connectorId":1}')).toEqual({
      status: 'Unlocked',
    });
    expect(await csms.call('ChangeAvailability', '{"operationalStatus":"Inoperative"}')).toEqual({
      status: 'Accepted',
    });
    await sim.settle();
    expect(csms.invalid).toEqual([]);
    expect(csms.answers).toHaveLength(8);
  });

  it('offering both, speaks the one the CSMS agreed on (1.6 here), valid against 1.6', async () => {
    await csms.close();
    csms = new StrictCsms('ocpp1.6');
    await csms.listening();
    sim = new SimulatedCharger({
      url: csms.url,
      chargePointId: 'SIM-BOTH',
      protocol: 'ocpp2.0.1',
      protocols: ['ocpp2.0.1', 'ocpp1.6'],
    });
    await sim.connect();
    expect(sim.protocol).toBe('ocpp1.6');
    await sim.runSession({ durationMs: 50 });
    expect(csms.invalid).toEqual([]);
    expect(csms.of('StartTransaction')).toHaveLength(1);
    expect(csms.of('TransactionEvent')).toHaveLength(0);
  });
});
