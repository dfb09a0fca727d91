import type { AnyOcppCommandResult } from '@app/contracts';
import type { CommandRepository } from './ports';

/**
 * Waits for a command's result row (written by the command-results consumer, on whichever
 * instance owns the partition). Polls the command store, and is woken at once when this instance's
 * consumer committed the result.
 */
export class CommandWaiter {
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(
    private readonly commands: Pick<CommandRepository, 'result'>,
    private readonly pollMs = 200,
  ) {}

  notify(commandIds: string[]): void {
    for (const id of commandIds) for (const wake of this.waiting.get(id.toLowerCase()) ?? []) wake();
  }

  async wait(commandId: string, untilMs: number): Promise<AnyOcppCommandResult | null> {
    const id = commandId.toLowerCase();
    for (;;) {
      const result = await this.commands.result(id);
      if (result) return result;
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
