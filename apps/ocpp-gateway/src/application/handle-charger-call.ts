import type { OcppCallReceived, OcppInboundAction } from '@app/contracts';
import {
  callErrorFrameOf,
  OcppError,
  type CallFrame,
  type Ocpp16Confirmations,
  type Ocpp16Requests,
  type Ocpp16Validator,
  type StartTransactionConfirmation,
  type StartTransactionRequest,
} from '@app/ocpp';
import type { IdTagInfo } from '../domain/id-tag-info';
import type { TransactionIdBlocks } from '../domain/transaction-id-block';
import {
  lookUpIdTag,
  replyAfterPublish,
  type CallErrorReporter,
  type CallOutcome,
  type ChargerContext,
  type StationCallHandler,
} from './answer-call';
import type { ChargerRepository, OcppEventSink, TransactionRepository } from './ports';

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
  onError?: CallErrorReporter;
  now?(): Date;
}

type Confirmations = {
  [A in OcppInboundAction]: (
    ctx: ChargerContext,
    payload: Ocpp16Requests[A],
  ) => Promise<Ocpp16Confirmations[A]>;
};

/**
 * One CALL from an OCPP 1.6 charger: validate it against the 1.6 schema, work out the
 * confirmation, publish the CALL with it to `ocpp.v16.events` and return the CALLRESULT once Kafka
 * acknowledged the record (replyAfterPublish).
 */
export class HandleChargerCall implements StationCallHandler {
  private readonly now: () => Date;

  constructor(private readonly deps: HandleChargerCallDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async execute(
    ctx: ChargerContext,
    frame: CallFrame,
    rawFrame: string,
    receivedAt: Date,
  ): Promise<CallOutcome> {
    const call = this.deps.validator.parseInboundCall(frame.action, frame.payload);
    if (call instanceof OcppError)
      return { reply: callErrorFrameOf(frame.messageId, call), outcome: call.code };
    const { action, payload } = call;
    return replyAfterPublish({
      ctx,
      messageId: frame.messageId,
      action,
      receivedAt,
      heartbeatSampleMs: this.deps.heartbeatSampleMs,
      onError: this.deps.onError,
      reply: () => this.confirmation(ctx, action, payload),
      // `action`, `payload` and `reply` belong together (one action's request and confirmation);
      // TypeScript cannot follow that through the destructuring, so the union is asserted here.
      publish: (reply) =>
        this.deps.sink.callReceived({
          chargePointId: ctx.chargePointId,
          fleetId: ctx.fleetId,
          messageId: frame.messageId,
          action,
          payload,
          rawFrame,
          receivedAt: receivedAt.toISOString(),
          reply,
          gatewayId: this.deps.gatewayId,
        } as OcppCallReceived),
    });
  }

  /** The CALLRESULT payload for a schema-valid request. */
  private confirmation<A extends OcppInboundAction>(
    ctx: ChargerContext,
    action: A,
    payload: Ocpp16Requests[A],
  ): Promise<Ocpp16Confirmations[A]> {
    const confirm: Confirmations[A] = this.confirmations[action];
    return confirm(ctx, payload);
  }

  /** One function per action, each from its `<action>.req` to its `<action>.conf`. */
  private readonly confirmations: Confirmations = {
    Authorize: async (ctx, payload) => ({ idTagInfo: await this.idTagInfo(ctx, payload.idTag) }),
    BootNotification: async () => ({
      status: 'Accepted',
      currentTime: this.now().toISOString(),
      interval: this.deps.heartbeatIntervalS,
    }),
    DataTransfer: async (_ctx, payload) => ({
      status: this.deps.dataTransferVendors.has(payload.vendorId) ? 'Accepted' : 'UnknownVendorId',
    }),
    Heartbeat: async () => ({ currentTime: this.now().toISOString() }),
    StartTransaction: (ctx, payload) => this.startTransaction(ctx, payload),
    StopTransaction: async (ctx, payload) => {
      // Always confirmed, also for an unknown or repeated transactionId: a CALLERROR would make
      // the charger retry forever. The session service decides what the stop means.
      // idTagInfo is optional in StopTransaction.conf: if the tag cannot be looked up (database
      // down) the stop is still confirmed, without it, rather than retried by the charger.
      if (payload.idTag === undefined) return {};
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
    },
    MeterValues: async () => ({}),
    StatusNotification: async () => ({}),
    DiagnosticsStatusNotification: async () => ({}),
    FirmwareStatusNotification: async () => ({}),
  };

  private async startTransaction(
    ctx: ChargerContext,
    payload: StartTransactionRequest,
  ): Promise<StartTransactionConfirmation> {
    const { idTag, connectorId, timestamp, meterStart } = payload;
    const [idTagInfo, candidate] = await Promise.all([
      this.idTagInfo(ctx, idTag),
      this.deps.transactionIds.allocate(),
    ]);
    const transactionId = await this.deps.transactions.recordStart(
      { chargePointId: ctx.chargePointId, connectorId, idTag, timestamp, meterStart },
      candidate,
    );
    return { transactionId, idTagInfo };
  }

  private idTagInfo(ctx: ChargerContext, idTag: string): Promise<IdTagInfo> {
    return lookUpIdTag(this.deps.chargers, ctx, idTag, this.now(), this.deps.acceptUnknownIdTags);
  }
}
