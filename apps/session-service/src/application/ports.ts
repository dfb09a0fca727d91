import type {
  AnyOcppCommand,
  AnyOcppCommandResult,
  ChargerProtocol,
  Ocpp201OutboundAction,
  OcppOutboundAction,
  TariffPublished,
} from '@app/contracts';
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
  /**
   * Open sessions of these chargers, plus any session holding one of these (charger, transactionId)
   * pairs, plus (`lastOnConnectors`) the newest session started on each of their connectors, open or not.
   */
  loadForChargers(
    tx: Tx,
    chargePointIds: string[],
    transactions: { cp: string; tx: number }[],
    lastOnConnectors?: boolean,
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
  /** StatusNotification's info, vendorId and vendorErrorCode. */
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  /** The newest session started here: after its end the connector's reports still belong to it until the connector is free. */
  lastSessionId: string | null;
  /** True when a record of this batch set `evse` (ChargerConnected); else the store keeps the stored one. */
  evseReported?: boolean;
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

/** A command sent on a session's behalf, or an operator's (no session); the endpoints wait for its result. */
export interface CommandRecord {
  commandId: string;
  sessionId: string | null;
  chargePointId: string;
  /** An action of the protocol the command was sent with (1.6 and 2.0.1 share some names). */
  action: OcppOutboundAction | Ocpp201OutboundAction;
  deadline: string;
}

export interface CommandRepository {
  record(tx: Tx, command: CommandRecord): Promise<void>;
  /**
   * Records each command unless one with its id exists (a command keyed by what caused it, e.g.
   * CostUpdated by charge id, is recorded once); `outcome` set: recorded as already answered
   * (Offline: never sent). Returns the ids recorded now.
   */
  recordOnce(
    tx: Tx,
    commands: (CommandRecord & { outcome?: 'Offline'; result?: AnyOcppCommandResult })[],
  ): Promise<string[]>;
  /** A remote stop (RemoteStop/RequestStopTransaction) of this session still waiting for its answer (so a second stop does not send another). */
  pendingStop(tx: Tx, sessionId: string): Promise<string | null>;
  /** The command never left (audit or Kafka failed): it is answered `NotSent`. */
  markNotSent(tx: Tx, commandId: string): Promise<void>;
  /**
   * Stores results on our own commands (the topic also carries operators' commands); the first
   * result wins. Returns the commands that got theirs now.
   */
  storeResults(
    tx: Tx,
    results: { result: AnyOcppCommandResult; completedAt: string }[],
  ): Promise<{ commandId: string; sessionId: string | null; action: string }[]>;
  /** The stored result of a command; null while it has none. */
  result(commandId: string): Promise<AnyOcppCommandResult | null>;
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

/**
 * Sends an OCPP command to the commands topic of the protocol the charger speaks,
 * `ocpp.v16.commands` or `ocpp.v201.commands` (resolves when Kafka acknowledged it).
 */
export interface CommandSender {
  /** `command.action` is one of `protocol`'s (the builders pair them: start-session.ts, stop-session.ts). */
  send(command: AnyOcppCommand, protocol: ChargerProtocol): Promise<void>;
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
/**
 * The charger answered no (502) or did not answer in time (504); for an operator's command also:
 * no such command or charger (404), the charger is offline (409).
 */
export class ChargerCommandError extends Error {
  constructor(
    readonly status: 404 | 409 | 502 | 503 | 504,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Seals webhook signing secrets at rest (AES-GCM in infrastructure/webhook-secret-box.ts). */
export interface WebhookSecretSealer {
  seal(secret: string, webhookId: string): string;
  open(stored: string, webhookId: string): string;
  /** Sealed with a key that is no longer the current one. */
  isStale(stored: string): boolean;
}

export interface DeliveryResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** The request never left: the URL or the address it resolved to is not allowed. */
  refused: boolean;
  durationMs: number;
  /** Response bytes read (at most maxResponseBytes; more means the receiver was cut off). */
  responseBytes: number;
}

/** Sends one webhook request; the SSRF-safe adapter in infrastructure/ is the real one. */
export interface WebhookSender {
  post(url: string, body: string, headers: Record<string, string>): Promise<DeliveryResult>;
  /** Refuses a URL that can never be delivered to (scheme, credentials, a non-public IP literal). */
  checkUrl(url: string): URL;
}

export interface WebhookRecord {
  id: string;
  url: string;
  events: string[] | null;
  createdAt: Date;
}

export interface DeliveryRecord {
  id: string;
  type: string;
  sessionId: string | null;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  gaveUpAt: Date | null;
  nextAttemptAt: Date;
  attemptLog: {
    attempt: number;
    at: string;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
  }[];
}

/** The oldest undelivered delivery of a (webhook, session), with what it takes to send it. */
export interface DueDelivery {
  id: string;
  sessionId: string | null;
  webhookId: string;
  body: string;
  attempts: number;
  url: string;
  sealedSecret: string | null;
  /** A plaintext secret from the old CLI, until the service seals it. */
  legacySecret: string | null;
}

export interface WebhookRepository {
  fleetsWithWebhooks(tx: Tx): Promise<string[]>;
  /** Queues one delivery per matching webhook of the fleet (as the webhooks are now), in `n` order. */
  queueDeliveries(
    tx: Tx,
    rows: { n: number; fleetId: string; sessionId: string; type: string; body: string }[],
  ): Promise<void>;
  /** Serializes changes to one fleet's webhooks until the transaction ends. */
  lockFleet(tx: Tx, fleetId: string): Promise<void>;
  count(tx: Tx, fleetId: string): Promise<number>;
  insert(
    tx: Tx,
    webhook: { id: string; fleetId: string; url: string; events: string[] | null; sealedSecret: string },
  ): Promise<WebhookRecord>;
  /** Deletes the fleet's webhook with its deliveries; null when the fleet has no such webhook. */
  delete(tx: Tx, fleetId: string, id: string): Promise<WebhookRecord | null>;
  list(fleetId: string): Promise<WebhookRecord[]>;
  find(fleetId: string, id: string): Promise<WebhookRecord | null>;
  /** Queues a delivery to this webhook only; false when the fleet has no such webhook. */
  queueTest(fleetId: string, id: string, type: string, body: string): Promise<boolean>;
  /** Newest first, before the delivery id `cursor`. */
  deliveries(webhookId: string, page: { limit: number; cursor: string | null }): Promise<DeliveryRecord[]>;
  /** Runs `work` holding the one dispatcher lock (across instances); 0 without running when another holds it. */
  withDispatchLock(work: (tx: Tx) => Promise<number>): Promise<number>;
  dueDeliveries(tx: Tx, limit: number): Promise<DueDelivery[]>;
  recordAttempt(
    tx: Tx,
    attempt: {
      deliveryId: string;
      attempt: number;
      statusCode: number | null;
      error: string | null;
      durationMs: number;
      delivered: boolean;
      backoffMs: number;
      gaveUp: boolean;
    },
  ): Promise<void>;
  /** Seals legacy plaintext secrets and reseals those of an older key; returns how many. */
  resealSecrets(sealer: WebhookSecretSealer): Promise<number>;
}
