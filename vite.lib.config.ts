import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The package build: one ESM file per public entry in dist/, shared code split into chunks. */
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    // Source maps only when asked (LOCKSTEP_SOURCEMAP=1 npm run build): they would double the package.
    sourcemap: process.env.LOCKSTEP_SOURCEMAP === '1',
    lib: {
      entry: {
        'lib/index': here('./lib/index.ts'),
        'worker/index': here('./worker/index.ts'),
        'lib/testing/index': here('./lib/testing/index.ts'),
        'lib/devtools/index': here('./lib/devtools/index.ts'),
        // React is an optional peer dependency of this entry only.
        'lib/react/index': here('./lib/react/index.ts'),
        // Node only (the signaling relay, its CLI and Vite plugin): node:* stay imports.
        'lib/signal/index': here('./lib/signal/index.ts'),
        'lib/signal/cli': here('./lib/signal/cli.ts'),
      },
      formats: ['es'],
    },
    rolldownOptions: { external: ['idb', /^simple-peer(\/|$)/, 'vite', /^node:/, /^react(\/|$)/] },
  },
});
