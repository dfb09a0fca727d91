import { callErrorFrame, callResultFrame, type CallFrame } from '@app/ocpp';
import { decideIdTagInfo, type IdTagInfo } from '../domain/id-tag-info';
import type { ChargerRepository } from './ports';

/** Who is on the other end of a connection, and per-connection state the handler keeps. */
export interface ChargerContext {
  chargePointId: string;
  fleetId: string;
  /** When this connection's last Heartbeat went to Kafka (ms since epoch; 0: never). */
  lastHeartbeatPublishedAt: number;
}

export interface CallOutcome {
  /** The frame to send back: CALLRESULT or CALLERROR. */
  reply: string;
  /** 'result' when a CALLRESULT is sent, else the CALLERROR code. */
  outcome: string;
}

/** Answers one CALL of a connection's protocol (HandleChargerCall for 1.6, HandleStationCall201 for 2.0.1). */
export interface StationCallHandler {
  execute(ctx: ChargerContext, frame: CallFrame, rawFrame: string, receivedAt: Date): Promise<CallOutcome>;
}

export type CallErrorReporter = (
  error: unknown,
  context: { chargePointId: string; action: string; messageId: string },
) => void;

/**
 * What every accepted CALL goes through, whatever the protocol: work out the reply, publish the
 * CALL with it, and only once Kafka acknowledged the record return the CALLRESULT. If the record
 * cannot be made durable in time the charger gets InternalError (spelled alike in 1.6 and 2.0.1)
 * and will retry; it is never told "received" for something Kafka does not have.
 */
export async function replyAfterPublish<Reply extends object>(step: {
  ctx: ChargerContext;
  messageId: string;
  action: string;
  receivedAt: Date;
  heartbeatSampleMs: number;
  reply(): Promise<Reply>;
  publish(reply: Reply): Promise<void>;
  onError?: CallErrorReporter;
}): Promise<CallOutcome> {
  const { ctx, messageId, action, receivedAt } = step;
  try {
    const reply = await step.reply();
    if (shouldPublish(ctx, action, receivedAt, step.heartbeatSampleMs)) {
      await step.publish(reply);
      if (action === 'Heartbeat') ctx.lastHeartbeatPublishedAt = receivedAt.getTime();
    }
    return { reply: callResultFrame(messageId, reply as Record<string, unknown>), outcome: 'result' };
  } catch (error) {
    step.onError?.(error, { chargePointId: ctx.chargePointId, action, messageId });
    return {
      reply: callErrorFrame(messageId, 'InternalError', 'could not record the message; please retry'),
      outcome: 'InternalError',
    };
  }
}

/** Heartbeats carry no data: one per connection per sampling period is enough to see liveness. */
function shouldPublish(ctx: ChargerContext, action: string, receivedAt: Date, sampleMs: number): boolean {
  if (action !== 'Heartbeat' || sampleMs === 0) return true;
  return receivedAt.getTime() - ctx.lastHeartbeatPublishedAt >= sampleMs;
}

/** The fleet's verdict on an id tag (1.6 idTag, 2.0.1 idToken.idToken): one rule for both protocols. */
export async function lookUpIdTag(
  chargers: Pick<ChargerRepository, 'findIdTag'>,
  ctx: ChargerContext,
  idTag: string,
  now: Date,
  acceptUnknown: boolean,
): Promise<IdTagInfo> {
  const record = await chargers.findIdTag(ctx.fleetId, idTag, ctx.chargePointId);
  return decideIdTagInfo(record, now, acceptUnknown);
}
