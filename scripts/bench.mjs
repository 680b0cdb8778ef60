#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts in Node, then the browser benchmarks
// (scripts/bench-browser.mjs), and prints one table. Each file exports
// `run(): Promise<BenchRow[]>`; figures are medians beside a baseline measured in
// the same process (or browser run). Name files or browser sections to run only
// some: `npm run bench -- engine`, `npm run bench -- browser`; a quick comparison
// with the other browser databases: `npm run bench -- compare --rows=10000`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { runnerImport } from 'vite';
import { runBrowserBenchmarks, selectBrowserSections } from './bench-browser.mjs';

// WebRTC between browser contexts connects on loopback only inside a loopback-only network
// namespace (docs/testing.md): as root on Linux, the whole run goes into one (nothing here needs more).
const canIsolate = () => ['unshare', 'ip'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0) && spawnSync('unshare', ['-n', 'true']).status === 0;
if (process.getuid?.() === 0 && process.platform === 'linux' && process.env.LOCKSTEP_BENCH_ISOLATED === undefined && canIsolate()) {
  const args = ['-n', 'sh', '-c', 'ip link set lo up && exec node scripts/bench.mjs "$@"', 'sh', ...process.argv.slice(2)];
  const isolated = spawnSync('unshare', args, { stdio: 'inherit', env: { ...process.env, LOCKSTEP_BENCH_ISOLATED: '1' } });
  process.exit(isolated.status ?? 1);
}

// The machine's load when the run starts: other work on it skews every figure.
const loadAtStart = loadavg()[0].toFixed(2);
// Options (`--rows=N`, `--runs=N`: see scripts/bench-compare.mjs) are not filters.
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
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
const sections = selectBrowserSections(filters);
const browser = sections.length === 0 ? undefined : await runBrowserBenchmarks(sections);
rows.push(...(browser?.rows ?? []));
console.log(`\nLockstep benchmarks — Node ${process.version}${browser ? `, ${browser.version}` : ''}, load average ${loadAtStart} at start, ${new Date().toISOString()}\n`);
printTable(rows);
