import type { OcppCommand, OcppCommandResult, OcppOutboundAction, TariffPublished } from '@app/contracts';
import type { NewEvent, Queryable } from '@app/event-store';
import type { SessionState } from '../domain/session';

/**
 * The database transaction a use case runs in. Use cases only hand it to the repositories below
 * (which hold every statement), and pass it to `runAll` so independent statements leave together.
 */
export type Tx = Queryable;

export interface TransactionRunner {
  /** Runs `work` in one transaction, again from the start on a serialization failure or deadlock. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Single statements outside a transaction. */
  readonly outside: Tx;
}

/** A session as loaded, with its stream version (0 = new). */
export interface LoadedSession {
  state: SessionState;
  version: number;
}

/** What a unit of work has to write: each changed session, the version it was loaded at, its new events. */
export interface ChangedSessions {
  changed(): { state: SessionState; expectedVersion: number; events: NewEvent[] }[];
}

/** Told about changed sessions inside the transaction that saves them (the webhook deliveries are queued so). */
export interface SessionChangeSink {
  enqueue(tx: Tx, changed: { state: SessionState; events: NewEvent[] }[]): Promise<void>;
}

/** The session streams and their projection (`sessions`): the aggregates' snapshot store. */
export interface SessionRepository {
  /** Open sessions of these chargers, plus any session holding one of these (charger, transactionId) pairs. */
  loadForChargers(
    tx: Tx,
    chargePointIds: string[],
    transactions: { cp: string; tx: number }[],
  ): Promise<LoadedSession[]>;
  loadByIds(tx: Tx, sessionIds: string[], forUpdate?: boolean): Promise<LoadedSession[]>;
  /** Up to `limit` sessions whose timer is due at `now`, locked; rows another instance holds are skipped. */
  loadDueTimers(tx: Tx, now: Date, limit: number): Promise<LoadedSession[]>;
  /** Sets the next timer of sessions whose due timer did nothing (null: none pending). */
  rescheduleTimers(tx: Tx, next: { sessionId: string; at: string | null }[], now: Date): Promise<void>;
  /** Appends the new events and writes the projection rows; returns the changed states. */
  save(tx: Tx, uow: ChangedSessions): Promise<SessionState[]>;
  /** The session an Idempotency-Key of the fleet created, if any. */
  findByIdempotencyKey(tx: Tx, fleetId: string, key: string): Promise<string | null>;
  /** Unique per (fleet, key): a concurrent duplicate fails here and is retried. */
  recordIdempotencyKey(tx: Tx, fleetId: string, key: string, sessionId: string): Promise<void>;
}

export interface ConnectorRow {
  chargePointId: string;
  connectorId: number;
  fleetId: string;
  evse: string | null;
  status: string | null;
  statusAt: string | null;
  errorCode: string | null;
}

export interface ChargerRow {
  chargePointId: string;
  fleetId: string;
  evseIds: Record<string, string>;
  connected: boolean;
  gatewayId: string | null;
  lastSeenAt: string;
}

export interface AnomalyRow {
  sourceEventId: string;
  fleetId: string;
  chargePointId: string;
  kind: string;
  detail: unknown;
}

/** Chargers, connectors, tariffs and anomalies: projections written next to the session appends. */
export interface ChargerRepository {
  loadConnectors(tx: Tx, chargePointIds: string[]): Promise<ConnectorRow[]>;
  saveConnectors(tx: Tx, rows: ConnectorRow[]): Promise<void>;
  /**
   * Upserts chargers. A row that only says "disconnected" (no EVSE ids) flips `connected` and
   * keeps the registered EVSE ids.
   */
  saveChargers(tx: Tx, rows: ChargerRow[]): Promise<void>;
  /** Once per source record. */
  saveAnomalies(tx: Tx, rows: AnomalyRow[]): Promise<void>;
  /** Tariffs assigned to any of these fleets, chargers or EVSEs. */
  loadCandidateTariffs(
    tx: Tx,
    fleets: string[],
    chargePointIds: string[],
    evses: string[],
  ): Promise<TariffPublished[]>;
  /** Stores the latest published state of a tariff (the topic is compacted: last write wins). */
  saveTariff(tx: Tx, tariff: TariffPublished): Promise<void>;
  deleteTariff(tx: Tx, tariffId: string): Promise<void>;
  /** The fleet's connector registered under this EVSE id. */
  findRegisteredEvse(
    tx: Tx,
    fleetId: string,
    evse: string,
  ): Promise<{ chargePointId: string; connectorId: number } | null>;
  /** Whether the charger belongs to the fleet; with the EVSE id registered for the connector, if any. */
  findFleetConnector(
    tx: Tx,
    fleetId: string,
    chargePointId: string,
    connectorId: number,
  ): Promise<{ evse: string | null } | null>;
}

/** A command sent on a session's behalf; the stop endpoint waits for its result. */
export interface CommandRecord {
  commandId: string;
  sessionId: string;
  chargePointId: string;
  action: OcppOutboundAction;
  deadline: string;
}

export interface CommandRepository {
  record(tx: Tx, command: CommandRecord): Promise<void>;
  /** A RemoteStop of this session still waiting for its answer (so a second stop does not send another). */
  pendingStop(tx: Tx, sessionId: string): Promise<string | null>;
  /** The command never left (audit or Kafka failed): it is answered `NotSent`. */
  markNotSent(tx: Tx, commandId: string): Promise<void>;
  /**
   * Stores results on our own commands (the topic also carries operators' commands); the first
   * result wins. Returns the commands that got theirs now.
   */
  storeResults(
    tx: Tx,
    results: { result: OcppCommandResult; completedAt: string }[],
  ): Promise<{ commandId: string; sessionId: string | null; action: string }[]>;
  /** The stored result of a command; null while it has none. */
  result(commandId: string): Promise<OcppCommandResult | null>;
}

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
