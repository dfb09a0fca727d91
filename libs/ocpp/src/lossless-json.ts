/**
 * JSON whose numbers keep their source text. JSON.parse turns `12.3456789012345678901` into the
 * nearest double; an OCPP 2.0.1 meter value or a price must not pass through one. Here a number
 * comes out as a `LosslessNumber` holding the exact characters the sender wrote, for decimal.js
 * to read; every other value is what JSON.parse gives.
 */

/** A JSON number as written: `text` matches RFC 8259's number grammar. */
export class LosslessNumber {
  constructor(readonly text: string) {
    if (!isJsonNumberText(text)) throw new SyntaxError(`not a JSON number: ${JSON.stringify(text)}`);
    Object.freeze(this);
  }

  toString(): string {
    return this.text;
  }
}

export function isLosslessNumber(value: unknown): value is LosslessNumber {
  return value instanceof LosslessNumber;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WHOLE_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** True when `text` is exactly one JSON number (RFC 8259 section 6): no sign "+", no ".5", no "1.". */
export function isJsonNumberText(text: string): boolean {
  return WHOLE_NUMBER.test(text);
}

/**
 * Nesting deeper than this is refused (RFC 8259 section 9 allows a limit) rather than overflowing
 * the stack; OCPP messages nest a handful of levels.
 */
export const MAX_JSON_DEPTH = 512;

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Parses `text` as strict JSON (RFC 8259: no comments, no trailing commas, no single quotes, no
 * leading "+" or zeros, whitespace only space/tab/CR/LF, no BOM) with numbers as
 * `LosslessNumber`. Throws SyntaxError on anything JSON.parse would refuse. Duplicate keys: the
 * last one wins, like JSON.parse; "__proto__" is an ordinary own key, like JSON.parse.
 */
export function parseJsonLossless(text: string): unknown {
  let pos = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${pos} of JSON text`);
  };

  const skipWhitespace = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else return;
    }
  };

  const parseString = (): string => {
    pos++; // the opening quote
    let out = '';
    let start = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(start, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(start, pos);
      const e = text[pos + 1];
      if (e === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else {
        const ch = e === undefined ? undefined : ESCAPES[e];
        if (ch === undefined) fail('bad escape');
        out += ch;
        pos += 2;
      }
      start = pos;
    }
  };

  const parseLiteral = (word: string, value: unknown): unknown => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail('unexpected token');
  };

  const parseValue = (depth: number): unknown => {
    skipWhitespace();
    const c = text[pos];
    if (c === '"') return parseString();
    if (c === '{' || c === '[') {
      if (depth >= MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH}`);
      return c === '{' ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === 't') return parseLiteral('true', true);
    if (c === 'f') return parseLiteral('false', false);
    if (c === 'n') return parseLiteral('null', null);
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) return fail(c === undefined ? 'unexpected end' : 'unexpected token');
    pos += m[0].length;
    return new LosslessNumber(m[0]);
  };

  const parseArray = (depth: number): unknown[] => {
    pos++;
    const out: unknown[] = [];
    skipWhitespace();
    if (text[pos] === ']') {
      pos++;
      return out;
    }
    for (;;) {
      out.push(parseValue(depth));
      skipWhitespace();
      const c = text[pos++];
      if (c === ']') return out;
      if (c !== ',') fail("expected ',' or ']'");
    }
  };

  const parseObject = (depth: number): Record<string, unknown> => {
    pos++;
    const out: Record<string, unknown> = {};
    skipWhitespace();
    if (text[pos] === '}') {
      pos++;
      return out;
    }
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"') fail('expected a string key');
      const key = parseString();
      skipWhitespace();
      if (text[pos++] !== ':') fail("expected ':'");
      const value = parseValue(depth);
      // Plain assignment of "__proto__" would replace the prototype instead of adding a key.
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
      } else {
        out[key] = value;
      }
      skipWhitespace();
      const c = text[pos++];
      if (c === '}') return out;
      if (c !== ',') fail("expected ',' or '}'");
    }
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos < text.length) fail('unexpected text after the JSON value');
  return value;
}

/**
 * JSON.stringify, except that a `LosslessNumber` is written as its exact text (a JSON number, not
 * a string): e.g. CostUpdated's totalCost from a decimal string, digit for digit. Everything else
 * as JSON.stringify writes it (toJSON, undefined/functions/symbols skipped in objects and null in
 * arrays, non-finite numbers as null); a cycle or a bigint throws TypeError as there. A value
 * with no JSON text at all (undefined, a function) throws TypeError instead of returning undefined.
 */
export function stringifyWithLosslessNumbers(value: unknown): string {
  const seen = new Set<object>();

  const write = (key: string, raw: unknown): string | undefined => {
    let v = raw;
    if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: (k: string) => unknown }).toJSON(key);
    }
    if (v instanceof LosslessNumber) return v.text;
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
      case 'boolean':
      case 'number':
        return JSON.stringify(v);
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    // Boxed primitives (new Number(1)) as JSON.stringify unwraps them.
    if (v instanceof Number || v instanceof String || v instanceof Boolean) return JSON.stringify(v);
    const obj = v as object;
    if (seen.has(obj)) throw new TypeError('Converting circular structure to JSON');
    seen.add(obj);
    let out: string;
    if (Array.isArray(obj)) {
      const items: string[] = [];
      // Index by index: a hole in a sparse array is written null, as JSON.stringify does.
      for (let i = 0; i < obj.length; i++) items.push(write(String(i), obj[i]) ?? 'null');
      out = `[${items.join(',')}]`;
    } else {
      const parts: string[] = [];
      for (const k of Object.keys(obj)) {
        const text = write(k, (obj as Record<string, unknown>)[k]);
        if (text !== undefined) parts.push(`${JSON.stringify(k)}:${text}`);
      }
      out = `{${parts.join(',')}}`;
    }
    seen.delete(obj);
    return out;
  };

  const text = write('', value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}
