/**
 * JSON with exact decimals as number tokens: `{"kwh_price": 0.88}` written from the decimal string
 * "0.88", never through a float (Node 20 has no `JSON.rawJSON`). A value that holds a decimal wraps
 * it in a `DecimalText`; `stringifyDecimalJson` writes its text verbatim as a JSON number, or as a
 * JSON string when the client asked for strings. Plain `JSON.stringify` sees `toJSON()` and writes
 * the string, so code that does not know about decimals still gets today's decimal strings.
 * Framework-free: no Nest, no Express.
 */

/** RFC 8259's number grammar: what may stand verbatim as a JSON number token. */
export const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A decimal's exact text ("13.2000", "0.88", "-1e-7"), written as a JSON number by `stringifyDecimalJson`. */
export class DecimalText {
  constructor(readonly text: string) {
    if (typeof text !== 'string' || !JSON_NUMBER.test(text))
      throw new TypeError(`not a JSON number: ${JSON.stringify(text)}`);
  }

  /** What plain `JSON.stringify` writes: the decimal string. */
  toJSON(): string {
    return this.text;
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
 * `JSON.stringify(value)` (no indentation, same rules for undefined, functions, `toJSON`, non-finite
 * numbers and bigints), except that a `DecimalText` is written as its text: a number token, or a
 * string in `string` mode.
 */
export function stringifyDecimalJson(value: unknown, mode: DecimalMode = 'number'): string {
  const out = write(value, '', mode, new Set());
  // JSON.stringify gives undefined for a top-level undefined; a body needs text.
  return out ?? 'null';
}

function write(value: unknown, key: string, mode: DecimalMode, ancestors: Set<object>): string | undefined {
  if (value instanceof DecimalText) return mode === 'number' ? value.text : JSON.stringify(value.text);
  if (
    value !== null &&
    (typeof value === 'object' || typeof value === 'bigint') &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
    if (value instanceof DecimalText) return write(value, key, mode, ancestors);
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'number': // NaN and ±Infinity become null, as JSON.stringify writes them
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (ancestors.has(object)) throw new TypeError('Converting circular structure to JSON');
  ancestors.add(object);
  let text: string;
  if (Array.isArray(object)) {
    text = `[${object.map((item, i) => write(item, String(i), mode, ancestors) ?? 'null').join(',')}]`;
  } else if (object instanceof Number || object instanceof String || object instanceof Boolean) {
    text = JSON.stringify(object);
  } else {
    const members: string[] = [];
    for (const k of Object.keys(object)) {
      const member = write((object as Record<string, unknown>)[k], k, mode, ancestors);
      if (member !== undefined) members.push(`${JSON.stringify(k)}:${member}`);
    }
    text = `{${members.join(',')}}`;
  }
  ancestors.delete(object);
  return text;
}
