import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys of every app (the credentials database, AUTH_DATABASE_URL). Only the sha256 of a key is
 * kept. A revoked key stays as a row forever, so creating the same key again finds it and is
 * refused; the trigger makes "revoked stays revoked" hold for any SQL too, not only for our code.
 */
export class AuthApiKeys1733000000000 implements MigrationInterface {
  name = 'AuthApiKeys1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table auth_api_keys (
        id uuid primary key,
        key_hash text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
        name text not null check (length(name) between 1 and 200),
        roles text[] not null
          check (cardinality(roles) > 0 and roles <@ array['fleet', 'operator', 'finance', 'admin']::text[]),
        fleet text check (length(fleet) between 1 and 200),
        created_at timestamptz not null default now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        constraint auth_api_keys_fleet_iff_fleet_role check ((fleet is not null) = ('fleet' = any(roles)))
      )`);
    await q.query(`
      create function auth_api_keys_stay_revoked() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'API keys are never deleted (a revoked key must stay known as revoked)';
        end if;
        if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
          raise exception 'a revoked API key stays revoked';
        end if;
        if new.key_hash <> old.key_hash or new.roles <> old.roles or new.fleet is distinct from old.fleet then
          raise exception 'an API key''s hash, roles and fleet do not change; create a new key';
        end if;
        return new;
      end $$`);
    await q.query(`
      create trigger auth_api_keys_stay_revoked before update or delete on auth_api_keys
      for each row execute function auth_api_keys_stay_revoked()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table auth_api_keys');
    await q.query('drop function auth_api_keys_stay_revoked');
  }
}
