import { OcppClient, type OcppClientOptions } from './ocpp-client';

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

export type ConnectorStatus =
  | 'Available'
  | 'Preparing'
  | 'Charging'
  | 'SuspendedEV'
  | 'SuspendedEVSE'
  | 'Finishing'
  | 'Unavailable'
  | 'Faulted';

export interface SimulatedChargerOptions extends OcppClientOptions {
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
}

interface ConnectorState {
  id: number;
  status: ConnectorStatus;
  meterWh: number;
  transactionId: number | null;
  idTag: string | null;
  lastMeterAt: number;
  meterTimer: NodeJS.Timeout | null;
}

export interface SessionRecord {
  connectorId: number;
  transactionId: number;
  idTag: string;
  meterStart: number;
  meterStop?: number;
  reason?: StopReason;
}

/**
 * A charger that behaves like a real one over OCPP 1.6J: BootNotification, StatusNotification
 * Preparing → Charging ⇄ SuspendedEV → Finishing → Available, StartTransaction, periodic
 * MeterValues, StopTransaction with a reason; it answers RemoteStartTransaction and
 * RemoteStopTransaction (and accepts Reset, ChangeAvailability, ChangeConfiguration,
 * GetConfiguration, UnlockConnector, TriggerMessage). Used by tests, the benchmark and the demo.
 */
export class SimulatedCharger {
  client!: OcppClient;
  readonly connectors: ConnectorState[];
  readonly sessions: SessionRecord[] = [];
  heartbeatIntervalS = 0;
  private readonly remoteTasks = new Set<Promise<unknown>>();

  constructor(readonly options: SimulatedChargerOptions) {
    this.connectors = Array.from({ length: options.connectors ?? 1 }, (_, i) => ({
      id: i + 1,
      status: 'Available' as ConnectorStatus,
      meterWh: options.initialMeterWh ?? 1000,
      transactionId: null,
      idTag: null,
      lastMeterAt: Date.now(),
      meterTimer: null,
    }));
  }

  get chargePointId(): string {
    return this.options.chargePointId;
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
    this.client = await OcppClient.connect(this.options);
    this.client.onCall((action, payload) => this.onRemoteCall(action, payload));
    const boot = await this.client.confirm('BootNotification', {
      chargePointVendor: this.options.vendor ?? 'ChargeBill',
      chargePointModel: this.options.model ?? 'Simulator',
      firmwareVersion: '1.6.0-sim',
    });
    this.heartbeatIntervalS = Number(boot.interval ?? 0);
    this.log(`booted: ${String(boot.status)}, heartbeat every ${this.heartbeatIntervalS}s`);
    for (const c of this.connectors) await this.setStatus(c.id, 'Available');
  }

  async heartbeat(): Promise<string> {
    const reply = await this.client.confirm('Heartbeat', {});
    return String(reply.currentTime);
  }

  async setStatus(connectorId: number, status: ConnectorStatus, errorCode = 'NoError'): Promise<void> {
    const c = this.connector(connectorId);
    c.status = status;
    await this.client.confirm('StatusNotification', {
      connectorId,
      errorCode,
      status,
      timestamp: new Date().toISOString(),
    });
    this.log(`connector ${connectorId} ${status}`);
  }

  /** Advances the meter by the energy delivered since the last reading (while Charging). */
  private advanceMeter(c: ConnectorState): void {
    const now = Date.now();
    if (c.status === 'Charging')
      c.meterWh += Math.round(((this.options.powerW ?? 11000) * (now - c.lastMeterAt)) / 3_600_000);
    c.lastMeterAt = now;
  }

  /** Plug in, authorize, StartTransaction, Charging. Returns the transactionId. */
  async startTransaction(connectorId = 1, idTag = 'SIMTAG01'): Promise<number> {
    const c = this.connector(connectorId);
    if (c.transactionId !== null)
      throw new Error(`connector ${connectorId} already has transaction ${c.transactionId}`);
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
    const interval = this.options.meterValuesIntervalMs ?? 0;
    if (interval > 0) {
      c.meterTimer = setInterval(
        () => void this.sendMeterValues(connectorId).catch(() => undefined),
        interval,
      );
      c.meterTimer.unref();
    }
    return transactionId;
  }

  async sendMeterValues(connectorId = 1): Promise<void> {
    const c = this.connector(connectorId);
    this.advanceMeter(c);
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

  /** Finishing → StopTransaction(reason) → Available. Returns meterStop. */
  async stopTransaction(connectorId = 1, reason: StopReason = 'Local'): Promise<number> {
    const c = this.connector(connectorId);
    if (c.transactionId === null) throw new Error(`connector ${connectorId} has no transaction`);
    if (c.meterTimer) clearInterval(c.meterTimer);
    c.meterTimer = null;
    this.advanceMeter(c);
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

  /** A whole session: start, charge for `durationMs` (with a short SuspendedEV halfway if asked), stop. */
  async runSession(
    options: {
      connectorId?: number;
      idTag?: string;
      durationMs?: number;
      reason?: StopReason;
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

  private onRemoteCall(action: string, payload: Record<string, unknown>): Record<string, unknown> {
    this.log(`received ${action} ${JSON.stringify(payload)}`);
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

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
