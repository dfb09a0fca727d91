import path from 'node:path';
import type { DataSource } from 'typeorm';
import { REPO_ROOT } from './paths';

export interface AppSpec {
  name: 'ocpp-gateway' | 'session-service' | 'billing-service';
  port: number;
  database: string;
}

export const APPS: AppSpec[] = [
  { name: 'ocpp-gateway', port: 9000, database: 'ocpp_gateway' },
  { name: 'session-service', port: 3001, database: 'charging_sessions' },
  { name: 'billing-service', port: 3002, database: 'billing' },
];

/** Runs the app's TypeORM migrations against `url` (its own data-source module). */
export async function migrateApp(app: AppSpec['name'], url: string): Promise<string[]> {
  const mod = require(path.join(REPO_ROOT, 'apps', app, 'src/infrastructure/database/data-source')) as {
    createDataSource(url: string): DataSource;
  };
  const ds = mod.createDataSource(url);
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
