import type { Ocpp201CallReceived, Ocpp201InboundAction } from '@app/contracts';
import {
  callErrorFrameOf,
  OcppError,
  type CallFrame,
  type Ocpp201Confirmation,
  type Ocpp201IdToken,
  type Ocpp201IdTokenInfo,
  type Ocpp201Request,
  type Ocpp201Validator,
} from '@app/ocpp';
import { toIdTokenInfo } from '../domain/id-tag-info';
import {
  lookUpIdTag,
  replyAfterPublish,
  type CallErrorReporter,
  type CallOutcome,
  type ChargerContext,
  type StationCallHandler,
} from './answer-call';
import type { ChargerRepository, OcppEventSink } from './ports';

export interface HandleStationCall201Deps {
  validator: Ocpp201Validator;
  chargers: Pick<ChargerRepository, 'findIdTag'>;
  sink: OcppEventSink;
  gatewayId: string;
  /** Dev stack: unknown id tokens are Accepted. */
  acceptUnknownIdTags: boolean;
  heartbeatIntervalS: number;
  /** At most one Heartbeat per connection per this many ms is published (0: all). */
  heartbeatSampleMs: number;
  dataTransferVendors: ReadonlySet<string>;
  onError?: CallErrorReporter;
  now?(): Date;
}

type Replies = {
  [A in Ocpp201InboundAction]: (
    ctx: ChargerContext,
    payload: Ocpp201Request<A>,
  ) => Promise<Ocpp201Confirmation<A>>;
};

/**
 * One CALL from an OCPP 2.0.1 station: validate it against the 2.0.1 schema (2.0.1 error
 * names), work out the response, publish the CALL with it to `ocpp.v201.events` and return the
 * CALLRESULT once Kafka acknowledged the record (replyAfterPublish, as for 1.6).
 * The station names its own transactions (TransactionEvent.transactionInfo.transactionId), so
 * unlike 1.6 StartTransaction nothing is allocated here: the session service folds the events.
 */
export class HandleStationCall201 implements StationCallHandler {
  private readonly now: () => Date;

  constructor(private readonly deps: HandleStationCall201Deps) {
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
      reply: () => this.response(ctx, action, payload),
      // As in HandleChargerCall: action, payload and reply belong together, the union is asserted.
      publish: (reply) =>
        this.deps.sink.ocpp201CallReceived({
          chargePointId: ctx.chargePointId,
          fleetId: ctx.fleetId,
          messageId: frame.messageId,
          action,
          payload,
          rawFrame,
          receivedAt: receivedAt.toISOString(),
          reply,
          gatewayId: this.deps.gatewayId,
        } as Ocpp201CallReceived),
    });
  }

  private response<A extends Ocpp201InboundAction>(
    ctx: ChargerContext,
    action: A,
    payload: Ocpp201Request<A>,
  ): Promise<Ocpp201Confirmation<A>> {
    const reply: Replies[A] = this.replies[action];
    return reply(ctx, payload);
  }

  /** One function per action, each from its `urn:<action>.req` to its `urn:<action>.conf`. */
  private readonly replies: Replies = {
    Authorize: async (ctx, payload) => ({ idTokenInfo: await this.idTokenInfo(ctx, payload.idToken) }),
    BootNotification: async () => ({
      currentTime: this.now().toISOString(),
      interval: this.deps.heartbeatIntervalS,
      status: 'Accepted',
    }),
    DataTransfer: async (_ctx, payload) => ({
      status: this.deps.dataTransferVendors.has(payload.vendorId) ? 'Accepted' : 'UnknownVendorId',
    }),
    Heartbeat: async () => ({ currentTime: this.now().toISOString() }),
    TransactionEvent: async (ctx, payload) => {
      // Always answered, whatever the event (an unknown transaction, a repeated seqNo): the session
      // service decides what it means. idTokenInfo is required only when the event carries an
      // idToken; if the lookup fails (database down) the event is still answered, without it,
      // rather than refused and retried by the station (as 1.6 StopTransaction).
      if (payload.idToken === undefined) return {};
      try {
        return { idTokenInfo: await this.idTokenInfo(ctx, payload.idToken) };
      } catch (error) {
        this.deps.onError?.(error, {
          chargePointId: ctx.chargePointId,
          action: 'TransactionEvent',
          messageId: '',
        });
        return {};
      }
    },
    MeterValues: async () => ({}),
    StatusNotification: async () => ({}),
    NotifyEvent: async () => ({}),
    NotifyReport: async () => ({}),
    SecurityEventNotification: async () => ({}),
    FirmwareStatusNotification: async () => ({}),
    LogStatusNotification: async () => ({}),
  };

  private async idTokenInfo(ctx: ChargerContext, idToken: Ocpp201IdToken): Promise<Ocpp201IdTokenInfo> {
    // A station charging without authorization (free vend) reports it with type NoAuthorization
    // and an empty token: there is no tag for the fleet to judge, and Invalid would make the
    // station end a session it started on purpose.
    if (idToken.type === 'NoAuthorization') return { status: 'Accepted' };
    const info = await lookUpIdTag(
      this.deps.chargers,
      ctx,
      idToken.idToken,
      this.now(),
      this.deps.acceptUnknownIdTags,
    );
    return toIdTokenInfo(info);
  }
}
