import type { Queryable } from './types';

/**
 * Kafka offsets kept in Postgres (`consumer_offsets`), next to the effects of the records. A
 * consumer claims a batch (`claimBatch`: locks the partition's row, stores the batch's end, returns
 * the records not processed before) and writes their effects in the same transaction, so a
 * redelivery after a crash is a no-op. Offsets are decimal strings (Kafka's int64), compared as
 * bigint. libs/kafka's `transactionalConsumer` is the one user: services use that.
 */

/** The records at or after the stored offset (all of them when nothing is stored). */
function unprocessed<T extends { offset: string }>(messages: T[], storedNextOffset: string | null): T[] {
  if (storedNextOffset === null) return messages;
  const next = BigInt(storedNextOffset);
  return messages.filter((m) => BigInt(m.offset) >= next);
}

/** Partitions whose offset row this process has seen: their claim is one statement. */
const knownOffsetRows = new Set<string>();

/**
 * True when `claimBatch` for this partition is one statement, sent the moment it is called (this
 * process has seen the partition's offset row before). A caller can then queue more statements
 * behind it on a pipelining client, knowing Postgres runs them after the claim took its lock.
 */
export function claimIsOneStatement(groupId: string, topic: string, partition: number): boolean {
  return knownOffsetRows.has(`${groupId}\u0000${topic}\u0000${partition}`);
}

/**
 * For a caller that folds one or several partitions' batches in one transaction: locks the
 * partition's offset row (serialising two members that briefly both think they own it during a
 * rebalance), stores the batch's end and returns the records not processed before. The caller
 * must write their effects in the same transaction. Claim the
 * partitions of one transaction in a fixed order (e.g. by partition) so two transactions cannot
 * deadlock on the offset rows.
 */
export async function claimBatch<T extends { offset: string }>(
  client: Queryable,
  groupId: string,
  topic: string,
  partition: number,
  messages: T[],
): Promise<T[]> {
  if (messages.length === 0) return [];
  const next = (BigInt(messages[messages.length - 1].offset) + 1n).toString();
  const key = `${groupId}\u0000${topic}\u0000${partition}`;
  if (!knownOffsetRows.has(key)) {
    // The row must exist before the locking read below: two members racing to create it would
    // otherwise both read "nothing stored". Once seen, later batches skip this round trip.
    await client.query(
      `insert into consumer_offsets (group_id, topic, partition, next_offset) values ($1, $2, $3, 0) on conflict do nothing`,
      [groupId, topic, partition],
    );
  }
  // One round trip: lock and read the stored offset, and store the batch's end (never moving it
  // back). Storing before processing is fine: it commits or rolls back with the batch's effects.
  const { rows } = await client.query<{ prev: string | null }>(
    `with prev as (
       select next_offset from consumer_offsets where group_id = $1 and topic = $2 and partition = $3 for update
     ), stored as (
       insert into consumer_offsets (group_id, topic, partition, next_offset) values ($1, $2, $3, $4)
       on conflict (group_id, topic, partition) do update
         set next_offset = greatest(consumer_offsets.next_offset, excluded.next_offset), updated_at = now()
       returning 1
     )
     select (select next_offset::text from prev) as prev, (select count(*) from stored) as n`,
    [groupId, topic, partition, next],
  );
  if (rows[0].prev !== null) knownOffsetRows.add(key);
  return unprocessed(messages, rows[0].prev);
}
