import type { Actor, TariffAssignment, TariffPublished } from '@app/contracts';
import { appendToStream, type Queryable } from '@app/event-store';
import { randomUUID } from 'node:crypto';
import type { AssignedTariff, Tariff, TariffPrices, TariffVersion } from '../domain/tariff';
import type { TariffStore } from '../application/ports';

export const TARIFF_STREAM_TYPE = 'tariff';
export const TARIFF_PUBLISHED_TYPE = 'TariffVersionPublished';

interface VersionRow {
  tariff_id: string;
  version: number;
  effective_from: Date;
  kwh_price: string;
  session_price: string;
  time_tariffs: { starting_at_minute: number; minute_price: string }[];
  vat: string;
  currency: string;
  max_charging_time: number;
  created_by_kind: Actor['kind'] | null;
  created_by_id: string | null;
}

function toVersion(r: VersionRow): TariffVersion {
  return {
    version: r.version,
    effective_from: r.effective_from.toISOString(),
    tariff: {
      tariff_id: r.tariff_id,
      version: r.version,
      kwh_price: r.kwh_price,
      session_price: r.session_price,
      time_tariffs: r.time_tariffs,
      vat: r.vat,
      currency: r.currency,
      max_charging_time: r.max_charging_time,
    },
    ...(r.created_by_kind && r.created_by_id
      ? { created_by: { kind: r.created_by_kind, id: r.created_by_id } }
      : {}),
  };
}

/** Tariff rows with their versions and assignments (two statements, whatever the number of rows). */
async function hydrate(
  c: Queryable,
  rows: { tariff_id: string; name: string; created_at: Date }[],
): Promise<Tariff[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.tariff_id);
  const versions = await c.query<VersionRow>(
    `select tariff_id, version, effective_from, kwh_price::text, session_price::text, time_tariffs, vat::text, currency, max_charging_time,
       created_by_kind, created_by_id
     from tariff_versions where tariff_id = any($1::uuid[]) order by tariff_id, version`,
    [ids],
  );
  const assignments = await c.query<{ tariff_id: string; scope: TariffAssignment['scope']; ref: string }>(
    'select tariff_id, scope, ref from tariff_assignments where tariff_id = any($1::uuid[]) order by scope, ref',
    [ids],
  );
  return rows.map((r) => ({
    id: r.tariff_id,
    name: r.name,
    created_at: r.created_at.toISOString(),
    versions: versions.rows.filter((v) => v.tariff_id === r.tariff_id).map(toVersion),
    assignments: assignments.rows
      .filter((a) => a.tariff_id === r.tariff_id)
      .map((a) => ({ scope: a.scope, ref: a.ref })),
  }));
}

/** Tariffs in Postgres. Every method runs on the caller's client, so use cases compose them in one transaction. */
export const tariffRepository = {
  async insertTariff(c: Queryable, id: string, name: string): Promise<void> {
    await c.query('insert into tariffs (tariff_id, name) values ($1, $2)', [id, name]);
  },

  /** Inserts the next version, naming who created it (a version taken concurrently violates the primary key). */
  async insertVersion(
    c: Queryable,
    id: string,
    version: number,
    effectiveFrom: Date,
    p: TariffPrices,
    actor: Actor,
  ): Promise<void> {
    await c.query(
      `insert into tariff_versions (tariff_id, version, effective_from, kwh_price, session_price, time_tariffs, vat, currency, max_charging_time,
         created_by_kind, created_by_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        id,
        version,
        effectiveFrom,
        p.kwh_price,
        p.session_price,
        JSON.stringify(p.time_tariffs),
        p.vat,
        p.currency,
        p.max_charging_time,
        actor.kind,
        actor.id,
      ],
    );
  },

  async latestVersion(c: Queryable, id: string): Promise<{ version: number; effective_from: Date } | null> {
    const { rows } = await c.query<{ version: number; effective_from: Date }>(
      'select version, effective_from from tariff_versions where tariff_id = $1 order by version desc limit 1',
      [id],
    );
    return rows[0] ?? null;
  },

  /** Locks the tariff row so concurrent new versions of one tariff queue up. */
  async lockTariff(c: Queryable, id: string): Promise<boolean> {
    const { rowCount } = await c.query('select 1 from tariffs where tariff_id = $1 for update', [id]);
    return (rowCount ?? 0) > 0;
  },

  async find(c: Queryable, id: string): Promise<Tariff | null> {
    const t = await c.query<{ tariff_id: string; name: string; created_at: Date }>(
      'select tariff_id, name, created_at from tariffs where tariff_id = $1',
      [id],
    );
    if (t.rowCount === 0) return null;
    const [tariff] = await hydrate(c, t.rows);
    return tariff;
  },

  /** A page of tariffs by creation order, after the tariff `afterId` (the last of the previous page). */
  async list(c: Queryable, limit: number, afterId?: string): Promise<Tariff[]> {
    const { rows } = await c.query<{ tariff_id: string; name: string; created_at: Date }>(
      afterId
        ? `select tariff_id, name, created_at from tariffs
           where (created_at, tariff_id) > (select created_at, tariff_id from tariffs where tariff_id = $2)
           order by created_at, tariff_id limit $1`
        : 'select tariff_id, name, created_at from tariffs order by created_at, tariff_id limit $1',
      afterId ? [limit, afterId] : [limit],
    );
    return hydrate(c, rows);
  },

  /** Points an assignment at a tariff; returns the tariff it pointed at before (if another). */
  async assign(c: Queryable, a: TariffAssignment, tariffId: string, actor: Actor): Promise<string | null> {
    const before = await c.query<{ tariff_id: string }>(
      'select tariff_id from tariff_assignments where scope = $1 and ref = $2 for update',
      [a.scope, a.ref],
    );
    await c.query(
      `insert into tariff_assignments (scope, ref, tariff_id, assigned_by_kind, assigned_by_id) values ($1, $2, $3, $4, $5)
       on conflict (scope, ref) do update set tariff_id = excluded.tariff_id, assigned_at = now(),
         assigned_by_kind = excluded.assigned_by_kind, assigned_by_id = excluded.assigned_by_id`,
      [a.scope, a.ref, tariffId, actor.kind, actor.id],
    );
    const previous = before.rows[0]?.tariff_id ?? null;
    return previous === tariffId ? null : previous;
  },

  async unassign(c: Queryable, a: TariffAssignment): Promise<string | null> {
    const { rows } = await c.query<{ tariff_id: string }>(
      'delete from tariff_assignments where scope = $1 and ref = $2 returning tariff_id',
      [a.scope, a.ref],
    );
    return rows[0]?.tariff_id ?? null;
  },

  async listAssignments(c: Queryable): Promise<AssignedTariff[]> {
    const { rows } = await c.query<{ tariff_id: string; scope: TariffAssignment['scope']; ref: string }>(
      'select tariff_id, scope, ref from tariff_assignments order by scope, ref',
    );
    return rows.map((r) => ({ tariffId: r.tariff_id, assignment: { scope: r.scope, ref: r.ref } }));
  },

  async assignmentsFor(c: Queryable, refs: string[]): Promise<AssignedTariff[]> {
    const { rows } = await c.query<{ tariff_id: string; scope: TariffAssignment['scope']; ref: string }>(
      'select tariff_id, scope, ref from tariff_assignments where ref = any($1::text[])',
      [refs],
    );
    return rows.map((r) => ({ tariffId: r.tariff_id, assignment: { scope: r.scope, ref: r.ref } }));
  },

  /**
   * Puts the tariff's whole current state in the outbox, in the caller's transaction: the relay
   * publishes it to the compacted `billing.tariffs.v1`, keyed by tariffId, so the latest record
   * of a key is always the committed state. `actor` made the change being published.
   */
  async publish(c: Queryable, tariffId: string, actor: Actor): Promise<TariffPublished> {
    const tariff = await this.find(c, tariffId);
    if (!tariff) throw new Error(`tariff ${tariffId} vanished inside its own transaction`);
    const data: TariffPublished = {
      tariffId: tariff.id,
      name: tariff.name,
      versions: tariff.versions,
      assignments: tariff.assignments,
      publishedBy: actor,
      publishedAt: new Date().toISOString(),
    };
    await appendToStream(c, `tariff-${tariffId}`, TARIFF_STREAM_TYPE, 'billing', 'any', [
      { eventId: randomUUID(), type: TARIFF_PUBLISHED_TYPE, data },
    ]);
    return data;
  },
} satisfies TariffStore;
