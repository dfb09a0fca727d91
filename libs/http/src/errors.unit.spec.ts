import { bodyParserErrorReply, codeForStatus, invalidJson, isErrorBody } from './errors';

describe('bodyParserErrorReply', () => {
  const parserError = (type: string, message = 'x') =>
    Object.assign(new SyntaxError(message), { type, status: 400 });

  it('maps the body parsers’ errors to the documented JSON errors, and nothing else', () => {
    expect(bodyParserErrorReply(parserError('entity.parse.failed', 'Unexpected end of JSON input'))).toEqual({
      status: 400,
      code: 'INVALID_JSON',
      message: 'request body is not valid JSON: Unexpected end of JSON input',
    });
    expect(bodyParserErrorReply(parserError('entity.too.large'), 1024)).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'request body is larger than 1024 bytes',
    });
    expect(bodyParserErrorReply(parserError('parameters.too.many'))?.status).toBe(413);
    expect(bodyParserErrorReply(parserError('charset.unsupported'))?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    for (const other of [
      new Error('boom'),
      new SyntaxError('Unexpected token'),
      null,
      undefined,
      'text',
      { type: 42 },
    ])
      expect(bodyParserErrorReply(other)).toBeNull();
  });

  it('keeps what the parser said on one line and short (it may quote the body)', () => {
    const long = `Unexpected token 'x', "${'x'.repeat(500)}\n" is not valid JSON`;
    const { message } = invalidJson(long);
    expect(message.length).toBeLessThanOrEqual('request body is not valid JSON: '.length + 203);
    expect(message).not.toContain('\n');
    expect(message.endsWith('...')).toBe(true);
  });
});

describe('codeForStatus and isErrorBody', () => {
  it('names a status, 500s as INTERNAL and other 4xx as BAD_REQUEST', () => {
    expect([400, 401, 403, 404, 409, 413, 415, 418, 500, 502].map(codeForStatus)).toEqual([
      'BAD_REQUEST',
      'UNAUTHENTICATED',
      'FORBIDDEN',
      'NOT_FOUND',
      'CONFLICT',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'BAD_REQUEST',
      'INTERNAL',
      'INTERNAL',
    ]);
  });

  it('recognises only `{ error: { code, message } }` with string fields', () => {
    expect(isErrorBody({ error: { code: 'X', message: 'y' } })).toBe(true);
    for (const b of [
      null,
      {},
      { error: 'X' },
      { error: { code: 1, message: 'y' } },
      { code: 'X', message: 'y' },
    ])
      expect(isErrorBody(b)).toBe(false);
  });
});
