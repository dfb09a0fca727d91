import { randomUUID } from 'node:crypto';

/**
 * Every Kafka value we produce is one of these (CloudEvents 1.0 attribute names).
 * `subject` is the record key (chargePointId, sessionId, commandId, tariffId).
 */
export interface Envelope<TData = unknown, TType extends string = string> {
  id: string;
  type: TType;
  specversion: '1.0';
  source: string;
  subject: string;
  time: string;
  schema: string;
  data: TData;
}

export interface EnvelopeInput<TData, TType extends string> {
  type: TType;
  source: string;
  subject: string;
  schema: string;
  data: TData;
  /** Defaults to a random uuid; pass a deterministic id to make redelivery idempotent downstream. */
  id?: string;
  time?: Date | string;
}

export function makeEnvelope<TData, TType extends string>(
  input: EnvelopeInput<TData, TType>,
): Envelope<TData, TType> {
  const time =
    input.time instanceof Date ? input.time.toISOString() : (input.time ?? new Date().toISOString());
  return {
    id: input.id ?? randomUUID(),
    type: input.type,
    specversion: '1.0',
    source: input.source,
    subject: input.subject,
    time,
    schema: input.schema,
    data: input.data,
  };
}

export class EnvelopeError extends Error {}

/** Parses a Kafka value into an envelope, checking the envelope fields (not the data). */
export function parseEnvelope(value: Buffer | string | null): Envelope {
  if (value === null) throw new EnvelopeError('record has no value (tombstone)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (e) {
    throw new EnvelopeError(`record value is not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new EnvelopeError('record value is not an object');
  const env = parsed as Record<string, unknown>;
  for (const field of ['id', 'type', 'source', 'subject', 'time', 'schema'] as const) {
    if (typeof env[field] !== 'string')
      throw new EnvelopeError(`envelope field "${field}" missing or not a string`);
  }
  if (env.specversion !== '1.0') throw new EnvelopeError('envelope specversion must be "1.0"');
  if (!('data' in env)) throw new EnvelopeError('envelope has no data');
  return env as unknown as Envelope;
}
