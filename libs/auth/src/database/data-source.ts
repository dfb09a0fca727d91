import { DataSource, type DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions } from '@app/config';
import { AUTH_MIGRATIONS } from './migrations';

/**
 * Its own migrations table: the credentials may share a database with an app (tests do), and the
 * app's `migrate --wait` must not mistake these rows for its own.
 */
export function authDataSourceOptions(url: string): DataSourceOptions {
  return {
    ...postgresDataSourceOptions(url, AUTH_MIGRATIONS),
    migrationsTableName: 'auth_migrations',
    extra: { max: 1 },
  };
}

/** Runs the credentials database's migrations; returns the names applied now. */
export async function migrateAuthDatabase(url: string): Promise<string[]> {
  const ds = new DataSource(authDataSourceOptions(url));
  await ds.initialize();
  try {
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
