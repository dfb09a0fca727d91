/** Percentile of a list of numbers (nearest-rank), rounded to 0.01. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[rank] * 100) / 100;
}

/** Prints a figure as it goes (stderr-free, human readable). */
export function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The last line of every benchmark: one JSON object with all figures. */
export function finish(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
