import type { OcppCommand } from '@app/contracts';
import type { SessionState } from '../domain/session';

/** The filters of a sessions list (already parsed and range-checked: see LIST_SESSIONS_QUERY). */
export interface SessionListFilter {
  status?: readonly string[];
  authType?: 'LOCAL' | 'REMOTE';
  userReference?: string;
  evse?: string;
  chargePointId?: string;
  from?: Date;
  to?: Date;
  /** Rows strictly before this (created_at, id) position, newest first. */
  after?: { createdAt: string; id: string };
  limit: number;
}

/** The sessions projection, read side: every read is scoped by fleet. */
export interface SessionQueries {
  /** The fleet's session, or null (unknown id or another fleet's). */
  find(fleetId: string, sessionId: string): Promise<SessionState | null>;
  /** Up to `filter.limit` sessions, newest first (created_at, id), each with its position for the next page. */
  list(
    fleetId: string,
    filter: SessionListFilter,
  ): Promise<{ state: SessionState; createdAt: string; sessionId: string }[]>;
}

/** Sends an OCPP command to `ocpp.v16.commands` (resolves when Kafka acknowledged it). */
export interface CommandSender {
  send(command: OcppCommand): Promise<void>;
}

/** Told when command results or session changes were committed (wakes waiters, the outbox, webhooks). */
export interface ChangeNotifier {
  commandsCompleted(commandIds: string[]): void;
  sessionsChanged(sessionIds: string[]): void;
}

export class NotFoundError extends Error {
  readonly code = 'NOT_FOUND';
}
export class ConflictError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
/** A request we cannot act on: 400, or 422 when it is well-formed but contradicts an earlier one. */
export class BadRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 400 | 422 = 400,
  ) {
    super(message);
  }
}
/** The charger answered no (502) or did not answer in time (504). */
export class ChargerCommandError extends Error {
  constructor(
    readonly status: 502 | 503 | 504,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
