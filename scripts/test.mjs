#!/usr/bin/env node
// `npm test`: typecheck (ours, and our modules against spacetimedb/server), unit tests (Vitest), package build,
// API reference (TypeDoc), browser tests (Playwright in Chromium), the fresh-app test (scripts/fresh-app.mjs).
// Every step runs even if an earlier one fails, so one run shows everything; the exit
// code is non-zero if any failed. Extra arguments go to Playwright (`npm test -- e2e/storage`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const isRoot = process.getuid?.() === 0;
const works = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const has = (command) => works('sh', ['-c', `command -v ${command}`]);
const run = (command, args, env = process.env) => {
  console.log(`\n$ ${[command, ...args].join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', env }).status === 0;
};

/** A Chromium for Playwright: the system one (Debian's package), installed if missing. */
function ensureChromium() {
  const system = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(system)) return { ...process.env, CHROMIUM_PATH: system };
  if (isRoot && has('apt-get')) {
    run('sh', ['-c', 'apt-get update && apt-get install -y chromium']);
    return { ...process.env, CHROMIUM_PATH: '/usr/bin/chromium' };
  }
  // A developer machine without root: Playwright's own build (never taken on our CI machines).
  run('npx', ['playwright', 'install', 'chromium']);
  return process.env;
}

/**
 * As root on Linux, run the browser tests in a loopback-only network namespace, so
 * WebRTC between contexts works and nothing can leave the machine (docs/testing.md);
 * the Vite server starts inside it too. Elsewhere run them directly.
 */
function playwright(env) {
  const args = ['playwright', 'test', ...process.argv.slice(2)];
  const isolate = isRoot && process.platform === 'linux' && has('unshare') && has('ip') && works('unshare', ['-n', 'true']);
  if (!isolate) return run('npx', args, env);
  const quoted = args.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  return run('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec npx ${quoted}`], env);
}

const env = ensureChromium();
const results = {
  typecheck: [...['tsconfig.json', 'worker/tsconfig.json'].map((p) => run('npx', ['tsc', '--noEmit', '-p', p])), run('node', ['scripts/typecheck-spacetimedb.mjs'])].every(Boolean),
  'unit tests': run('npx', ['vitest', 'run']),
  'package build': run('npm', ['run', '--silent', 'build']),
  'API reference': run('npm', ['run', '--silent', 'docs']),
  'browser tests': playwright(env),
  // After the package build: packs it into a new Vite app outside the repository (README, Getting started).
  'fresh-app test': run('node', ['scripts/fresh-app.mjs', '--built'], env),
};
const failed = Object.keys(results).filter((step) => !results[step]);
console.log(failed.length === 0 ? '\nAll steps passed.' : `\nFailed: ${failed.join(', ')}.`);
process.exit(failed.length === 0 ? 0 : 1);
