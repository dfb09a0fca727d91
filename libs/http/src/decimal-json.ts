/**
 * JSON with exact decimals as number tokens: `{"kwh_price": 0.88}` written from the decimal string
 * "0.88", never through a float (Node 20 has no `JSON.rawJSON`). A value that holds a decimal wraps
 * it in a `DecimalText`; `stringifyDecimalJson` writes its text verbatim as a JSON number, or as a
 * JSON string when the client asked for strings. Plain `JSON.stringify` sees `toJSON()` and writes
 * the string, so code that does not know about decimals still gets today's decimal strings.
 * Framework-free: no Nest, no Express.
 */
import { randomBytes } from 'node:crypto';

/** RFC 8259's number grammar: what may stand verbatim as a JSON number token. */
export const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * While `stringifyDecimalJson` runs in number mode, `toJSON()` returns this prefix and the text, and
 * the output's quoted marker is then replaced by the bare text: one native `JSON.stringify` and one
 * replace, instead of a serializer in JavaScript. The prefix holds a NUL (always escaped as `\u0000`
 * in JSON text) and a random nonce of this process, which no client and no stored string knows, so
 * no other string can turn into a number.
 */
const MARKER = `\u0000${randomBytes(12).toString('hex')}:`;
const QUOTED_MARKER = new RegExp(`"\\\\u0000${MARKER.slice(1, -1)}:([-+.0-9eE]+)"`, 'g');
let numberMode = false;

/** A decimal's exact text ("13.2000", "0.88", "-1e-7"), written as a JSON number by `stringifyDecimalJson`. */
export class DecimalText {
  constructor(readonly text: string) {
    if (typeof text !== 'string' || !JSON_NUMBER.test(text))
      throw new TypeError(`not a JSON number: ${JSON.stringify(text)}`);
  }

  /** What plain `JSON.stringify` writes: the decimal string. */
  toJSON(): string {
    return numberMode ? MARKER + this.text : this.text;
  }

  toString(): string {
    return this.text;
  }
}

export const decimalText = (text: string): DecimalText => new DecimalText(text);

/** `number`: decimals as JSON number tokens (the default); `string`: as JSON strings. */
export type DecimalMode = 'number' | 'string';

/**
 * The decimal mode a client asked for with `Accept: application/json; decimals=string`
 * (any media range of the header that names the parameter counts); `number` otherwise.
 */
export function decimalModeOf(accept: string | string[] | undefined): DecimalMode {
  const header = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  for (const range of header.split(',')) {
    const [, ...params] = range.split(';');
    for (const param of params) {
      const [name, value] = param.split('=').map((s) => s.trim().toLowerCase());
      if (name === 'decimals' && value?.replace(/^"(.*)"$/, '$1') === 'string') return 'string';
    }
  }
  return 'number';
}

/**
 * `JSON.stringify(value)`, except that a `DecimalText` is written as its text: a number token, or a
 * string in `string` mode. A top-level `undefined` gives `null` (a body needs text).
 */
export function stringifyDecimalJson(value: unknown, mode: DecimalMode = 'number'): string {
  if (mode === 'string') return JSON.stringify(value) ?? 'null';
  numberMode = true;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } finally {
    numberMode = false;
  }
  return json === undefined ? 'null' : json.replace(QUOTED_MARKER, '$1');
}
