import { DataSource, type DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions } from '@app/config';
import { MIGRATIONS } from './migrations';

export function dataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions(url, MIGRATIONS);
}

/** Used by the stack scripts and the `migrate` command to run this service's migrations. */
export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}
