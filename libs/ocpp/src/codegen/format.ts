import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const GENERATED_TYPES_PATH = path.resolve(__dirname, '../ocpp16-types.generated.ts');
export const GENERATED_201_TYPES_PATH = path.resolve(__dirname, '../ocpp201-types.generated.ts');

/**
 * Formats the generated module with the repository's Prettier settings (so `prettier --check`
 * passes). Through the CLI: Prettier 3's API loads its plugins with a dynamic import, which jest's
 * CommonJS runtime refuses.
 */
export function formatTypes(text: string, file: string = GENERATED_TYPES_PATH): string {
  const cli = require.resolve('prettier/bin/prettier.cjs');
  return execFileSync(process.execPath, [cli, '--stdin-filepath', file], {
    input: text,
    encoding: 'utf8',
  });
}
