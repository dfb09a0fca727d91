/**
 * A simulated charger for operator tests (issue 12): it boots with a full BootNotification (serial
 * numbers, ICCID, IMSI, meter), records every CALL the Central System sends it, and answers the
 * actions a test scripted (a CALLRESULT payload, a CALLERROR, or no answer at all); the others as
 * the plain simulator does (RemoteStart runs a session, Reset is Accepted...).
 */
import { OcppClient } from './simulator/ocpp-client';
import { SimulatedCharger, type SimulatedChargerOptions } from './simulator/simulated-charger';

/** What the charger answers to one CALL of an action. */
export type ScriptedReply =
  | { result: Record<string, unknown> }
  | { error: { code: string; description: string; details?: Record<string, unknown> } }
  /** Never answers (the Central System times out). */
  | { silence: true };

/** A CALL the Central System sent, as the charger received it. */
export interface ReceivedCall {
  messageId: string;
  action: string;
  payload: Record<string, unknown>;
  receivedAt: number;
}

export interface BootData {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}

export interface ScriptedChargerOptions extends SimulatedChargerOptions {
  boot?: BootData;
}

export class ScriptedCharger extends SimulatedCharger {
  /** Every CALL received from the Central System over every connection, in order. */
  readonly received: ReceivedCall[] = [];
  private readonly script = new Map<string, ScriptedReply[]>();
  private readonly waiters: Array<{ action: string; resolve(call: ReceivedCall): void }> = [];
  /** The BootNotification's answer on the latest connection. */
  bootStatus: string | null = null;

  constructor(readonly scriptedOptions: ScriptedChargerOptions) {
    super(scriptedOptions);
  }

  /**
   * The next `times` CALLs of `action` get `reply` (default: every one from now on, until
   * `unscript`). Replies queue in the order given.
   */
  reply(action: string, reply: ScriptedReply, times = Infinity): this {
    const queue = this.script.get(action) ?? [];
    for (let i = 0; i < Math.min(times, 1000); i++) queue.push(reply);
    this.script.set(action, queue);
    return this;
  }

  unscript(action: string): this {
    this.script.delete(action);
    return this;
  }

  /** The calls of `action` received so far. */
  calls(action: string): ReceivedCall[] {
    return this.received.filter((c) => c.action === action);
  }

  /** Resolves with the next CALL of `action` received after this call (rejects after `timeoutMs`). */
  nextCall(action: string, timeoutMs = 15_000): Promise<ReceivedCall> {
    return new Promise((resolve, reject) => {
      const waiter = { action, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error(`${this.chargePointId} received no ${action} within ${timeoutMs} ms`));
        }
      }, timeoutMs).unref();
    });
  }

  /** Connects, sends the full BootNotification, and reports every connector Available. */
  override async connect(): Promise<void> {
    this.client = await OcppClient.connect(this.options);
    const client = this.client;
    // Recorded before the client hands the CALL to its handler, so a scripted CALLERROR knows its id.
    client.ws.prependListener('message', (data) => {
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (!Array.isArray(frame) || frame[0] !== 2) return;
      const call: ReceivedCall = {
        messageId: String(frame[1]),
        action: String(frame[2]),
        payload: (frame[3] ?? {}) as Record<string, unknown>,
        receivedAt: Date.now(),
      };
      this.received.push(call);
      for (let i = 0; i < this.waiters.length; i++) {
        if (this.waiters[i].action === call.action) {
          this.waiters.splice(i, 1)[0].resolve(call);
          break;
        }
      }
    });
    client.onCall((action, payload) => {
      const queue = this.script.get(action);
      const reply = queue?.shift();
      if (queue && queue.length === 0) this.script.delete(action);
      if (!reply) return this['onRemoteCall'](action, payload);
      if ('result' in reply) return reply.result;
      if ('error' in reply) {
        const call = [...this.received].reverse().find((c) => c.action === action);
        client.sendRaw(
          JSON.stringify([
            4,
            call?.messageId,
            reply.error.code,
            reply.error.description,
            reply.error.details ?? {},
          ]),
        );
      }
      // Answered by hand (CALLERROR) or not at all: the handler's own answer never comes.
      return new Promise<Record<string, unknown>>(() => undefined);
    });
    const boot = await client.confirm('BootNotification', {
      ...(this.scriptedOptions.boot ?? {
        chargePointVendor: this.options.vendor ?? 'ChargeBill',
        chargePointModel: this.options.model ?? 'Simulator',
        firmwareVersion: '1.6.0-sim',
      }),
    });
    this.bootStatus = String(boot.status);
    this.heartbeatIntervalS = Number(boot.interval ?? 0);
    for (const c of this.connectors) await this.setStatus(c.id, 'Available');
  }

  /** A StatusNotification with every optional field (info, vendor id, vendor error code). */
  async reportStatus(
    connectorId: number,
    status: string,
    extra: { errorCode?: string; info?: string; vendorId?: string; vendorErrorCode?: string } = {},
  ): Promise<void> {
    const payload: Record<string, unknown> = {
      connectorId,
      errorCode: extra.errorCode ?? 'NoError',
      status,
      timestamp: new Date().toISOString(),
    };
    if (extra.info !== undefined) payload.info = extra.info;
    if (extra.vendorId !== undefined) payload.vendorId = extra.vendorId;
    if (extra.vendorErrorCode !== undefined) payload.vendorErrorCode = extra.vendorErrorCode;
    await this.client.confirm('StatusNotification', payload);
    const c = this.connectors[connectorId - 1];
    if (c) c.status = status as (typeof c)['status'];
  }
}
