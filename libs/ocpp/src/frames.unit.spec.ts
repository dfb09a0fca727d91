import fc from 'fast-check';
import { isOcpp16ErrorCode, isOcpp201ErrorCode, OcppError } from './errors';
import {
  callErrorFrame,
  callErrorFrameOf,
  callFrame,
  callResultFrame,
  parseFrame,
  UNREADABLE_MESSAGE_ID,
} from './frames';

describe('parseFrame', () => {
  it('parses a CALL', () => {
    expect(parseFrame('[2,"m1","Heartbeat",{}]')).toEqual({
      type: 'call',
      messageId: 'm1',
      action: 'Heartbeat',
      payload: {},
    });
  });

  it('parses a CALLRESULT and a CALLERROR', () => {
    expect(parseFrame('[3,"m1",{"status":"Accepted"}]')).toEqual({
      type: 'callResult',
      messageId: 'm1',
      payload: { status: 'Accepted' },
    });
    expect(parseFrame('[4,"m1","NotSupported","nope",{"a":1}]')).toEqual({
      type: 'callError',
      messageId: 'm1',
      errorCode: 'NotSupported',
      errorDescription: 'nope',
      errorDetails: { a: 1 },
    });
  });

  it('ignores an unknown MessageTypeId', () => {
    expect(parseFrame('[5,"m1","Heartbeat",{}]').type).toBe('ignored');
    expect(parseFrame('[0]').type).toBe('ignored');
  });

  it('ignores malformed CALLRESULT/CALLERROR frames (they are never answered)', () => {
    expect(parseFrame('[3,1,{}]').type).toBe('ignored');
    expect(parseFrame('[3,"m1"]').type).toBe('ignored');
    expect(parseFrame('[4,"m1"]').type).toBe('ignored');
  });

  it.each([
    ['not JSON', 'hello', UNREADABLE_MESSAGE_ID, 'FormationViolation'],
    ['truncated JSON', '[2,"m1","Heartbeat",{', UNREADABLE_MESSAGE_ID, 'FormationViolation'],
    ['a JSON object', '{"a":1}', UNREADABLE_MESSAGE_ID, 'FormationViolation'],
    ['a JSON string', '"x"', UNREADABLE_MESSAGE_ID, 'FormationViolation'],
    ['an empty array', '[]', UNREADABLE_MESSAGE_ID, 'FormationViolation'],
    ['a string MessageTypeId', '["2","m1","Heartbeat",{}]', UNREADABLE_MESSAGE_ID, 'FormationViolation'],
    ['a numeric message id', '[2,7,"Heartbeat",{}]', UNREADABLE_MESSAGE_ID, 'FormationViolation'],
    ['an empty message id', '[2,"","Heartbeat",{}]', UNREADABLE_MESSAGE_ID, 'FormationViolation'],
    [
      'a 37-character message id',
      `[2,"${'x'.repeat(37)}","Heartbeat",{}]`,
      'x'.repeat(37),
      'FormationViolation',
    ],
    ['a numeric action', '[2,"m1",5,{}]', 'm1', 'FormationViolation'],
    ['no payload', '[2,"m1","Heartbeat"]', 'm1', 'ProtocolError'],
    ['an array payload', '[2,"m1","Heartbeat",[]]', 'm1', 'FormationViolation'],
    ['a null payload', '[2,"m1","Heartbeat",null]', 'm1', 'FormationViolation'],
    ['a string payload', '[2,"m1","Heartbeat","{}"]', 'm1', 'FormationViolation'],
    ['five elements', '[2,"m1","Heartbeat",{},{}]', 'm1', 'FormationViolation'],
  ])('answers a CALL with %s by a CALLERROR', (_name, text, messageId, code) => {
    const frame = parseFrame(text);
    expect(frame.type).toBe('malformed');
    if (frame.type !== 'malformed') return;
    expect(frame.messageId).toBe(messageId);
    expect(frame.error.code).toBe(code);
  });

  it('never throws on arbitrary input', () => {
    for (const text of [
      '',
      ' ',
      'null',
      '1e999',
      '[2',
      '\u0000',
      '[[[[[[]]]]]]',
      '[2,"a","b",{"__proto__":1}]',
    ]) {
      expect(() => parseFrame(text)).not.toThrow();
    }
  });
});

describe('parseFrame for OCPP 2.0.1', () => {
  it('parses CALL, CALLRESULT and CALLERROR as 1.6 does', () => {
    for (const text of [
      '[2,"m1","Heartbeat",{}]',
      '[3,"m1",{"status":"Accepted"}]',
      '[4,"m1","NotSupported","nope",{}]',
    ]) {
      expect(parseFrame(text, 'ocpp2.0.1')).toEqual(parseFrame(text, 'ocpp1.6'));
    }
    expect(parseFrame('[2,"m1","Heartbeat",{}]', 'ocpp2.0.1').type).toBe('call');
  });

  it.each([
    ['not JSON', 'hello', UNREADABLE_MESSAGE_ID, 'RpcFrameworkError'],
    ['truncated JSON', '[2,"m1","Heartbeat",{', UNREADABLE_MESSAGE_ID, 'RpcFrameworkError'],
    ['a JSON object', '{"a":1}', UNREADABLE_MESSAGE_ID, 'RpcFrameworkError'],
    ['an empty array', '[]', UNREADABLE_MESSAGE_ID, 'RpcFrameworkError'],
    ['a string MessageTypeId', '["2","m1","Heartbeat",{}]', UNREADABLE_MESSAGE_ID, 'RpcFrameworkError'],
    ['a numeric message id', '[2,7,"Heartbeat",{}]', UNREADABLE_MESSAGE_ID, 'RpcFrameworkError'],
    ['an empty message id', '[2,"","Heartbeat",{}]', UNREADABLE_MESSAGE_ID, 'RpcFrameworkError'],
    [
      'a 37-character message id',
      `[2,"${'x'.repeat(37)}","Heartbeat",{}]`,
      'x'.repeat(37),
      'RpcFrameworkError',
    ],
    ['a numeric action', '[2,"m1",5,{}]', 'm1', 'RpcFrameworkError'],
    ['no payload', '[2,"m1","Heartbeat"]', 'm1', 'RpcFrameworkError'],
    ['five elements', '[2,"m1","Heartbeat",{},{}]', 'm1', 'RpcFrameworkError'],
    ['an array payload', '[2,"m1","Heartbeat",[]]', 'm1', 'FormatViolation'],
    ['a null payload', '[2,"m1","Heartbeat",null]', 'm1', 'FormatViolation'],
    ['a string payload', '[2,"m1","Heartbeat","{}"]', 'm1', 'FormatViolation'],
    ['MessageTypeId 5 (2.1 CALLRESULTERROR)', '[5,"m1","Heartbeat",{}]', 'm1', 'MessageTypeNotSupported'],
    [
      'MessageTypeId 6 (2.1 SEND)',
      '[6,"m9","NotifyPeriodicEventStream",{}]',
      'm9',
      'MessageTypeNotSupported',
    ],
    ['an unknown MessageTypeId without an id', '[0]', UNREADABLE_MESSAGE_ID, 'MessageTypeNotSupported'],
    [
      'an unknown MessageTypeId with a numeric id',
      '[9,12]',
      UNREADABLE_MESSAGE_ID,
      'MessageTypeNotSupported',
    ],
  ])('answers a frame with %s by CALLERROR %s', (_name, text, messageId, code) => {
    const frame = parseFrame(text, 'ocpp2.0.1');
    expect(frame.type).toBe('malformed');
    if (frame.type !== 'malformed') return;
    expect(frame.messageId).toBe(messageId);
    expect(frame.error.code).toBe(code);
  });

  it('still ignores malformed CALLRESULT/CALLERROR frames (a response is never answered)', () => {
    for (const text of ['[3,1,{}]', '[3,"m1"]', '[4,"m1"]'])
      expect(parseFrame(text, 'ocpp2.0.1').type).toBe('ignored');
  });

  it('property: never throws, and every CALLERROR code is spelled for the protocol', () => {
    const frames = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .tuple(
          fc.integer({ min: -1, max: 9 }),
          fc.jsonValue(),
          fc.jsonValue(),
          fc.array(fc.jsonValue(), { maxLength: 3 }),
        )
        .map(([t, id, action, rest]) => JSON.stringify([t, id, action, ...rest])),
    );
    fc.assert(
      fc.property(frames, (text) => {
        const v201 = parseFrame(text, 'ocpp2.0.1');
        const v16 = parseFrame(text, 'ocpp1.6');
        if (v201.type === 'malformed') expect(isOcpp201ErrorCode(v201.error.code)).toBe(true);
        if (v16.type === 'malformed') expect(isOcpp16ErrorCode(v16.error.code)).toBe(true);
        // The protocols differ only in spelling, and in 2.0.1 answering unknown MessageTypeIds.
        if (v16.type !== 'ignored') expect(v201.type).toBe(v16.type);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('frame serialization', () => {
  it('writes a 2.0.1 CALLERROR', () => {
    const error = new OcppError('RpcFrameworkError', 'bad frame');
    expect(JSON.parse(callErrorFrameOf('-1', error))).toEqual([
      4,
      '-1',
      'RpcFrameworkError',
      'bad frame',
      {},
    ]);
  });

  it('round-trips', () => {
    expect(JSON.parse(callFrame('a', 'Reset', { type: 'Soft' }))).toEqual([
      2,
      'a',
      'Reset',
      { type: 'Soft' },
    ]);
    expect(JSON.parse(callResultFrame('a', {}))).toEqual([3, 'a', {}]);
    expect(JSON.parse(callErrorFrame('a', 'GenericError', 'x'))).toEqual([4, 'a', 'GenericError', 'x', {}]);
  });
});
