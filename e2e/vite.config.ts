import base from '../vite.config';

/**
 * The Vite config of the Playwright runs: the app's config, frozen for the run.
 * Without a file watcher and HMR, an edit anywhere in the repo during a run (ours
 * or another engineer's) cannot reload a page in the middle of a test; the
 * server lives for one run, so it never serves stale code. Its own cache dir
 * keeps its pre-bundled dependencies apart from the demo server's.
 */
export default {
  ...base,
  cacheDir: 'node_modules/.vite-e2e',
  server: { ...base.server, hmr: false, watch: null },
};
