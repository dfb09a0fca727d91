import type { OcppInboundAction } from '@app/contracts';
import {
  callErrorFrame,
  callErrorFrameOf,
  callResultFrame,
  type CallFrame,
  type Ocpp16Validator,
} from '@app/ocpp';
import { decideIdTagInfo, type IdTagInfo } from '../domain/id-tag-info';
import type { TransactionIdBlocks } from '../domain/transaction-id-block';
import type { ChargerRepository, OcppEventSink, TransactionRepository } from './ports';

/** Who is on the other end of a connection, and per-connection state the handler keeps. */
export interface ChargerContext {
  chargePointId: string;
  fleetId: string;
  /** When this connection's last Heartbeat went to Kafka (ms since epoch; 0: never). */
  lastHeartbeatPublishedAt: number;
}

export interface HandleChargerCallDeps {
  validator: Ocpp16Validator;
  chargers: ChargerRepository;
  transactions: TransactionRepository;
  transactionIds: TransactionIdBlocks;
  sink: OcppEventSink;
  gatewayId: string;
  /** Dev stack: unknown id tags are Accepted. */
  acceptUnknownIdTags: boolean;
  heartbeatIntervalS: number;
  /** At most one Heartbeat per connection per this many ms is published (0: all). */
  heartbeatSampleMs: number;
  dataTransferVendors: ReadonlySet<string>;
  onError?(error: unknown, context: { chargePointId: string; action: string; messageId: string }): void;
  now?(): Date;
}

export interface CallOutcome {
  /** The frame to send back: CALLRESULT or CALLERROR. */
  reply: string;
  /** 'result' when a CALLRESULT is sent, else the CALLERROR code. */
  outcome: string;
}

/**
 * One CALL from a charger: validate it against the OCPP 1.6 schema, work out the confirmation,
 * publish the CALL with that confirmation to `ocpp.v16.events`, and only once Kafka acknowledged
 * it return the CALLRESULT. If the record cannot be made durable in time the charger gets
 * InternalError and will retry; it is never told "received" for something Kafka does not have.
 */
export class HandleChargerCall {
  private readonly now: () => Date;

  constructor(private readonly deps: HandleChargerCallDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async execute(
    ctx: ChargerContext,
    call: CallFrame,
    rawFrame: string,
    receivedAt: Date,
  ): Promise<CallOutcome> {
    const invalid = this.deps.validator.checkInboundCall(call.action, call.payload);
    if (invalid) return { reply: callErrorFrameOf(call.messageId, invalid), outcome: invalid.code };
    const action = call.action as OcppInboundAction;
    try {
      const reply = await this.confirmation(ctx, action, call.payload);
      if (this.shouldPublish(ctx, action, receivedAt)) {
        await this.deps.sink.callReceived({
          chargePointId: ctx.chargePointId,
          fleetId: ctx.fleetId,
          messageId: call.messageId,
          action,
          payload: call.payload,
          rawFrame,
          receivedAt: receivedAt.toISOString(),
          reply,
          gatewayId: this.deps.gatewayId,
        });
        if (action === 'Heartbeat') ctx.lastHeartbeatPublishedAt = receivedAt.getTime();
      }
      return { reply: callResultFrame(call.messageId, reply), outcome: 'result' };
    } catch (error) {
      this.deps.onError?.(error, { chargePointId: ctx.chargePointId, action, messageId: call.messageId });
      return {
        reply: callErrorFrame(call.messageId, 'InternalError', 'could not record the message; please retry'),
        outcome: 'InternalError',
      };
    }
  }

  /** Heartbeats carry no data: one per connection per sampling period is enough to see liveness. */
  private shouldPublish(ctx: ChargerContext, action: OcppInboundAction, receivedAt: Date): boolean {
    if (action !== 'Heartbeat' || this.deps.heartbeatSampleMs === 0) return true;
    return receivedAt.getTime() - ctx.lastHeartbeatPublishedAt >= this.deps.heartbeatSampleMs;
  }

  /** The CALLRESULT payload for a schema-valid request. */
  private async confirmation(
    ctx: ChargerContext,
    action: OcppInboundAction,
    payload: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    switch (action) {
      case 'Authorize':
        return { idTagInfo: await this.idTagInfo(ctx, payload.idTag as string) };
      case 'BootNotification':
        return {
          status: 'Accepted',
          currentTime: this.now().toISOString(),
          interval: this.deps.heartbeatIntervalS,
        };
      case 'DataTransfer':
        return {
          status: this.deps.dataTransferVendors.has(payload.vendorId as string)
            ? 'Accepted'
            : 'UnknownVendorId',
        };
      case 'Heartbeat':
        return { currentTime: this.now().toISOString() };
      case 'StartTransaction':
        return this.startTransaction(ctx, payload);
      case 'StopTransaction':
        // Always confirmed, also for an unknown or repeated transactionId: a CALLERROR would make
        // the charger retry forever. The session service decides what the stop means.
        // idTagInfo is optional in StopTransaction.conf: if the tag cannot be looked up (database
        // down) the stop is still confirmed, without it, rather than retried by the charger.
        if (typeof payload.idTag !== 'string') return {};
        try {
          return { idTagInfo: await this.idTagInfo(ctx, payload.idTag) };
        } catch (error) {
          this.deps.onError?.(error, {
            chargePointId: ctx.chargePointId,
            action: 'StopTransaction',
            messageId: '',
          });
          return {};
        }
      case 'MeterValues':
      case 'StatusNotification':
      case 'DiagnosticsStatusNotification':
      case 'FirmwareStatusNotification':
        return {};
      default: {
        const unhandled: never = action;
        throw new Error(`no confirmation for ${String(unhandled)}`);
      }
    }
  }

  private async startTransaction(
    ctx: ChargerContext,
    payload: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const idTag = payload.idTag as string;
    const [idTagInfo, candidate] = await Promise.all([
      this.idTagInfo(ctx, idTag),
      this.deps.transactionIds.allocate(),
    ]);
    const transactionId = await this.deps.transactions.recordStart(
      {
        chargePointId: ctx.chargePointId,
        connectorId: payload.connectorId as number,
        idTag,
        timestamp: payload.timestamp as string,
        meterStart: payload.meterStart as number,
      },
      candidate,
    );
    return { transactionId, idTagInfo };
  }

  private async idTagInfo(ctx: ChargerContext, idTag: string): Promise<IdTagInfo> {
    const record = await this.deps.chargers.findIdTag(ctx.fleetId, idTag, ctx.chargePointId);
    return decideIdTagInfo(record, this.now(), this.deps.acceptUnknownIdTags);
  }
}
