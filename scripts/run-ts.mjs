// Runs a TypeScript module in Node through Vite's module runner: `node scripts/run-ts.mjs file.ts [args]`.
// The module's default export, if a function, is called with the remaining arguments.
import { runnerImport } from 'vite';
import { resolve } from 'node:path';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
const { module } = await runnerImport(resolve(file), { configFile: resolve('vite.config.ts') });
if (typeof module.default === 'function') await module.default(...args);
