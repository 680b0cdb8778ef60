// Bundle sizes for `npm run bench`: each minimal app in bench/bundle/ built for
// production (Vite, minified, as an app bundler would), its JavaScript gzipped
// chunk by chunk. "initial" is what the entry loads before it runs (its static
// imports); "lazy" what sits behind dynamic imports; WebAssembly and data files
// are counted apart. Lockstep resolves to this repository's sources, as in the dev config.
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { build } from 'vite';

/** The minimal apps: a name and its entry files (Lockstep's page and worker are measured apart). */
export const BUNDLE_APPS = {
  lockstep: { page: 'bench/bundle/lockstep-page.ts', worker: 'bench/bundle/lockstep-worker.ts' },
  dexie: { page: 'bench/bundle/dexie.ts' },
  tinybase: { page: 'bench/bundle/tinybase.ts' },
  pglite: { page: 'bench/bundle/pglite.ts' },
};

/** Builds `entry` in memory; resolves with its gzipped kilobytes: initial JS, lazy JS, other assets. */
export async function bundleSize(entry) {
  const result = await build({
    configFile: resolve('vite.config.ts'),
    logLevel: 'silent',
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      modulePreload: false,
      reportCompressedSize: false,
      rolldownOptions: { input: resolve(entry) },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
  const chunks = new Map(outputs.filter((o) => o.type === 'chunk').map((c) => [c.fileName, c]));
  const kB = (code) => gzipSync(code).length / 1000;
  const initial = new Set();
  const visit = (name) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const dep of chunks.get(name)?.imports ?? []) visit(dep);
  };
  for (const c of chunks.values()) if (c.isEntry) visit(c.fileName);
  let [initialKb, lazyKb, assetKb] = [0, 0, 0];
  for (const c of chunks.values()) initial.has(c.fileName) ? (initialKb += kB(c.code)) : (lazyKb += kB(c.code));
  for (const a of outputs) if (a.type === 'asset' && !a.fileName.endsWith('.map') && !a.fileName.endsWith('.html')) assetKb += kB(a.source);
  return { initial: initialKb, lazy: lazyKb, assets: assetKb };
}

/** Every app's sizes, by name; Lockstep's as `page` and `worker`. */
export async function measureBundles() {
  const sizes = {};
  for (const [name, entries] of Object.entries(BUNDLE_APPS)) {
    sizes[name] = {};
    for (const [side, entry] of Object.entries(entries)) sizes[name][side] = await bundleSize(entry);
  }
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureBundles(), null, 2));
