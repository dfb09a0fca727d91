/**
 * `npm run -s sessions:rebuild [-- --replace]`: re-derives the sessions projection from the
 * session events into a scratch table (`sessions_rebuild`) and compares it with the live one,
 * session by session. Prints one JSON line `{ checked, equal, differing }` (differing: session ids)
 * and exits 1 when any session differs. `--replace` then writes the rebuilt rows over the live ones
 * (stop the service first: its consumers write the same rows).
 */
import { Pool } from 'pg';
import { loadSessionServiceConfig } from '../config';
import { compareRebuilt, rebuildSessions } from '../infrastructure/database/rebuild-sessions';

async function main(argv = process.argv.slice(2)): Promise<number> {
  const replace = argv.includes('--replace');
  const unknown = argv.filter((a) => a !== '--replace');
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument ${unknown[0]} (usage: rebuild-sessions [--replace])\n`);
    return 2;
  }
  const config = loadSessionServiceConfig();
  const timers = {
    stopGraceMinutes: config.STOP_GRACE_MINUTES,
    startTimeoutSeconds: config.START_TIMEOUT_SECONDS,
  };
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 2 });
  try {
    await rebuildSessions(pool, timers, 'sessions_rebuild');
    const result = await compareRebuilt(pool);
    let replaced = false;
    if (replace && result.differing.length > 0) {
      await rebuildSessions(pool, timers, 'sessions');
      replaced = true;
    }
    await pool.query('drop table if exists sessions_rebuild');
    process.stdout.write(JSON.stringify({ ...result, ...(replace ? { replaced } : {}) }) + '\n');
    return result.differing.length === 0 ? 0 : 1;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`sessions:rebuild failed: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
