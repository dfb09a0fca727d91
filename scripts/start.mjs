#!/usr/bin/env node
// `npm start` / `npm test` entry point. Uses only Node built-ins until the install is done, then
// hands over to scripts/stack.ts (Kafka, Postgres, topics, migrations, apps, tests).
//   node scripts/start.mjs                 install, prepare, build, start the three apps, run the demo
//   node scripts/start.mjs --test [args]   install, prepare, build, run every test (args go to jest)
//   node scripts/start.mjs --prepare-only  install and prepare Kafka/Postgres/topics/databases, then exit
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const mode = args.includes('--test') ? 'test' : args.includes('--prepare-only') ? 'prepare' : 'start';
const passthrough = args.filter((a) => !['--test', '--prepare-only'].includes(a));
const log = (line) => console.log(`[start] ${line}`);

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 11)) {
  console.error(`Node.js >= 20.11 is required, this is ${process.versions.node}`);
  process.exit(1);
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

// Install npm packages when node_modules is missing or older than the lockfile.
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');
if (mtime(installed) === 0 || mtime(lock) > mtime(installed)) {
  // `npm install` (not `npm ci`): it installs exactly the locked versions too, but npm 11 refuses
  // `npm ci` when the lock lacks other platforms' optional packages (@swc/core-darwin-*, ...).
  log('installing npm packages (npm install, from package-lock.json)...');
  const started = Date.now();
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (npm.status !== 0) {
    console.error('npm install failed; see the output above');
    process.exit(npm.status ?? 1);
  }
  log(`npm packages installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

for (const tool of ['java', 'mvn']) {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (found.status !== 0) log(`warning: ${tool} not found; it is needed to start a local Kafka broker`);
}

const child = spawn(
  process.execPath,
  [path.join(root, 'scripts/run-ts.mjs'), path.join(root, 'scripts/stack.ts'), mode, ...passthrough],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the whole process group; the stack process does the orderly shutdown.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
