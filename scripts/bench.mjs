#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts in Node and prints one table.
// Each file exports `run(): Promise<BenchRow[]>`; figures are medians beside a
// baseline measured in the same process. Name files to run only some: `npm run bench -- engine`.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { runnerImport } from 'vite';

const filters = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
const load = (file) => runnerImport(resolve(file), { configFile: resolve('vite.config.ts') }).then((r) => r.module);
const { printTable } = await load('bench/harness.ts');
const rows = [];
for (const file of files) {
  const group = file.replace('.bench.ts', '');
  console.error(`running ${file}…`);
  const { run } = await load(`bench/${file}`);
  for (const row of await run()) rows.push({ group, ...row });
}
console.log(`\nLockstep benchmarks — Node ${process.version}, ${new Date().toISOString()}\n`);
printTable(rows);
