import type { Pool } from 'pg';
import type { OcppCommandResult } from '@app/contracts';

/**
 * Waits for a command's result row (written by the command-results consumer, on whichever
 * instance owns the partition). Polls Postgres, and is woken at once when this instance's
 * consumer committed the result.
 */
export class CommandWaiter {
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(
    private readonly pool: Pool,
    private readonly pollMs = 200,
  ) {}

  notify(commandIds: string[]): void {
    for (const id of commandIds) for (const wake of this.waiting.get(id.toLowerCase()) ?? []) wake();
  }

  async wait(commandId: string, untilMs: number): Promise<OcppCommandResult | null> {
    const id = commandId.toLowerCase();
    for (;;) {
      const { rows } = await this.pool.query<{ outcome: string | null; result: OcppCommandResult | null }>(
        'select outcome, result from commands where command_id = $1',
        [id],
      );
      if (rows[0]?.outcome) return rows[0].result ?? ({ outcome: rows[0].outcome } as OcppCommandResult);
      const left = untilMs - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        let set = this.waiting.get(id);
        if (!set) this.waiting.set(id, (set = new Set()));
        const done = () => {
          clearTimeout(timer);
          set!.delete(done);
          if (set!.size === 0) this.waiting.delete(id);
          resolve();
        };
        const timer = setTimeout(done, Math.min(this.pollMs, left));
        set.add(done);
      });
    }
  }
}
