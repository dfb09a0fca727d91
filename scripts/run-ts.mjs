// Runs a TypeScript entry point without a build step (swc transpile, tsconfig path aliases).
// Usage: node scripts/run-ts.mjs path/to/file.ts [args...]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
process.env.TS_NODE_PROJECT ??= path.join(root, 'tsconfig.json');
require('ts-node').register({ transpileOnly: true, swc: true, project: process.env.TS_NODE_PROJECT });
const { compilerOptions } = require(path.join(root, 'tsconfig.json'));
require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...rest];
require(path.resolve(entry));
