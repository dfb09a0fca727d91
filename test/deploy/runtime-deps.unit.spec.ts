/**
 * The runtime image installs `dependencies` only, without optional ones (docker/Dockerfile:
 * npm install --omit=dev --omit=optional). Everything the apps, the migrate command and the
 * documented CLIs load at run time must therefore be a regular dependency: a devDependency
 * imported by app code passes every other test and only crashes the production image.
 * This walks the source import graph from those entry points (relative imports and @app/* aliases)
 * and checks every package it reaches.
 */
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};

/** Import specifiers that survive compilation (`import type` and `export type` are erased). */
function runtimeSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  const patterns = [
    /^\s*import\s+(?!type\s)(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/gm,
    /^\s*export\s+(?!type\s)(?:\*|\{[^}]*\})(?:\s+as\s+\w+)?\s+from\s+['"]([^'"]+)['"]/gm,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]);
  return out;
}

function resolveFile(base: string): string | undefined {
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function resolveAlias(specifier: string): string | undefined {
  for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
    if (alias.endsWith('/*')) {
      const prefix = alias.slice(0, -1);
      if (specifier.startsWith(prefix))
        return path.join(ROOT, target.replace('*', specifier.slice(prefix.length)));
    } else if (specifier === alias) {
      return path.join(ROOT, target);
    }
  }
  return undefined;
}

const packageOf = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];

/** Packages reached from the entry points, with one importing file each. */
function runtimePackages(entries: string[]): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeSpecifiers(fs.readFileSync(file, 'utf8'))) {
      if (specifier.endsWith('.json')) continue;
      const local = specifier.startsWith('.')
        ? path.resolve(path.dirname(file), specifier)
        : resolveAlias(specifier);
      if (local !== undefined) {
        const resolved = resolveFile(local);
        if (!resolved) throw new Error(`${path.relative(ROOT, file)}: cannot resolve ${specifier}`);
        queue.push(resolved);
      } else if (!isBuiltin(specifier)) {
        if (!packages.has(packageOf(specifier)))
          packages.set(packageOf(specifier), path.relative(ROOT, file));
      }
    }
  }
  return packages;
}

const documentedCommands = [
  ...fs.readFileSync(path.join(ROOT, 'docker/README.md'), 'utf8').matchAll(/node dist\/([\w./-]+)\.js/g),
]
  .map((m) => path.join(ROOT, `${m[1]}.ts`))
  .filter((f) => fs.existsSync(f));

const ENTRIES = [
  ...['ocpp-gateway', 'session-service', 'billing-service'].map((app) =>
    path.join(ROOT, 'apps', app, 'src/main.ts'),
  ),
  path.join(ROOT, 'scripts/migrate.ts'),
  ...documentedCommands,
];

describe('runtime image dependencies', () => {
  it('finds the entry points and the packages they load', () => {
    for (const entry of ENTRIES) expect(fs.existsSync(entry)).toBe(true);
    const packages = runtimePackages(ENTRIES);
    // The walk must reach the framework and the drivers, or it is not walking at all.
    for (const expected of ['@nestjs/core', 'kafkajs', 'pg', 'typeorm'])
      expect([...packages.keys()]).toContain(expected);
  });

  it('every package the apps, migrate and the CLIs load is a regular, non-optional dependency', () => {
    const problems = [...runtimePackages(ENTRIES)]
      .filter(([name]) => !(name in pkg.dependencies) || name in (pkg.optionalDependencies ?? {}))
      .map(
        ([name, from]) =>
          `${name} (imported by ${from}) is ${name in pkg.devDependencies ? 'a devDependency' : 'not a dependency'}`,
      );
    expect(problems).toEqual([]);
  });

  it('the import scanner sees runtime imports and skips type-only ones', () => {
    const source = [
      "import 'reflect-metadata';",
      "import { Injectable } from '@nestjs/common';",
      "import type { Kafka } from 'kafkajs';",
      "import Decimal, { type Rounding } from 'decimal.js';",
      "export * from './local';",
      "export type { X } from 'typeorm';",
      "const pg = require('pg');",
      '// import { x } from "commented-out";',
    ].join('\n');
    expect(runtimeSpecifiers(source).sort()).toEqual([
      './local',
      '@nestjs/common',
      'decimal.js',
      'pg',
      'reflect-metadata',
    ]);
  });
});
