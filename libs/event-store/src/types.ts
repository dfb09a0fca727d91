import type { ClientBase } from 'pg';

/** Anything that runs a query: a `pg` PoolClient inside a transaction, or a Client. */
export type Queryable = Pick<ClientBase, 'query'>;

/** An event to append. `eventId` makes the append idempotent: the same id is never stored twice. */
export interface NewEvent<TData = unknown> {
  eventId: string;
  type: string;
  data: TData;
  metadata?: Record<string, unknown>;
}

/** An event as stored. Positions are bigint columns, returned as JS numbers (safe below 2^53). */
export interface RecordedEvent<TData = unknown> {
  globalPosition: number;
  streamId: string;
  streamPosition: number;
  eventId: string;
  type: string;
  data: TData;
  metadata: Record<string, unknown>;
  recordedAt: Date;
}

/**
 * What the caller believes the stream's version is:
 * - a number: the stream must be at exactly this version (0 = the stream must not exist yet);
 * - `'any'`: no check (creates the stream if needed).
 */
export type ExpectedVersion = number | 'any';

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
  ) {
    super(`stream ${streamId} is not at the expected version ${expected} (a concurrent append won)`);
    this.name = 'WrongExpectedVersionError';
  }
}

export class EventStoreError extends Error {}
