import path from 'node:path';

/** Repository root (libs/testing/src/stack → ../../../..). */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');
/** Dev/test data (git-ignored): Kafka jars, broker logs and data, embedded Postgres. */
export const DATA_DIR = process.env.STACK_DATA_DIR ?? path.join(REPO_ROOT, '.data');
