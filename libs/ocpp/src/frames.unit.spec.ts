import { callErrorFrame, callFrame, callResultFrame, parseFrame, UNREADABLE_MESSAGE_ID } from './frames';

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

describe('frame serialization', () => {
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
