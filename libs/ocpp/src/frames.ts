import type { ChargerProtocol } from '@app/contracts';
import { OcppError, type Ocpp16ErrorCode, type Ocpp201ErrorCode, type OcppErrorCode } from './errors';

/** OCPP-J MessageTypeIds. */
export const MessageType = { CALL: 2, CALLRESULT: 3, CALLERROR: 4 } as const;

/** OCPP-J: a message id is a string of at most 36 characters. */
export const MAX_MESSAGE_ID_LENGTH = 36;

/**
 * The message id we answer with when a frame's own id cannot be read (not JSON, not an array, id
 * not a string). OCPP-J leaves the choice between replying and ignoring; we reply with
 * CALLERROR id "-1" so a developer watching the wire sees why the frame was refused.
 */
export const UNREADABLE_MESSAGE_ID = '-1';

export interface CallFrame {
  type: 'call';
  messageId: string;
  action: string;
  payload: Record<string, unknown>;
}
export interface CallResultFrame {
  type: 'callResult';
  messageId: string;
  payload: Record<string, unknown>;
}
export interface CallErrorFrame {
  type: 'callError';
  messageId: string;
  errorCode: string;
  errorDescription: string;
  errorDetails: unknown;
}
/** A frame to drop unanswered: a malformed CALLRESULT/CALLERROR, or (1.6) an unknown MessageTypeId. */
export interface IgnoredFrame {
  type: 'ignored';
  reason: string;
}
/** A frame that must be answered with a CALLERROR (`messageId` is "-1" when it could not be read). */
export interface MalformedFrame<C extends OcppErrorCode = Ocpp16ErrorCode> {
  type: 'malformed';
  messageId: string;
  error: OcppError<C>;
}
export type InboundFrame<C extends OcppErrorCode = Ocpp16ErrorCode> =
  CallFrame | CallResultFrame | CallErrorFrame | IgnoredFrame | MalformedFrame<C>;
/** What `parseFrame(text, 'ocpp2.0.1')` returns: its CALLERRORs carry 2.0.1 codes. */
export type Inbound201Frame = InboundFrame<Ocpp201ErrorCode>;

/** Which CALLERROR code answers each frame defect, per protocol. */
interface FrameErrorCodes<C extends OcppErrorCode> {
  /** Not JSON, not an array, no integer MessageTypeId, or a CALL whose message id cannot be read. */
  unreadable: C;
  /** A CALL message id longer than MAX_MESSAGE_ID_LENGTH. */
  idTooLong: C;
  /** A CALL whose action is not a non-empty string. */
  badAction: C;
  /** A CALL with only three elements. */
  noPayload: C;
  /** A CALL with more than four elements. */
  extraElements: C;
  /** A CALL whose payload is not a JSON object. */
  payloadNotObject: C;
  /** An integer MessageTypeId other than 2, 3, 4: answered with this code, or ignored (null). */
  unknownMessageType: C | null;
}

/** OCPP-J 1.6 section 4.2.3 has no RPC-level codes: frame defects are FormationViolation. */
const FRAME_ERRORS_16: FrameErrorCodes<Ocpp16ErrorCode> = {
  unreadable: 'FormationViolation',
  idTooLong: 'FormationViolation',
  badAction: 'FormationViolation',
  noPayload: 'ProtocolError',
  extraElements: 'FormationViolation',
  payloadNotObject: 'FormationViolation',
  unknownMessageType: null,
};

/**
 * OCPP-J 2.0.1 (part 4, section 4.3) separates the RPC frame from the payload it carries:
 * RpcFrameworkError is "content of the call is not a valid RPC Request, for example: MessageId
 * could not be read", FormatViolation "payload for Action is syntactically incorrect",
 * ProtocolError "payload for Action is not conform the PDU structure", MessageTypeNotSupported
 * "a message with a Message Type Number received that is not supported".
 * Our reading: every defect of the array itself (not JSON, not an array, no MessageTypeId, an
 * unreadable or too long id, no action, a missing payload or extra elements) is the RPC frame
 * being invalid → RpcFrameworkError. ProtocolError we keep for payloads (it names the PDU, the
 * message's schema), and the validator already answers schema failures with the more precise
 * constraint codes, so it does not appear here. A payload present but not an object is the
 * payload being syntactically wrong → FormatViolation. An unknown MessageTypeId is answered
 * (2.0.1 names a code for it, where 1.6 says ignore) with the frame's id when readable.
 */
const FRAME_ERRORS_201: FrameErrorCodes<Ocpp201ErrorCode> = {
  unreadable: 'RpcFrameworkError',
  idTooLong: 'RpcFrameworkError',
  badAction: 'RpcFrameworkError',
  noPayload: 'RpcFrameworkError',
  extraElements: 'RpcFrameworkError',
  payloadNotObject: 'FormatViolation',
  unknownMessageType: 'MessageTypeNotSupported',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed<C extends OcppErrorCode>(
  messageId: string,
  code: C,
  description: string,
): MalformedFrame<C> {
  return { type: 'malformed', messageId, error: new OcppError(code, description) };
}

function readableId(id: unknown): string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_MESSAGE_ID_LENGTH
    ? id
    : UNREADABLE_MESSAGE_ID;
}

/**
 * Parses one WebSocket text frame of a connection speaking `protocol` (1.6 when not given).
 * Never throws: every defect becomes a value the caller can answer (`malformed`, with that
 * protocol's error code) or drop (`ignored`).
 */
export function parseFrame(text: string, protocol?: 'ocpp1.6'): InboundFrame;
export function parseFrame(text: string, protocol: 'ocpp2.0.1'): Inbound201Frame;
export function parseFrame(text: string, protocol: ChargerProtocol): InboundFrame<OcppErrorCode>;
export function parseFrame(text: string, protocol: ChargerProtocol = 'ocpp1.6'): InboundFrame<OcppErrorCode> {
  return protocol === 'ocpp2.0.1' ? parseWith(text, FRAME_ERRORS_201) : parseWith(text, FRAME_ERRORS_16);
}

function parseWith<C extends OcppErrorCode>(text: string, codes: FrameErrorCodes<C>): InboundFrame<C> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return malformed(UNREADABLE_MESSAGE_ID, codes.unreadable, 'frame is not valid JSON');
  }
  if (!Array.isArray(parsed)) {
    return malformed(UNREADABLE_MESSAGE_ID, codes.unreadable, 'frame is not a JSON array');
  }
  const [messageType, messageId] = parsed as unknown[];
  if (typeof messageType !== 'number' || !Number.isInteger(messageType)) {
    return malformed(UNREADABLE_MESSAGE_ID, codes.unreadable, 'frame does not start with a MessageTypeId');
  }
  if (messageType === MessageType.CALL) return parseCall(parsed, codes);
  if (messageType === MessageType.CALLRESULT) {
    if (typeof messageId !== 'string' || parsed.length !== 3 || !isPlainObject(parsed[2])) {
      return { type: 'ignored', reason: 'malformed CALLRESULT' };
    }
    return { type: 'callResult', messageId, payload: parsed[2] };
  }
  if (messageType === MessageType.CALLERROR) {
    if (typeof messageId !== 'string' || parsed.length < 4 || typeof parsed[2] !== 'string') {
      return { type: 'ignored', reason: 'malformed CALLERROR' };
    }
    return {
      type: 'callError',
      messageId,
      errorCode: parsed[2],
      errorDescription: typeof parsed[3] === 'string' ? parsed[3] : '',
      errorDetails: parsed[4] ?? {},
    };
  }
  if (codes.unknownMessageType === null) {
    return { type: 'ignored', reason: `unknown MessageTypeId ${messageType}` };
  }
  return malformed(
    readableId(messageId),
    codes.unknownMessageType,
    `MessageTypeId ${messageType} is not supported`,
  );
}

function parseCall<C extends OcppErrorCode>(
  frame: unknown[],
  codes: FrameErrorCodes<C>,
): CallFrame | MalformedFrame<C> {
  const messageId = frame[1];
  if (typeof messageId !== 'string' || messageId.length === 0) {
    return malformed(UNREADABLE_MESSAGE_ID, codes.unreadable, 'CALL message id must be a non-empty string');
  }
  if (messageId.length > MAX_MESSAGE_ID_LENGTH) {
    return malformed(
      messageId,
      codes.idTooLong,
      `CALL message id longer than ${MAX_MESSAGE_ID_LENGTH} characters`,
    );
  }
  const action = frame[2];
  if (typeof action !== 'string' || action.length === 0) {
    return malformed(messageId, codes.badAction, 'CALL action must be a non-empty string');
  }
  if (frame.length < 4) return malformed(messageId, codes.noPayload, `CALL ${action} has no payload`);
  if (frame.length > 4) {
    return malformed(messageId, codes.extraElements, `CALL has ${frame.length} elements, expected 4`);
  }
  const payload = frame[3];
  if (!isPlainObject(payload)) {
    return malformed(messageId, codes.payloadNotObject, `CALL ${action} payload must be a JSON object`);
  }
  return { type: 'call', messageId, action, payload };
}

export function callFrame(messageId: string, action: string, payload: Record<string, unknown>): string {
  return JSON.stringify([MessageType.CALL, messageId, action, payload]);
}

export function callResultFrame(messageId: string, payload: Record<string, unknown>): string {
  return JSON.stringify([MessageType.CALLRESULT, messageId, payload]);
}

/** A CALLERROR; the caller picks the code of its connection's protocol (see errorCodeForProtocol). */
export function callErrorFrame(
  messageId: string,
  code: OcppErrorCode,
  description: string,
  details: Record<string, unknown> = {},
): string {
  return JSON.stringify([MessageType.CALLERROR, messageId, code, description, details]);
}

export function callErrorFrameOf(messageId: string, error: OcppError<OcppErrorCode>): string {
  return callErrorFrame(messageId, error.code, error.description, error.details);
}
