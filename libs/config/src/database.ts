import type { DataSourceOptions } from 'typeorm';

/**
 * The TypeORM options every app uses for its own database: migrations only (raw SQL, run in
 * order, each in its own transaction), never `synchronize`. Apps pass their MIGRATIONS list.
 */
export function postgresDataSourceOptions(
  url: string,
  migrations: DataSourceOptions['migrations'],
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    entities: [],
    synchronize: false,
    extra: { max: 20 },
  };
}
