#!/usr/bin/env node
// Typechecks every module of demo/ (demo/**/*.module.ts) and every module in the README (a ```ts
// block that imports from 'lockstep' and calls schema(...)) against the spacetimedb package's
// server types, with only the import line changed: from 'lockstep' → from 'spacetimedb/server'.
// This is what lets the same module file deploy to SpacetimeDB. Exit code 1 on any type error.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'node_modules/.cache/lockstep-spacetimedb-check');
const IMPORT = /from 'lockstep'/;
const toSpacetimeDb = (source) => source.replaceAll("from 'lockstep'", "from 'spacetimedb/server'");

/** Every `*.module.ts` under a folder, recursively. */
const modulesUnder = (dir) =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? modulesUnder(join(dir, entry.name)) : entry.name.endsWith('.module.ts') ? [join(dir, entry.name)] : [],
  );

/** The README's module blocks: ```ts fences that import from 'lockstep' and declare a schema. */
function readmeModules() {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m, i) => ({ name: `README-block-${i + 1}.module.ts`, source: m[1], line: text.slice(0, m.index).split('\n').length + 1 }))
    .filter((b) => IMPORT.test(b.source) && /\bschema\(/.test(b.source));
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const origin = new Map();
for (const file of modulesUnder('demo')) {
  const name = file.replaceAll('/', '__');
  const source = readFileSync(join(root, file), 'utf8');
  if (!IMPORT.test(source)) throw new Error(`${file} does not import from 'lockstep'`);
  writeFileSync(join(out, name), toSpacetimeDb(source));
  origin.set(name, file);
}
for (const block of readmeModules()) {
  writeFileSync(join(out, block.name), toSpacetimeDb(block.source));
  origin.set(block.name, `README.md (the block at line ${block.line})`);
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2022', 'DOM'], types: [] },
    include: ['*.ts'],
  }),
);

const tsc = spawnSync('npx', ['tsc', '-p', join(out, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
const report = `${tsc.stdout}${tsc.stderr}`.replaceAll(/[^\s(]*lockstep-spacetimedb-check\/([^\s(:]+)/g, (_m, name) => origin.get(name) ?? name);
console.log(`Typechecked against spacetimedb/server with the import changed: ${[...origin.values()].join(', ')}`);
if (tsc.status !== 0) {
  console.error(report);
  console.error(`\n${relative(root, out)}: some modules do not typecheck against spacetimedb/server`);
  process.exit(1);
}
console.log('All of them typecheck.');
