/**
 * A simulated charger for operator tests (issue 12): it boots with a full BootNotification (serial
 * numbers, ICCID, IMSI, meter; `boot201` when it speaks 2.0.1), records every CALL the Central
 * System sends it, and answers the actions a test scripted (a CALLRESULT payload, a CALLERROR, or
 * no answer at all); the others as the plain simulator does (RemoteStart runs a session, Reset is
 * Accepted...).
 */
import type { Ocpp201 } from '@app/ocpp';
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
  /** The CALL's text as received (a number's exact digits). */
  frame: string;
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
  /** The 1.6 BootNotification. */
  boot?: BootData;
  /** The 2.0.1 BootNotification (when it speaks 2.0.1). */
  boot201?: Ocpp201.BootNotificationRequest;
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
    this.client = await OcppClient.connect(this.clientOptions());
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
        frame: data.toString(),
      };
      this.received.push(call);
      for (let i = 0; i < this.waiters.length; i++) {
        if (this.waiters[i].action === call.action) {
          this.waiters.splice(i, 1)[0].resolve(call);
          break;
        }
      }
    });
    client.onCall((action, payload, frame) => {
      const queue = this.script.get(action);
      const reply = queue?.shift();
      if (queue && queue.length === 0) this.script.delete(action);
      if (!reply) return this['onRemoteCall'](action, payload, frame);
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
    const boot = await client.confirm('BootNotification', this.bootPayload());
    this.bootStatus = String(boot.status);
    this.heartbeatIntervalS = Number(boot.interval ?? 0);
    await this.reportAllAvailable();
  }

  /** The scripted boot data of the protocol it speaks, else the plain simulator's. */
  protected override bootPayload(): Record<string, unknown> {
    if (this.protocol === 'ocpp2.0.1')
      return this.scriptedOptions.boot201 ? { ...this.scriptedOptions.boot201 } : super.bootPayload();
    return this.scriptedOptions.boot ? { ...this.scriptedOptions.boot } : super.bootPayload();
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
