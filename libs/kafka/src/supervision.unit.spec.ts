import fc from 'fast-check';
import { backoffMs, ProgressWatchdog } from './supervision';

describe('backoffMs', () => {
  const policy = { initialMs: 100, maxMs: 5000 };

  it('doubles from the initial delay up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffMs(a, policy))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000,
    ]);
  });

  it('stays within [half, full] of the capped delay and never decreases with the attempt (same jitter)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (initialMs, extra, attempt, jitter) => {
          const p = { initialMs, maxMs: initialMs + extra };
          const full = Math.min(initialMs * 2 ** Math.min(attempt - 1, 30), p.maxMs);
          const d = backoffMs(attempt, p, jitter);
          expect(d).toBeGreaterThanOrEqual(Math.floor(full / 2));
          expect(d).toBeLessThanOrEqual(Math.ceil(full));
          expect(backoffMs(attempt + 1, p, jitter)).toBeGreaterThanOrEqual(d);
        },
      ),
    );
  });
});

describe('ProgressWatchdog', () => {
  const stall = 20_000;
  const k = 't\u00000';

  it('gives a new consumer stallMs to join, then reports it and advises a restart', () => {
    const w = new ProgressWatchdog(stall, 0);
    w.started(0);
    expect(w.health(stall).ok).toBe(true);
    const h = w.health(stall + 1);
    expect(h).toMatchObject({ ok: false, restart: true });
    expect(h.reason).toMatch(/not a member/);
  });

  it('is healthy while joined with nothing waiting, however long nothing arrives', () => {
    const w = new ProgressWatchdog(stall, 0);
    w.joinedGroup(10);
    w.fetched(k, '5', '5');
    expect(w.health(10 + 10 * stall).ok).toBe(true);
  });

  it('reports records waiting with no finished batch, and restarts only when no batch is in progress', () => {
    const w = new ProgressWatchdog(stall, 0);
    w.joinedGroup(0);
    w.fetched(k, '0', '100');
    expect(w.lag()).toBe(100n);
    w.batchStarted();
    const busy = w.health(stall + 1);
    expect(busy).toMatchObject({ ok: false, restart: false });
    expect(busy.reason).toMatch(/100 records waiting/);
    w.batchEnded(stall + 2, k, undefined); // given up (rebalance): no progress
    expect(w.health(stall + 3)).toMatchObject({ ok: false, restart: true });
  });

  it('a finished batch is progress: lag shrinks and the clock starts again', () => {
    const w = new ProgressWatchdog(stall, 0);
    w.joinedGroup(0);
    w.fetched(k, '0', '100');
    w.batchStarted();
    w.batchEnded(stall, k, '60');
    expect(w.lag()).toBe(40n);
    expect(w.health(2 * stall).ok).toBe(true);
    expect(w.health(2 * stall + 1).ok).toBe(false);
  });

  it('a rebalance counts as not joined from the moment it starts; the join restarts the clock', () => {
    const w = new ProgressWatchdog(stall, 0);
    w.joinedGroup(0);
    w.fetched(k, '0', '10');
    w.leftGroup(1000);
    expect(w.health(1000 + stall).ok).toBe(true);
    expect(w.health(1001 + stall).ok).toBe(false);
    w.joinedGroup(1002 + stall);
    expect(w.lag()).toBe(0n); // the assignment may have changed: positions are learnt again
    expect(w.health(1002 + 2 * stall).ok).toBe(true);
  });

  it('for any sequence of events, unhealthy means stalled for longer than stallMs', () => {
    type Ev =
      | { kind: 'join' }
      | { kind: 'leave' }
      | { kind: 'fetch'; next: number; hw: number }
      | { kind: 'start' }
      | { kind: 'end'; next: number | null };
    const ev: fc.Arbitrary<Ev> = fc.oneof(
      fc.constant<Ev>({ kind: 'join' }),
      fc.constant<Ev>({ kind: 'leave' }),
      fc.record({ kind: fc.constant('fetch' as const), next: fc.nat(1000), hw: fc.nat(1000) }),
      fc.constant<Ev>({ kind: 'start' }),
      fc.record({ kind: fc.constant('end' as const), next: fc.option(fc.nat(1000)) }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(30_000), ev), { maxLength: 40 }),
        fc.nat(60_000),
        (steps, probe) => {
          const w = new ProgressWatchdog(stall, 0);
          let t = 0;
          let lastChange = 0; // last join, leave-from-joined, or finished batch
          let joined = false;
          for (const [dt, e] of steps) {
            t += dt;
            if (e.kind === 'join') {
              w.joinedGroup(t);
              joined = true;
              lastChange = t;
            } else if (e.kind === 'leave') {
              if (joined) lastChange = t;
              joined = false;
              w.leftGroup(t);
            } else if (e.kind === 'fetch') w.fetched(k, String(e.next), String(e.hw));
            else if (e.kind === 'start') w.batchStarted();
            else {
              w.batchEnded(t, k, e.next === null ? undefined : String(e.next));
              if (e.next !== null && joined) lastChange = t;
            }
          }
          const h = w.health(t + probe);
          if (!h.ok) expect(t + probe - lastChange).toBeGreaterThan(stall);
          if (t + probe - lastChange <= stall) expect(h.ok).toBe(true);
        },
      ),
    );
  });
});
