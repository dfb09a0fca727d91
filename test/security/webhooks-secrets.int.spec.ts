import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Pool } from 'pg';
import { postgresDataSourceOptions } from '@app/config';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { sealWebhookSecrets } from '../../apps/session-service/src/infrastructure/database/webhook-store';
import { MIGRATIONS } from '../../apps/session-service/src/infrastructure/database/migrations';
import { SelfServiceWebhooks1764590000000 } from '../../apps/session-service/src/infrastructure/database/migrations/1764590000000-self-service-webhooks';
import { WebhookSecretBox } from '../../apps/session-service/src/infrastructure/webhook-secret-box';

/**
 * Issue 10: webhook secrets were stored as they are. Endpoints set with the old CLI keep working:
 * the migration moves them over, the service seals them with WEBHOOK_SECRET_KEY at its next start,
 * and a key rotation reseals them; no plaintext remains in the table.
 */
describe('webhook secrets at rest (issue 10)', () => {
  let db: TestDatabase;
  let pool: Pool;
  const PLAINTEXT = 'whsec-from-the-old-cli-' + randomBytes(8).toString('hex');

  const run = async (migrations: typeof MIGRATIONS) => {
    const ds = new DataSource(postgresDataSourceOptions(db.url, migrations));
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
  };

  beforeAll(async () => {
    db = await createTestDatabase('sec_hook_secrets');
    const before = MIGRATIONS.indexOf(SelfServiceWebhooks1764590000000);
    expect(before).toBeGreaterThan(0);
    await run(MIGRATIONS.slice(0, before));
    pool = new Pool({ connectionString: db.url, max: 2 });
    // what the old CLI left: a plaintext secret and a delivery still pending
    await pool.query(
      `insert into webhook_endpoints (fleet_id, url, secret) values ('fleet-old', 'https://hooks.example.com/x', $1)`,
      [PLAINTEXT],
    );
    await pool.query(
      `insert into webhook_deliveries (fleet_id, session_id, type, body) values ('fleet-old', gen_random_uuid(), 'fleet.charging_session.closed', '{}')`,
    );
    await run(MIGRATIONS);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('migrates the old endpoint and its pending delivery, then seals the secret once; a rotation reseals it', async () => {
    const [moved] = (await pool.query('select id::text, url, legacy_secret, sealed_secret from webhooks'))
      .rows;
    expect(moved).toMatchObject({
      url: 'https://hooks.example.com/x',
      legacy_secret: PLAINTEXT,
      sealed_secret: null,
    });
    const { rows: pending } = await pool.query('select webhook_id::text from webhook_deliveries');
    expect(pending).toEqual([{ webhook_id: moved.id }]);

    const oldKey = randomBytes(32);
    const box = new WebhookSecretBox(oldKey);
    expect(await sealWebhookSecrets(pool, box)).toBe(1);
    expect(await sealWebhookSecrets(pool, box)).toBe(0); // idempotent
    const sealed = (await pool.query('select legacy_secret, sealed_secret from webhooks')).rows[0];
    expect(sealed.legacy_secret).toBeNull();
    expect(box.open(sealed.sealed_secret, moved.id)).toBe(PLAINTEXT); // receivers keep their secret
    const everything = JSON.stringify((await pool.query('select * from webhooks')).rows);
    expect(everything).not.toContain(PLAINTEXT);

    const newKey = randomBytes(32);
    const rotated = new WebhookSecretBox(newKey, [oldKey]);
    expect(await sealWebhookSecrets(pool, rotated)).toBe(1);
    const resealed = (await pool.query('select sealed_secret from webhooks')).rows[0].sealed_secret;
    expect(rotated.isStale(resealed)).toBe(false);
    // once resealed, the old key can be dropped
    const withoutOld = new WebhookSecretBox(newKey);
    expect(withoutOld.open(resealed, moved.id)).toBe(PLAINTEXT);
    expect(() => box.open(resealed, moved.id)).toThrow('unknown key');
  });

  it('the migration reverts: unsealed rows go back to webhook_endpoints, and it applies again', async () => {
    const fresh = await createTestDatabase('sec_hook_down');
    const ds = new DataSource(postgresDataSourceOptions(fresh.url, MIGRATIONS));
    await ds.initialize();
    try {
      await ds.runMigrations();
      await ds.query(
        `insert into webhooks (fleet_id, url, legacy_secret) values ('fleet-down', 'https://hooks.example.com/d', 'plain')`,
      );
      const migration = new SelfServiceWebhooks1764590000000();
      const qr = ds.createQueryRunner();
      await migration.down(qr);
      expect(await qr.query('select fleet_id, url, secret from webhook_endpoints')).toEqual([
        { fleet_id: 'fleet-down', url: 'https://hooks.example.com/d', secret: 'plain' },
      ]);
      await migration.up(qr);
      expect(await qr.query('select fleet_id, legacy_secret from webhooks')).toEqual([
        { fleet_id: 'fleet-down', legacy_secret: 'plain' },
      ]);
      await qr.release();
    } finally {
      await ds.destroy();
      await fresh.drop();
    }
  });
});
