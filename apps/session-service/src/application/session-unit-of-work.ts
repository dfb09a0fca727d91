import type { NewEvent } from '@app/event-store';
import {
  decide,
  evolve,
  initialState,
  awaitsConnectorFree,
  isOpen,
  type SessionCommand,
  type SessionState,
} from '../domain/session';
import type { SessionEvent } from '../domain/session-events';
import { nameUuid } from '@app/contracts';
import type { ChangedSessions, LoadedSession } from './ports';

export type { LoadedSession };

interface Tracked extends LoadedSession {
  pending: NewEvent[];
}

/**
 * The sessions one transaction touches: loaded once, changed in memory command by command
 * (decide → evolve), written together at the end (one multi-stream append, one projection upsert).
 * Lookups by (charger, transactionId) and by open connector see the changes made earlier in the batch.
 */
export class SessionUnitOfWork implements ChangedSessions {
  private readonly sessions = new Map<string, Tracked>();
  /** Session ids by charger: lookups scan one charger's sessions, not the whole batch's. */
  private readonly byCharger = new Map<string, Set<string>>();

  constructor(loaded: LoadedSession[] = []) {
    for (const l of loaded) this.track(l.state.sessionId, { ...l, pending: [] });
  }

  private track(sessionId: string, tracked: Tracked): void {
    this.sessions.set(sessionId, tracked);
    const cp = tracked.state.chargePointId;
    if (cp === null || cp === undefined) return;
    let ids = this.byCharger.get(cp);
    if (!ids) this.byCharger.set(cp, (ids = new Set()));
    ids.add(sessionId);
  }

  private untrack(sessionId: string): void {
    const cp = this.sessions.get(sessionId)?.state.chargePointId;
    this.sessions.delete(sessionId);
    if (cp !== null && cp !== undefined) this.byCharger.get(cp)?.delete(sessionId);
  }

  /** The tracked states of one charger's sessions. */
  private *ofCharger(chargePointId: string): Generator<SessionState> {
    const ids = this.byCharger.get(chargePointId);
    if (!ids) return;
    for (const id of ids) {
      const t = this.sessions.get(id);
      if (t) yield t.state;
    }
  }

  get(sessionId: string): SessionState | null {
    return this.sessions.get(sessionId)?.state ?? null;
  }

  add(loaded: LoadedSession): void {
    if (!this.sessions.has(loaded.state.sessionId))
      this.track(loaded.state.sessionId, { ...loaded, pending: [] });
  }

  byTransaction(chargePointId: string, transactionId: number): SessionState | null {
    let found: SessionState | null = null;
    for (const state of this.ofCharger(chargePointId)) {
      if (state.chargePointId === chargePointId && state.start?.transactionId === transactionId) {
        // A gateway that reuses ids after a reset: prefer the open one, then the newest.
        if (
          !found ||
          (isOpen(state) && !isOpen(found)) ||
          (isOpen(state) === isOpen(found) && (state.createdAt ?? '') > (found.createdAt ?? ''))
        )
          found = state;
      }
    }
    return found;
  }

  /** The open session on a connector (the newest if, abnormally, several are open). */
  openOnConnector(
    chargePointId: string,
    connectorId: number,
    filter: (s: SessionState) => boolean = () => true,
  ): SessionState | null {
    let found: SessionState | null = null;
    for (const state of this.ofCharger(chargePointId)) {
      if (
        state.chargePointId === chargePointId &&
        state.connectorId === connectorId &&
        isOpen(state) &&
        filter(state)
      ) {
        if (!found || (state.createdAt ?? '') > (found.createdAt ?? '')) found = state;
      }
    }
    return found;
  }

  /**
   * The newest ended session on a connector that has not reported free since its end (its
   * Finishing and Available still belong to it), when no session is open there.
   */
  endedAwaitingConnectorFree(chargePointId: string, connectorId: number): SessionState | null {
    let found: SessionState | null = null;
    for (const state of this.ofCharger(chargePointId)) {
      if (state.chargePointId !== chargePointId || state.connectorId !== connectorId) continue;
      if (isOpen(state)) return null;
      if ((state.createdAt ?? '') > (found?.createdAt ?? '')) found = state;
    }
    return found && awaitsConnectorFree(found) ? found : null;
  }

  /**
   * Runs a command on a session (a new one when `sessionId` is unknown). Event ids derive from
   * `idSeed` (the source record's id), so reprocessing the same record yields the same ids.
   */
  execute(sessionId: string, command: SessionCommand, idSeed: string): SessionEvent[] {
    let tracked = this.sessions.get(sessionId);
    if (!tracked) {
      tracked = { state: initialState(), version: 0, pending: [] };
      this.sessions.set(sessionId, tracked);
    }
    const events = decide(command, tracked.state);
    events.forEach((event, i) => {
      tracked!.state = evolve(tracked!.state, event);
      const cp = tracked!.state.chargePointId;
      if (cp !== null && cp !== undefined && !this.byCharger.get(cp)?.has(sessionId))
        this.track(sessionId, tracked!);
      tracked!.pending.push({
        eventId: nameUuid(idSeed, sessionId, i, event.type),
        type: event.type,
        data: event.data,
      });
    });
    if (tracked.state.status === null) this.untrack(sessionId); // nothing happened to a new session
    return events;
  }

  /** Sessions with new events: what to append and project. */
  changed(): { state: SessionState; expectedVersion: number; events: NewEvent[] }[] {
    return [...this.sessions.values()]
      .filter((t) => t.pending.length > 0)
      .map((t) => ({ state: t.state, expectedVersion: t.version, events: t.pending }));
  }
}
