import { OcppError, type Ocpp16ErrorCode } from './errors';

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
/** A frame with an unknown MessageTypeId, or a malformed CALLRESULT/CALLERROR: OCPP-J says ignore it. */
export interface IgnoredFrame {
  type: 'ignored';
  reason: string;
}
/** A frame that must be answered with a CALLERROR (`messageId` is "-1" when it could not be read). */
export interface MalformedFrame {
  type: 'malformed';
  messageId: string;
  error: OcppError;
}
export type InboundFrame = CallFrame | CallResultFrame | CallErrorFrame | IgnoredFrame | MalformedFrame;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(messageId: string, code: Ocpp16ErrorCode, description: string): MalformedFrame {
  return { type: 'malformed', messageId, error: new OcppError(code, description) };
}

/**
 * Parses one WebSocket text frame. Never throws: every defect becomes a value the caller can
 * answer (`malformed`) or drop (`ignored`).
 */
export function parseFrame(text: string): InboundFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return malformed(UNREADABLE_MESSAGE_ID, 'FormationViolation', 'frame is not valid JSON');
  }
  if (!Array.isArray(parsed)) {
    return malformed(UNREADABLE_MESSAGE_ID, 'FormationViolation', 'frame is not a JSON array');
  }
  const [messageType, messageId] = parsed as unknown[];
  if (typeof messageType !== 'number' || !Number.isInteger(messageType)) {
    return malformed(
      UNREADABLE_MESSAGE_ID,
      'FormationViolation',
      'frame does not start with a MessageTypeId',
    );
  }
  if (messageType === MessageType.CALL) return parseCall(parsed);
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
  return { type: 'ignored', reason: `unknown MessageTypeId ${messageType}` };
}

function parseCall(frame: unknown[]): CallFrame | MalformedFrame {
  const messageId = frame[1];
  if (typeof messageId !== 'string' || messageId.length === 0) {
    return malformed(
      UNREADABLE_MESSAGE_ID,
      'FormationViolation',
      'CALL message id must be a non-empty string',
    );
  }
  if (messageId.length > MAX_MESSAGE_ID_LENGTH) {
    return malformed(
      messageId,
      'FormationViolation',
      `CALL message id longer than ${MAX_MESSAGE_ID_LENGTH} characters`,
    );
  }
  const action = frame[2];
  if (typeof action !== 'string' || action.length === 0) {
    return malformed(messageId, 'FormationViolation', 'CALL action must be a non-empty string');
  }
  if (frame.length < 4) return malformed(messageId, 'ProtocolError', `CALL ${action} has no payload`);
  if (frame.length > 4)
    return malformed(messageId, 'FormationViolation', `CALL has ${frame.length} elements, expected 4`);
  const payload = frame[3];
  if (!isPlainObject(payload)) {
    return malformed(messageId, 'FormationViolation', `CALL ${action} payload must be a JSON object`);
  }
  return { type: 'call', messageId, action, payload };
}

export function callFrame(messageId: string, action: string, payload: Record<string, unknown>): string {
  return JSON.stringify([MessageType.CALL, messageId, action, payload]);
}

export function callResultFrame(messageId: string, payload: Record<string, unknown>): string {
  return JSON.stringify([MessageType.CALLRESULT, messageId, payload]);
}

export function callErrorFrame(
  messageId: string,
  code: Ocpp16ErrorCode,
  description: string,
  details: Record<string, unknown> = {},
): string {
  return JSON.stringify([MessageType.CALLERROR, messageId, code, description, details]);
}

export function callErrorFrameOf(messageId: string, error: OcppError): string {
  return callErrorFrame(messageId, error.code, error.description, error.details);
}
