/**
 * OCPI wants amounts as JSON numbers. A decimal string is written as a number token verbatim
 * ("13.80" → 13.80), so an amount never passes through a float on its way out.
 */
export class JsonNumber {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a decimal number: ${text}`);
  }
  toJSON(): string {
    return `\u0000num:${this.text}\u0000`;
  }
}

const MARKER = /"\\u0000num:(-?\d+(?:\.\d+)?)\\u0000"/g;

export function stringifyWithNumbers(value: unknown): string {
  return JSON.stringify(value).replace(MARKER, '$1');
}
