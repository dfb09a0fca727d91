/** given/when/then for the session aggregate (Emmett DeciderSpecification shape). Test-only: named *.spec.ts so the build skips it; not a suite itself. */
import { decide, evolve, fold, initialState, type SessionCommand, type SessionState } from './session';
import type { SessionEvent } from './session-events';

export function given(...events: SessionEvent[]) {
  const state = fold(events, initialState());
  return {
    state,
    when(command: SessionCommand) {
      let produced: SessionEvent[] | null = null;
      let error: unknown = null;
      try {
        produced = decide(command, state);
      } catch (e) {
        error = e;
      }
      const after = (): SessionState => {
        if (error) throw error;
        return produced!.reduce(evolve, state);
      };
      return {
        then(expected: SessionEvent[] | ((events: SessionEvent[]) => void)) {
          if (error) throw error;
          if (typeof expected === 'function') expected(produced!);
          else expect(produced).toEqual(expected);
          return { state: after() };
        },
        thenState(check: { [field: string]: unknown } | ((s: SessionState) => void)) {
          const s = after();
          if (typeof check === 'function') check(s);
          else expect(s).toMatchObject(check);
          return { state: s, events: produced! };
        },
        thenNothing() {
          if (error) throw error;
          expect(produced).toEqual([]);
        },
        thenThrows(code: string) {
          expect(error).toMatchObject({ code });
        },
      };
    },
  };
}
