import type { Pool, PoolClient } from 'pg';
import { readAll } from './read';
import { inTransaction } from './transaction';
import type { RecordedEvent } from './types';

/** A projection that can be re-derived from the events. */
export interface RebuildableProjection {
  /** Empties the projection's tables (or creates the scratch tables a comparison rebuilds into). */
  reset(client: PoolClient): Promise<void>;
  /** Applies events in global order; called page by page. */
  apply(client: PoolClient, events: RecordedEvent[]): Promise<void>;
}

/**
 * Re-derives a projection from every event (of `streamType`, if given), in one transaction, so
 * readers see the old projection until the new one is complete. Returns how many events it applied.
 * To prove a rebuild equal to the live projection, rebuild into scratch tables and compare them
 * with `except` queries (see the session-service's rebuild test).
 */
export async function rebuildProjection(
  pool: Pool,
  projection: RebuildableProjection,
  options: { streamType?: string; pageSize?: number } = {},
): Promise<number> {
  return inTransaction(pool, async (client) => {
    await projection.reset(client);
    let after = 0;
    let total = 0;
    for (;;) {
      const page = await readAll(client, {
        after,
        limit: options.pageSize ?? 1000,
        streamType: options.streamType,
      });
      if (page.length === 0) break;
      await projection.apply(client, page);
      total += page.length;
      after = page[page.length - 1].globalPosition;
    }
    return total;
  });
}
