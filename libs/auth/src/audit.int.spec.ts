import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { parseQuery, QueryError } from '@app/http';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { AUDIT_QUERY, auditMigrationSql, listAudit, recordAudit, type AuditEntry } from './audit';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: { kind: 'api_key', id: randomUUID() },
  action: 'charge.corrected',
  target: { type: 'charge', id: randomUUID() },
  service: 'billing-service',
  details: { reason: 'meter replaced' },
  ...over,
});

describe('audit log (Postgres)', () => {
  let db: TestDatabase;
  let c: Client;

  beforeAll(async () => {
    db = await createTestDatabase('auth_audit');
    c = new Client({ connectionString: db.url });
    await c.connect();
    // Twice: the statements are idempotent, so every app's migration step may run them.
    for (const sql of [...auditMigrationSql(), ...auditMigrationSql()]) await c.query(sql);
  });
  afterAll(async () => {
    await c.end();
    await db.drop();
  });

  it('records who, when and what, once per entry id', async () => {
    const id = randomUUID();
    const e = entry({ id });
    await recordAudit(c, e);
    await recordAudit(c, e); // a retried transaction records the same entry again
    const { rows } = await c.query('select * from auth_audit_log where id = $1', [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_kind: 'api_key',
      actor_id: e.actor.id,
      action: 'charge.corrected',
      target_type: 'charge',
      target_id: e.target.id,
      service: 'billing-service',
      details: { reason: 'meter replaced' },
    });
    expect(Math.abs((rows[0].at as Date).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, also from the table owner (a superuser here)', async () => {
    const id = randomUUID();
    await recordAudit(c, entry({ id }));
    await expect(
      c.query(`update auth_audit_log set actor_id = 'someone-else' where id = $1`, [id]),
    ).rejects.toThrow(/append-only: UPDATE rejected/);
    await expect(c.query('delete from auth_audit_log where id = $1', [id])).rejects.toThrow(
      /append-only: DELETE rejected/,
    );
    await expect(c.query('truncate auth_audit_log')).rejects.toThrow(/append-only: TRUNCATE rejected/);
    const { rows } = await c.query('select actor_id from auth_audit_log where id = $1', [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].actor_id).not.toBe('someone-else');
  });

  it('refuses an entry without an actor, in code and in the table', async () => {
    await expect(recordAudit(c, entry({ actor: { kind: 'api_key', id: '' } }))).rejects.toThrow(
      /valid actor/,
    );
    await expect(
      c.query(
        `insert into auth_audit_log (id, actor_kind, actor_id, action, target_type, target_id, service)
         values ($1, 'root', 'x', 'charge.corrected', 'charge', 'c', 'billing-service')`,
        [randomUUID()],
      ),
    ).rejects.toThrow(/check constraint/);
  });

  it('pages through a time range in write order, never repeating or skipping an entry', async () => {
    const target = randomUUID();
    const written: string[] = [];
    const from = new Date(Date.now() - 1000);
    for (let i = 0; i < 7; i++) {
      const id = randomUUID();
      written.push(id);
      await recordAudit(c, entry({ id, target: { type: 'tariff', id: target } }));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const q = parseQuery(AUDIT_QUERY, {
        from: from.toISOString(),
        limit: '3',
        ...(cursor ? { cursor } : {}),
      });
      const page = await listAudit(c, q);
      expect(page.entries.length).toBeLessThanOrEqual(3);
      seen.push(...page.entries.filter((e) => e.target.id === target).map((e) => e.id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(written);

    const none = await listAudit(
      c,
      parseQuery(AUDIT_QUERY, { to: String(Math.floor(from.getTime() / 1000) - 3600) }),
    );
    expect(none.entries.map((e) => e.target.id)).not.toContain(target);
  });

  it('names the parameter when from, to, limit or cursor is wrong', async () => {
    const fails = (raw: Record<string, string>) => {
      try {
        parseQuery(AUDIT_QUERY, raw);
      } catch (e) {
        return e instanceof QueryError ? e.parameter : `not a QueryError: ${String(e)}`;
      }
      return 'accepted';
    };
    expect(fails({ from: '999999999999' })).toBe('from');
    expect(fails({ to: 'yesterday' })).toBe('to');
    expect(fails({ limit: '0' })).toBe('limit');
    expect(fails({ cursor: 'not-ours' })).toBe('cursor');
    await expect(
      listAudit(c, parseQuery(AUDIT_QUERY, { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })),
    ).rejects.toThrow(/from must not be after to/);
  });
});
