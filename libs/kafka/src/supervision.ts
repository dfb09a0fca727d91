/**
 * Pure pieces of the consumer's self-healing: how long to wait before the next attempt, and when a
 * consumer counts as unable to make progress. No I/O and no clock of their own (`now` is passed in),
 * so the rules are tested for all inputs (supervision.unit.spec.ts).
 */

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * Exponential backoff: `initialMs × 2^(attempt-1)`, capped at `maxMs`. `jitter` in [0, 1) spreads
 * replicas that failed together over [50 %, 100 %] of the delay, so they do not retry in lockstep.
 */
export function backoffMs(attempt: number, policy: BackoffPolicy, jitter = 1): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const full = Math.min(policy.initialMs * 2 ** exponent, policy.maxMs);
  const factor = 0.5 + 0.5 * Math.min(Math.max(jitter, 0), 1);
  return Math.max(1, Math.round(full * factor));
}

export interface ConsumerHealth {
  ok: boolean;
  /** Why it is not ok (readiness prints it). */
  reason?: string;
  /**
   * The watchdog's advice: drop this kafkajs consumer and create a new one. Only when nothing is
   * being processed: a handler waiting out a database outage is not helped by a new consumer.
   */
  restart: boolean;
}

/**
 * Tracks one consumer's group membership and progress. A consumer is stalled when, for longer than
 * `stallMs`, it has not been a member of its group, or it knows of records past its position (the
 * broker's high watermark from its last fetch) and finished no batch. The clock of progress starts
 * again at each join: a rebalance gives a member `stallMs` to pick up its new partitions.
 */
export class ProgressWatchdog {
  private joined = false;
  private since: number;
  private lastProgressAt: number;
  private inFlight = 0;
  /** Per partition: the next offset to process and the high watermark of the last fetch. */
  private readonly positions = new Map<string, { next: bigint; highWatermark: bigint }>();

  constructor(
    private readonly stallMs: number,
    now: number,
  ) {
    this.since = now;
    this.lastProgressAt = now;
  }

  /** A new kafkajs consumer was created (first start or a restart): not a member yet. */
  started(now: number): void {
    this.joined = false;
    this.since = now;
    this.inFlight = 0;
    this.positions.clear();
  }

  joinedGroup(now: number): void {
    this.joined = true;
    this.since = now;
    this.lastProgressAt = now;
    this.positions.clear(); // the assignment may have changed
  }

  /** Rebalancing, crashed or stopped: no longer consuming until the next join. */
  leftGroup(now: number): void {
    if (!this.joined) return;
    this.joined = false;
    this.since = now;
  }

  /** A fetch returned a batch (possibly empty) of `partitionKey` up to `highWatermark`. */
  fetched(partitionKey: string, nextOffset: string, highWatermark: string): void {
    const known = this.positions.get(partitionKey);
    const next = BigInt(nextOffset);
    this.positions.set(partitionKey, {
      next: known && known.next > next ? known.next : next,
      highWatermark: BigInt(highWatermark),
    });
  }

  batchStarted(): void {
    this.inFlight++;
  }

  /** The batch ended: `nextOffset` when it was processed, undefined when it was given up (rebalance). */
  batchEnded(now: number, partitionKey: string, nextOffset?: string): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (nextOffset === undefined) return;
    this.lastProgressAt = now;
    const known = this.positions.get(partitionKey);
    const next = BigInt(nextOffset);
    this.positions.set(partitionKey, {
      next: known && known.next > next ? known.next : next,
      highWatermark: known && known.highWatermark > next ? known.highWatermark : next,
    });
  }

  /** Records known to be waiting (sum over partitions of high watermark - next offset). */
  lag(): bigint {
    let total = 0n;
    for (const p of this.positions.values()) if (p.highWatermark > p.next) total += p.highWatermark - p.next;
    return total;
  }

  health(now: number): ConsumerHealth {
    if (!this.joined) {
      const waited = now - this.since;
      if (waited <= this.stallMs) return { ok: true, restart: false };
      return {
        ok: false,
        reason: `not a member of its group for ${Math.round(waited / 1000)} s`,
        restart: this.inFlight === 0,
      };
    }
    const lag = this.lag();
    const idle = now - this.lastProgressAt;
    if (lag > 0n && idle > this.stallMs) {
      return {
        ok: false,
        reason: `${lag} records waiting and no batch finished for ${Math.round(idle / 1000)} s`,
        restart: this.inFlight === 0,
      };
    }
    return { ok: true, restart: false };
  }
}
