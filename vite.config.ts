import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { lockstepSignal } from './lib/signal/vite-plugin';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** One config for the demo server, the e2e test pages and the unit tests. */
export default defineConfig({
  // The repo root: the demo lives at /demo/, the e2e test pages at /e2e/pages/.
  root: here('.'),
  // WebRTC signaling for the demo and e2e peers: ws://<server>/lockstep-signal.
  plugins: [lockstepSignal()],
  resolve: {
    alias: [
      { find: /^lockstep\/testing$/, replacement: here('./lib/testing/index.ts') },
      { find: /^lockstep\/devtools$/, replacement: here('./lib/devtools/index.ts') },
      { find: /^lockstep\/worker$/, replacement: here('./worker/index.ts') },
      { find: /^lockstep$/, replacement: here('./lib/index.ts') },
    ],
  },
  // Every page's dependencies bundled before the first page loads: one found later (simple-peer sits behind a
  // dynamic import) makes Vite re-bundle mid-run, and a page loading the old bundle fails to load a module.
  // comlink is listed as well: every page and worker loads it, so it must never be the one found late.
  optimizeDeps: {
    entries: ['demo/*.html', 'e2e/pages/*.html', 'bench/browser/*.html'],
    include: ['simple-peer/simplepeer.min.js', 'idb', 'comlink'],
  },
  server: {
    host: '127.0.0.1',
    headers: {
      // Cross-origin isolation gives performance.now() microsecond resolution.
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
  test: {
    // A hang detector, not a speed check: shared 2-core machines run property tests several times slower under load.
    testTimeout: 30_000,
    include: ['lib/**/*.test.ts', 'worker/**/*.test.ts', 'demo/**/*.test.ts'],
    typecheck: { enabled: true, include: ['lib/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
