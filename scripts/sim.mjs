#!/usr/bin/env node
// `npm run sim -- --seeds 100000 [--from 1] [--workers N]`: the world simulation (lib/simulation) over many
// seeds, in parallel worker processes; prints progress, every failing seed with how to replay it, and seeds/s.
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';

const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const seeds = option('seeds', 10_000);
const from = option('from', 1);
const workers = Math.max(1, Math.min(option('workers', availableParallelism()), seeds));
const start = performance.now();
let done = 0;
let caught = 0;
const failures = [];

const per = Math.ceil(seeds / workers);
const runs = [];
for (let w = 0; w < workers; w++) {
  const first = from + w * per;
  const last = Math.min(from + seeds - 1, first + per - 1);
  if (first > last) continue;
  const child = fork('scripts/run-ts.mjs', ['lib/simulation/sweep.test-util.ts', String(first), String(last)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const result = JSON.parse(line);
    done++;
    if (result.caught !== undefined && result.caught !== null) caught++;
    if (!result.ok) {
      failures.push(result);
      console.log(`FAIL ${result.error}`);
    }
    if (done % 500 === 0) console.log(`${done}/${seeds} seeds, ${(done / ((performance.now() - start) / 1000)).toFixed(1)} seeds/s`);
  });
  runs.push(new Promise((resolve) => child.on('exit', resolve)));
}
await Promise.all(runs);
const seconds = (performance.now() - start) / 1000;
console.log(`\n${done} seeds in ${seconds.toFixed(1)} s with ${workers} workers: ${(done / seconds).toFixed(1)} seeds/s; ${caught} seeds ran a non-deterministic reducer, each pinned to its seq`);
console.log(`${done - failures.length} passed, ${failures.length} failed`);
process.exit(failures.length === 0 && done === seeds ? 0 : 1);
