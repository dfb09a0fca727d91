import { type Decimal, PricingDecimal, ZERO } from './decimal';
import { PricingInputError } from './errors';

// Plain decimal notation with an optional exponent: what `String(jsonNumber)` produces and what
// people type. Rejects what `new Decimal()` would also take but no price should be: "Infinity",
// "NaN", hex/binary literals, blanks.
const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER_TEXT = /^-?\d+$/;

export function requirePresent(value: unknown, path: string): void {
  if (value === undefined) throw new PricingInputError(path, 'is required');
}

/** A JSON number or decimal string as an exact Decimal (`new Decimal(String(x))`). */
export function readDecimal(value: unknown, path: string): Decimal {
  requirePresent(value, path);
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new PricingInputError(path, `must be a finite number, got ${value}`);
    text = String(value);
  } else if (typeof value === 'string') {
    if (!DECIMAL_TEXT.test(value))
      throw new PricingInputError(path, `is not a decimal number: ${describe(value)}`);
    text = value;
  } else {
    throw new PricingInputError(path, `must be a decimal string or number, got ${describe(value)}`);
  }
  const decimal = new PricingDecimal(text);
  // "-0" is zero, not a negative price, and must not print as "-0.00".
  return decimal.isZero() ? ZERO : decimal;
}

/** A JSON integer or integer string within the safe integer range of a JS number. */
export function readInteger(value: unknown, path: string, unit: string): number {
  requirePresent(value, path);
  let integer: number;
  if (typeof value === 'number') {
    integer = value;
  } else if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    integer = Number.parseInt(value, 10);
  } else {
    throw new PricingInputError(path, `must be an integer (${unit}), got ${describe(value)}`);
  }
  if (!Number.isInteger(integer))
    throw new PricingInputError(path, `must be an integer (${unit}), got ${describe(value)}`);
  if (!Number.isSafeInteger(integer)) {
    throw new PricingInputError(
      path,
      `is too large (${unit}), at most ${Number.MAX_SAFE_INTEGER} in magnitude`,
    );
  }
  return integer;
}

export function readObject(value: unknown, path: string): Record<string, unknown> {
  requirePresent(value, path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PricingInputError(path, `must be a JSON object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A short description of an unexpected JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
