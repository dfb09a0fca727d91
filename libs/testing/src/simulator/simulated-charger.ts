import { randomUUID } from 'node:crypto';
import { ocpp201TransactionNumber, type ChargerProtocol } from '@app/contracts';
import { isLosslessNumber, parseJsonLossless, type Ocpp201 } from '@app/ocpp';
import { OcppClient, type OcppClientOptions } from './ocpp-client';
import {
  baseReport,
  chargingState201,
  connectorStatus201,
  endTrigger201,
  energyReading,
  getVariables,
  PERIODIC_ENERGY_FORMATS,
  powerSample,
  setVariables,
  signedMeterValue,
  stopReason201,
  type EnergyReading,
  type StationVariables,
} from './ocpp201-station';

export const STOP_REASONS = [
  'Local',
  'Remote',
  'EVDisconnected',
  'PowerLoss',
  'Reboot',
  'SoftReset',
  'HardReset',
  'EmergencyStop',
  'DeAuthorized',
  'UnlockCommand',
  'Other',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** 1.6's connector states; a 2.0.1 station keeps the same ones and reports them in 2.0.1's words. */
export type ConnectorStatus =
  | 'Available'
  | 'Preparing'
  | 'Charging'
  | 'SuspendedEV'
  | 'SuspendedEVSE'
  | 'Finishing'
  | 'Unavailable'
  | 'Faulted';

/** A stop reason in either protocol's words (a 2.0.1 station translates 1.6 ones, see stopReason201). */
export type AnyStopReason = StopReason | Ocpp201.ReasonEnumType;

export interface SimulatedChargerOptions extends OcppClientOptions {
  /**
   * The protocol it speaks (default ocpp1.6). It offers only that one at the handshake unless
   * `protocols` says otherwise; it then speaks whichever the gateway agreed on.
   */
  protocol?: ChargerProtocol;
  /** Connectors (1.6) or EVSEs with one connector each (2.0.1). */
  connectors?: number;
  /** Meter reading (Wh) each connector starts at. */
  initialMeterWh?: number;
  /** Charging power while Charging, W (default 11 kW). */
  powerW?: number;
  /** MeterValues period during a transaction, ms (0: none). */
  meterValuesIntervalMs?: number;
  /** Answer RemoteStart/RemoteStop by running the session on its own (default true). */
  autoRunRemoteSessions?: boolean;
  /** Called for everything the charger does (logs in the CLI). */
  log?(line: string): void;
  vendor?: string;
  model?: string;
  /**
   * 2.0.1: `kWh` (default) writes Transaction.Begin/End in kWh with sub-Wh digits and the periodic
   * readings in turn as kWh, Wh, Wh × 10³ and padded kWh; `Wh` writes integers in Wh only.
   */
  energyUnit?: 'Wh' | 'kWh';
  /** 2.0.1: Transaction.Begin/End readings carry a signedMeterValue. */
  signedMeterValues?: boolean;
}

interface ConnectorState {
  id: number;
  status: ConnectorStatus;
  meterWh: number;
  /** 1.6: the Central System's; 2.0.1: ocpp201TransactionNumber of `chargerTransactionId`. */
  transactionId: number | null;
  idTag: string | null;
  lastMeterAt: number;
  meterTimer: NodeJS.Timeout | null;
  /** 2.0.1: the station's own transaction id, and the next TransactionEvent's seqNo. */
  chargerTransactionId: string | null;
  seqNo: number;
  /** 2.0.1: the connectorStatus last reported (one StatusNotification per change). */
  reported: Ocpp201.ConnectorStatusEnumType | null;
}

export interface SessionRecord {
  /** 1.6 connector; 2.0.1 EVSE id. */
  connectorId: number;
  /** 1.6: the Central System's; 2.0.1: ocpp201TransactionNumber(chargePointId, chargerTransactionId). */
  transactionId: number;
  idTag: string;
  /** Integer Wh the backend must read (2.0.1: the Transaction.Begin reading rounded half up). */
  meterStart: number;
  meterStop?: number;
  reason?: AnyStopReason;
  /** 2.0.1 only: the station's transactionId, the remoteStartId it was started with. */
  chargerTransactionId?: string;
  remoteStartId?: number;
  /** 2.0.1: the Transaction.Begin / Transaction.End values' digits as sent. */
  meterStartText?: string;
  meterStopText?: string;
  /** 2.0.1 with signedMeterValues: the Begin and End readings' signedMeterData, as sent. */
  signedMeterData?: string[];
  /** 2.0.1: TransactionEvents sent for it (seqNo 0..n-1). */
  events?: number;
}

/** A CostUpdated the station received (2.0.1). */
export interface CostUpdate {
  transactionId: string;
  /** totalCost's digits exactly as they were in the frame. */
  totalCost: string;
  receivedAt: number;
}

/**
 * A charger that behaves like a real one, over OCPP 1.6J or 2.0.1.
 * 1.6: BootNotification, StatusNotification Preparing → Charging ⇄ SuspendedEV → Finishing →
 * Available, StartTransaction, periodic MeterValues, StopTransaction with a reason; it answers
 * RemoteStartTransaction and RemoteStopTransaction (and accepts Reset, ChangeAvailability,
 * ChangeConfiguration, GetConfiguration, UnlockConnector, TriggerMessage).
 * 2.0.1: BootNotification, StatusNotification per EVSE (Available / Occupied), TransactionEvent
 * Started (Transaction.Begin energy reading) → Updated (periodic readings, charging state
 * changes) → Ended (Transaction.End reading, stoppedReason), seqNo from 0 per transaction; it
 * answers RequestStartTransaction (remoteStartId and idToken in the Started event),
 * RequestStopTransaction, CostUpdated (kept in `costUpdates` digit for digit), Reset,
 * UnlockConnector, ChangeAvailability, GetVariables, SetVariables, TriggerMessage, GetBaseReport.
 * Used by tests, the benchmark and the demo.
 */
export class SimulatedCharger {
  client!: OcppClient;
  readonly connectors: ConnectorState[];
  readonly sessions: SessionRecord[] = [];
  /** CostUpdated CALLs received (2.0.1), in order. */
  readonly costUpdates: CostUpdate[] = [];
  heartbeatIntervalS = 0;
  private readonly remoteTasks = new Set<Promise<unknown>>();
  private readonly costWaiters: Array<{ match(c: CostUpdate): boolean; resolve(c: CostUpdate): void }> = [];
  private periodicReadings = 0;

  constructor(readonly options: SimulatedChargerOptions) {
    this.connectors = Array.from({ length: options.connectors ?? 1 }, (_, i) => ({
      id: i + 1,
      status: 'Available' as ConnectorStatus,
      meterWh: options.initialMeterWh ?? 1000,
      transactionId: null,
      idTag: null,
      lastMeterAt: Date.now(),
      meterTimer: null,
      chargerTransactionId: null,
      seqNo: 0,
      reported: null,
    }));
  }

  get chargePointId(): string {
    return this.options.chargePointId;
  }

  /** What it speaks: the agreed subprotocol once connected, else the one it was made for. */
  get protocol(): ChargerProtocol {
    const agreed = this.client?.protocol;
    if (agreed === 'ocpp1.6' || agreed === 'ocpp2.0.1') return agreed;
    return this.options.protocol ?? 'ocpp1.6';
  }

  private get v201(): boolean {
    return this.protocol === 'ocpp2.0.1';
  }

  /** The handshake offer: `protocols` if given, else the one protocol it speaks. */
  protected clientOptions(): OcppClientOptions {
    const protocols = this.options.protocols ?? [this.options.protocol ?? 'ocpp1.6'];
    // 2.0.1 meter readings are LosslessNumbers (exact digits on the wire).
    return { ...this.options, protocols, exactNumbers: protocols.includes('ocpp2.0.1') };
  }

  /** This protocol's BootNotification payload. */
  protected bootPayload(): Record<string, unknown> {
    if (!this.v201)
      return {
        chargePointVendor: this.options.vendor ?? 'ChargeBill',
        chargePointModel: this.options.model ?? 'Simulator',
        firmwareVersion: '1.6.0-sim',
      };
    const boot: Ocpp201.BootNotificationRequest = {
      reason: 'PowerUp',
      chargingStation: {
        vendorName: this.options.vendor ?? 'ChargeBill',
        model: this.options.model ?? 'Simulator-201',
        serialNumber: `SN-${this.chargePointId}`.slice(0, 25),
        firmwareVersion: '2.0.1-sim',
      },
    };
    return boot;
  }

  private log(line: string): void {
    this.options.log?.(`[${this.chargePointId}] ${line}`);
  }

  private connector(id: number): ConnectorState {
    const c = this.connectors[id - 1];
    if (!c) throw new Error(`connector ${id} does not exist`);
    return c;
  }

  /** Connects, boots, and reports every connector Available. */
  async connect(): Promise<void> {
    this.client = await OcppClient.connect(this.clientOptions());
    this.client.onCall((action, payload, frame) => this.onRemoteCall(action, payload, frame));
    const boot = await this.client.confirm('BootNotification', this.bootPayload());
    this.heartbeatIntervalS = Number(boot.interval ?? 0);
    this.log(
      `booted (${this.protocol}): ${String(boot.status)}, heartbeat every ${this.heartbeatIntervalS}s`,
    );
    await this.reportAllAvailable();
  }

  /** After a boot: every connector Available (2.0.1: reported afresh on each connection). */
  protected async reportAllAvailable(): Promise<void> {
    for (const c of this.connectors) {
      c.reported = null;
      await this.setStatus(c.id, 'Available');
    }
  }

  async heartbeat(): Promise<string> {
    const reply = await this.client.confirm('Heartbeat', {});
    return String(reply.currentTime);
  }

  /**
   * 1.6: a StatusNotification. 2.0.1: a StatusNotification when the EVSE's connectorStatus changes
   * (Available / Occupied / ...), and, during a transaction, a TransactionEvent Updated when the
   * charging state changes (`errorCode` is 1.6's).
   */
  async setStatus(connectorId: number, status: ConnectorStatus, errorCode = 'NoError'): Promise<void> {
    const c = this.connector(connectorId);
    const before = c.status;
    c.status = status;
    if (!this.v201) {
      await this.client.confirm('StatusNotification', {
        connectorId,
        errorCode,
        status,
        timestamp: new Date().toISOString(),
      });
      this.log(`connector ${connectorId} ${status}`);
      return;
    }
    const connectorStatus = connectorStatus201(status);
    if (connectorStatus !== c.reported) {
      const report: Ocpp201.StatusNotificationRequest = {
        timestamp: new Date().toISOString(),
        connectorStatus,
        evseId: connectorId,
        connectorId: 1,
      };
      await this.client.confirm('StatusNotification', report);
      c.reported = connectorStatus;
      this.log(`EVSE ${connectorId} ${connectorStatus}`);
    }
    if (c.chargerTransactionId !== null && chargingState201(before) !== chargingState201(status)) {
      await this.transactionEvent(c, 'Updated', 'ChargingStateChanged', {
        meterValue: [
          { timestamp: new Date().toISOString(), sampledValue: [this.periodicReading(c).sampledValue] },
        ],
      });
    }
  }

  /** One TransactionEvent of the connector's transaction (next seqNo); returns its answer. */
  private async transactionEvent(
    c: ConnectorState,
    eventType: Ocpp201.TransactionEventEnumType,
    triggerReason: Ocpp201.TriggerReasonEnumType,
    extra: Omit<Partial<Ocpp201.TransactionEventRequest>, 'transactionInfo'> & {
      transactionInfo?: Partial<Ocpp201.TransactionType>;
    } = {},
  ): Promise<Ocpp201.TransactionEventConfirmation> {
    const { transactionInfo, ...rest } = extra;
    const event: Ocpp201.TransactionEventRequest = {
      eventType,
      timestamp: new Date().toISOString(),
      triggerReason,
      seqNo: c.seqNo,
      transactionInfo: {
        transactionId: c.chargerTransactionId!,
        chargingState: chargingState201(c.status),
        ...transactionInfo,
      },
      ...rest,
    };
    c.seqNo++;
    const record = this.sessions.find((s) => s.chargerTransactionId === c.chargerTransactionId);
    if (record) record.events = c.seqNo;
    return (await this.client.confirm('TransactionEvent', event)) as Ocpp201.TransactionEventConfirmation;
  }

  /** A periodic energy reading of the connector's meter, each in the next of the rotating formats. */
  private periodicReading(c: ConnectorState): EnergyReading {
    const format =
      this.options.energyUnit === 'Wh'
        ? 'Wh'
        : PERIODIC_ENERGY_FORMATS[this.periodicReadings++ % PERIODIC_ENERGY_FORMATS.length];
    return energyReading(c.meterWh, format, 'Sample.Periodic');
  }

  private signed(wh: string | number, at: string): Ocpp201.SignedMeterValueType | undefined {
    return this.options.signedMeterValues ? signedMeterValue(this.chargePointId, wh, at) : undefined;
  }

  /** Advances the meter by the energy delivered since the last reading (while Charging). */
  private advanceMeter(c: ConnectorState): void {
    const now = Date.now();
    if (c.status === 'Charging')
      c.meterWh += Math.round(((this.options.powerW ?? 11000) * (now - c.lastMeterAt)) / 3_600_000);
    c.lastMeterAt = now;
  }

  /**
   * Plug in, authorize, StartTransaction, Charging. Returns the transactionId (2.0.1: the number
   * the backend gives the station's transactionId). `remote` (2.0.1): the RequestStartTransaction
   * it answers, whose remoteStartId and idToken the Started event carries.
   */
  async startTransaction(
    connectorId = 1,
    idTag = 'SIMTAG01',
    remote?: { remoteStartId: number; idToken: Ocpp201.IdTokenType },
  ): Promise<number> {
    const c = this.connector(connectorId);
    if (c.transactionId !== null)
      throw new Error(`connector ${connectorId} already has transaction ${c.transactionId}`);
    if (this.v201) return this.startTransaction201(c, idTag, remote);
    await this.setStatus(connectorId, 'Preparing');
    const reply = await this.client.confirm('StartTransaction', {
      connectorId,
      idTag,
      meterStart: c.meterWh,
      timestamp: new Date().toISOString(),
    });
    const transactionId = Number(reply.transactionId);
    const status = (reply.idTagInfo as { status?: string } | undefined)?.status;
    c.transactionId = transactionId;
    c.idTag = idTag;
    c.lastMeterAt = Date.now();
    this.sessions.push({ connectorId, transactionId, idTag, meterStart: c.meterWh });
    this.log(`transaction ${transactionId} started (idTag ${status})`);
    if (status !== 'Accepted') {
      await this.stopTransaction(connectorId, 'DeAuthorized');
      return transactionId;
    }
    await this.setStatus(connectorId, 'Charging');
    this.startMeterTimer(c);
    return transactionId;
  }

  private startMeterTimer(c: ConnectorState): void {
    const interval = this.options.meterValuesIntervalMs ?? 0;
    if (interval > 0) {
      c.meterTimer = setInterval(() => void this.sendMeterValues(c.id).catch(() => undefined), interval);
      c.meterTimer.unref();
    }
  }

  /**
   * 2.0.1: Occupied, then TransactionEvent Started with the idToken and the Transaction.Begin
   * reading. The Begin reading has half a Wh more than the meter's integer (kWh digits): the
   * backend must round it up, and the meter moves on from there.
   */
  private async startTransaction201(
    c: ConnectorState,
    idTag: string,
    remote?: { remoteStartId: number; idToken: Ocpp201.IdTokenType },
  ): Promise<number> {
    await this.setStatus(c.id, 'Preparing');
    const chargerTransactionId = randomUUID();
    const transactionId = ocpp201TransactionNumber(this.chargePointId, chargerTransactionId);
    c.chargerTransactionId = chargerTransactionId;
    c.transactionId = transactionId;
    c.seqNo = 0;
    c.idTag = idTag;
    const at = new Date().toISOString();
    const begin =
      this.options.energyUnit === 'Wh'
        ? energyReading(c.meterWh, 'Wh', 'Transaction.Begin', this.signed(c.meterWh, at))
        : energyReading(`${c.meterWh}.5`, 'kWh', 'Transaction.Begin', this.signed(`${c.meterWh}.5`, at));
    c.meterWh = begin.wh;
    c.lastMeterAt = Date.now();
    this.sessions.push({
      connectorId: c.id,
      transactionId,
      idTag,
      meterStart: begin.wh,
      chargerTransactionId,
      meterStartText: begin.text,
      ...(remote ? { remoteStartId: remote.remoteStartId } : {}),
      ...(begin.sampledValue.signedMeterValue
        ? { signedMeterData: [begin.sampledValue.signedMeterValue.signedMeterData] }
        : {}),
    });
    // Charging from the Started event on: the EV draws power as soon as the station authorized it.
    c.status = 'Charging';
    const reply = await this.transactionEvent(c, 'Started', remote ? 'RemoteStart' : 'Authorized', {
      timestamp: at,
      evse: { id: c.id, connectorId: 1 },
      idToken: remote?.idToken ?? { idToken: idTag, type: 'ISO14443' },
      meterValue: [
        { timestamp: at, sampledValue: [begin.sampledValue, powerSample(this.options.powerW ?? 11000)] },
      ],
      ...(remote ? { transactionInfo: { remoteStartId: remote.remoteStartId } } : {}),
    });
    // No idTokenInfo: the CSMS could not tell (the station goes on, as with a lookup failure).
    const status = reply.idTokenInfo?.status ?? 'Accepted';
    this.log(`transaction ${chargerTransactionId} started on EVSE ${c.id} (idToken ${status})`);
    if (status !== 'Accepted') {
      await this.stopTransaction(c.id, 'DeAuthorized');
      return transactionId;
    }
    this.startMeterTimer(c);
    return transactionId;
  }

  /** 1.6: MeterValues. 2.0.1: TransactionEvent Updated during a transaction, else MeterValues. */
  async sendMeterValues(connectorId = 1): Promise<void> {
    const c = this.connector(connectorId);
    this.advanceMeter(c);
    if (this.v201) {
      const meterValue: Ocpp201.MeterValueType[] = [
        {
          timestamp: new Date().toISOString(),
          sampledValue: [
            this.periodicReading(c).sampledValue,
            powerSample(c.status === 'Charging' ? (this.options.powerW ?? 11000) : 0),
          ],
        },
      ];
      if (c.chargerTransactionId !== null)
        await this.transactionEvent(c, 'Updated', 'MeterValuePeriodic', { meterValue });
      else await this.client.confirm('MeterValues', { evseId: connectorId, meterValue });
      return;
    }
    const payload: Record<string, unknown> = {
      connectorId,
      meterValue: [
        {
          timestamp: new Date().toISOString(),
          sampledValue: [
            {
              value: String(c.meterWh),
              measurand: 'Energy.Active.Import.Register',
              unit: 'Wh',
              context: 'Sample.Periodic',
            },
            {
              value: String(c.status === 'Charging' ? (this.options.powerW ?? 11000) : 0),
              measurand: 'Power.Active.Import',
              unit: 'W',
            },
          ],
        },
      ],
    };
    if (c.transactionId !== null) payload.transactionId = c.transactionId;
    await this.client.confirm('MeterValues', payload);
  }

  /** The EV pauses (battery full, thermal...): SuspendedEV; `resume` goes back to Charging. */
  async suspendEV(connectorId = 1): Promise<void> {
    this.advanceMeter(this.connector(connectorId));
    await this.setStatus(connectorId, 'SuspendedEV');
  }

  async resume(connectorId = 1): Promise<void> {
    this.advanceMeter(this.connector(connectorId));
    await this.setStatus(connectorId, 'Charging');
  }

  /**
   * Finishing → StopTransaction(reason) → Available. Returns meterStop. 2.0.1: TransactionEvent
   * Ended with the Transaction.End reading and the reason in 2.0.1's words, then Available.
   */
  async stopTransaction(connectorId = 1, reason: AnyStopReason = 'Local'): Promise<number> {
    const c = this.connector(connectorId);
    if (c.transactionId === null) throw new Error(`connector ${connectorId} has no transaction`);
    if (c.meterTimer) clearInterval(c.meterTimer);
    c.meterTimer = null;
    this.advanceMeter(c);
    if (this.v201) return this.stopTransaction201(c, reason);
    await this.setStatus(connectorId, 'Finishing');
    const stop: Record<string, unknown> = {
      transactionId: c.transactionId,
      meterStop: c.meterWh,
      timestamp: new Date().toISOString(),
      reason,
    };
    if (c.idTag && reason === 'Local') stop.idTag = c.idTag;
    await this.client.confirm('StopTransaction', stop);
    const record = this.sessions.find(
      (s) => s.transactionId === c.transactionId && s.meterStop === undefined,
    );
    if (record) Object.assign(record, { meterStop: c.meterWh, reason });
    this.log(`transaction ${c.transactionId} stopped (${reason}) at ${c.meterWh} Wh`);
    c.transactionId = null;
    c.idTag = null;
    await this.setStatus(connectorId, 'Available');
    return c.meterWh;
  }

  /**
   * The Transaction.End reading is just under half a Wh above the meter's integer, in kWh
   * digits a double cannot hold ("…4999999999999999999"): the backend must round it down.
   */
  private async stopTransaction201(c: ConnectorState, reason: AnyStopReason): Promise<number> {
    const stoppedReason = stopReason201(reason);
    const at = new Date().toISOString();
    const endWh = this.options.energyUnit === 'Wh' ? String(c.meterWh) : `${c.meterWh}.4999999999999999999`;
    const end = energyReading(
      endWh,
      this.options.energyUnit === 'Wh' ? 'Wh' : 'kWh',
      'Transaction.End',
      this.signed(endWh, at),
    );
    c.status = 'Finishing';
    await this.transactionEvent(c, 'Ended', endTrigger201(stoppedReason), {
      timestamp: at,
      meterValue: [{ timestamp: at, sampledValue: [end.sampledValue] }],
      transactionInfo: { stoppedReason, chargingState: 'EVConnected' },
      ...(c.idTag && stoppedReason === 'Local' ? { idToken: { idToken: c.idTag, type: 'ISO14443' } } : {}),
    });
    const record = this.sessions.find((s) => s.chargerTransactionId === c.chargerTransactionId);
    if (record) {
      Object.assign(record, { meterStop: end.wh, meterStopText: end.text, reason: stoppedReason });
      const signed = end.sampledValue.signedMeterValue?.signedMeterData;
      if (signed) record.signedMeterData = [...(record.signedMeterData ?? []), signed];
    }
    this.log(`transaction ${c.chargerTransactionId} ended (${stoppedReason}) at ${end.text} → ${end.wh} Wh`);
    c.transactionId = null;
    c.chargerTransactionId = null;
    c.idTag = null;
    await this.setStatus(c.id, 'Available');
    return end.wh;
  }

  /** A whole session: start, charge for `durationMs` (with a short SuspendedEV halfway if asked), stop. */
  async runSession(
    options: {
      connectorId?: number;
      idTag?: string;
      durationMs?: number;
      reason?: AnyStopReason;
      suspend?: boolean;
    } = {},
  ): Promise<SessionRecord> {
    const connectorId = options.connectorId ?? 1;
    const transactionId = await this.startTransaction(connectorId, options.idTag);
    const c = this.connector(connectorId);
    if (c.transactionId === transactionId) {
      const duration = options.durationMs ?? 2000;
      if (options.suspend) {
        await sleep(duration / 2);
        await this.suspendEV(connectorId);
        await sleep(Math.min(200, duration / 4));
        await this.resume(connectorId);
        await sleep(duration / 2);
      } else {
        await sleep(duration);
      }
      await this.stopTransaction(connectorId, options.reason ?? 'Local');
    }
    return this.sessions.find((s) => s.transactionId === transactionId)!;
  }

  /** The next CostUpdated (of `transactionId`, if given) received from now on, or one received already. */
  costUpdated(transactionId?: string, timeoutMs = 30_000): Promise<CostUpdate> {
    const match = (c: CostUpdate) => transactionId === undefined || c.transactionId === transactionId;
    const seen = this.costUpdates.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.costWaiters.push(waiter);
      setTimeout(() => {
        const i = this.costWaiters.indexOf(waiter);
        if (i < 0) return;
        this.costWaiters.splice(i, 1);
        reject(
          new Error(
            `${this.chargePointId} received no CostUpdated${transactionId ? ` for ${transactionId}` : ''} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs).unref();
    });
  }

  private onRemoteCall(
    action: string,
    payload: Record<string, unknown>,
    frame = '',
  ): Record<string, unknown> {
    this.log(`received ${action} ${JSON.stringify(payload)}`);
    if (this.v201) return this.onRemoteCall201(action, payload, frame);
    switch (action) {
      case 'RemoteStartTransaction': {
        const wanted = typeof payload.connectorId === 'number' ? payload.connectorId : undefined;
        const c = this.connectors.find(
          (x) =>
            (wanted === undefined || x.id === wanted) && x.transactionId === null && x.status === 'Available',
        );
        if (!c) return { status: 'Rejected' };
        if (this.options.autoRunRemoteSessions !== false) {
          // Answer first, then start (after the CALLRESULT went out), as a real charger does.
          this.background(sleep(10).then(() => this.startTransaction(c.id, String(payload.idTag))));
        }
        return { status: 'Accepted' };
      }
      case 'RemoteStopTransaction': {
        const c = this.connectors.find((x) => x.transactionId === payload.transactionId);
        if (!c) return { status: 'Rejected' };
        if (this.options.autoRunRemoteSessions !== false)
          this.background(sleep(10).then(() => this.stopTransaction(c.id, 'Remote')));
        return { status: 'Accepted' };
      }
      case 'Reset':
      case 'ChangeAvailability':
      case 'ChangeConfiguration':
      case 'TriggerMessage':
        return { status: 'Accepted' };
      case 'UnlockConnector':
        return { status: 'Unlocked' };
      case 'GetConfiguration':
        return {
          configurationKey: [
            { key: 'HeartbeatInterval', readonly: false, value: String(this.heartbeatIntervalS) },
            { key: 'NumberOfConnectors', readonly: true, value: String(this.connectors.length) },
          ],
        };
      default:
        throw new Error(`${action} not supported by the simulator`);
    }
  }

  private variables(): StationVariables {
    return {
      heartbeatIntervalS: this.heartbeatIntervalS,
      meterValuesIntervalS: Math.round((this.options.meterValuesIntervalMs ?? 0) / 1000),
      evseCount: this.connectors.length,
    };
  }

  private onRemoteCall201(
    action: string,
    payload: Record<string, unknown>,
    frame: string,
  ): Record<string, unknown> {
    const autoRun = this.options.autoRunRemoteSessions !== false;
    switch (action) {
      case 'RequestStartTransaction': {
        const request = payload as Ocpp201.RequestStartTransactionRequest;
        const c = this.connectors.find(
          (x) =>
            (request.evseId === undefined || x.id === request.evseId) &&
            x.transactionId === null &&
            x.status === 'Available',
        );
        if (!c) return { status: 'Rejected' };
        if (autoRun) {
          // Answer first, then start (after the CALLRESULT went out), as a real station does.
          const remote = { remoteStartId: request.remoteStartId, idToken: request.idToken };
          this.background(sleep(10).then(() => this.startTransaction(c.id, request.idToken.idToken, remote)));
        }
        return { status: 'Accepted' };
      }
      case 'RequestStopTransaction': {
        const request = payload as Ocpp201.RequestStopTransactionRequest;
        const c = this.connectors.find((x) => x.chargerTransactionId === request.transactionId);
        if (!c) return { status: 'Rejected' };
        if (autoRun) this.background(sleep(10).then(() => this.stopTransaction(c.id, 'Remote')));
        return { status: 'Accepted' };
      }
      case 'CostUpdated': {
        const update: CostUpdate = {
          transactionId: String(payload.transactionId),
          totalCost: totalCostText(frame) ?? String(payload.totalCost),
          receivedAt: Date.now(),
        };
        this.costUpdates.push(update);
        this.log(`CostUpdated: total ${update.totalCost} for transaction ${update.transactionId}`);
        for (let i = this.costWaiters.length - 1; i >= 0; i--)
          if (this.costWaiters[i].match(update)) this.costWaiters.splice(i, 1)[0].resolve(update);
        return {};
      }
      case 'Reset':
      case 'ChangeAvailability':
        return { status: 'Accepted' };
      case 'UnlockConnector':
        return { status: 'Unlocked' };
      case 'GetVariables':
        return getVariables(this.variables(), payload as Ocpp201.GetVariablesRequest);
      case 'SetVariables': {
        const vars = this.variables();
        const answer = setVariables(vars, payload as Ocpp201.SetVariablesRequest);
        this.heartbeatIntervalS = vars.heartbeatIntervalS;
        return answer;
      }
      case 'GetBaseReport': {
        const requestId = Number(payload.requestId);
        this.background(
          sleep(10).then(() => this.client.confirm('NotifyReport', baseReport(this.variables(), requestId))),
        );
        return { status: 'Accepted' };
      }
      case 'TriggerMessage': {
        const requested = (payload as Ocpp201.TriggerMessageRequest).requestedMessage;
        if (requested === 'Heartbeat') this.background(sleep(10).then(() => this.heartbeat()));
        else if (requested === 'StatusNotification')
          this.background(
            sleep(10).then(async () => {
              for (const c of this.connectors) {
                c.reported = null;
                await this.setStatus(c.id, c.status);
              }
            }),
          );
        else if (requested === 'BootNotification')
          this.background(
            sleep(10).then(() =>
              this.client.confirm('BootNotification', { ...this.bootPayload(), reason: 'Triggered' }),
            ),
          );
        else return { status: 'NotImplemented' };
        return { status: 'Accepted' };
      }
      default:
        throw new Error(`${action} not supported by the simulator`);
    }
  }

  private background(task: Promise<unknown>): void {
    const t = task.catch((e) => this.log(`remote-triggered action failed: ${(e as Error).message}`));
    this.remoteTasks.add(t);
    void t.finally(() => this.remoteTasks.delete(t));
  }

  /** Waits for sessions started or stopped by remote commands to finish their messages. */
  async settle(): Promise<void> {
    while (this.remoteTasks.size > 0) await Promise.all(this.remoteTasks);
  }

  async close(): Promise<void> {
    for (const c of this.connectors) if (c.meterTimer) clearInterval(c.meterTimer);
    if (this.client) await this.client.close();
  }
}

/** CostUpdated's totalCost as written in the CALL frame (a JSON number: its digits, not a double's). */
function totalCostText(frame: string): string | null {
  try {
    const total = ((parseJsonLossless(frame) as unknown[])[3] as { totalCost?: unknown }).totalCost;
    return isLosslessNumber(total) ? total.text : null;
  } catch {
    return null;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
