import { percentile } from './stats';

export interface HttpTarget {
  url: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Response status → count, so a run of 401s is never mistaken for a fast API. */
  statuses: Record<number, number>;
}

/**
 * Closed loop: `concurrency` workers, each sending its next request as soon as the previous one
 * answered, cycling through `targets` in order. Interleaving the targets inside each worker puts
 * them under the same load at the same moments, so their latencies can be compared.
 */
export async function closedLoop(
  targets: HttpTarget[],
  seconds: number,
  concurrency: number,
): Promise<LoadResult[]> {
  const latencies = targets.map(() => [] as number[]);
  const statuses = targets.map(() => ({}) as Record<number, number>);
  const start = performance.now();
  const endAt = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < endAt) {
      for (let i = 0; i < targets.length; i++) {
        const t0 = performance.now();
        const res = await fetch(targets[i].url, { headers: targets[i].headers });
        await res.arrayBuffer();
        latencies[i].push(performance.now() - t0);
        statuses[i][res.status] = (statuses[i][res.status] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = (performance.now() - start) / 1000;
  return targets.map((_, i) => ({
    requests: latencies[i].length,
    rps: Math.round(latencies[i].length / elapsedS),
    p50_ms: percentile(latencies[i], 50),
    p99_ms: percentile(latencies[i], 99),
    statuses: statuses[i],
  }));
}

/** Throws unless every response had `status`. */
export function expectOnly(result: LoadResult, status: number, what: string): void {
  const other = Object.entries(result.statuses).filter(([s]) => Number(s) !== status);
  if (other.length > 0)
    throw new Error(`${what}: expected only ${status}, got ${JSON.stringify(result.statuses)}`);
}
