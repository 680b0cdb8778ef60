// The comparison section of `npm run bench` (`npm run bench -- compare`): the
// same workloads on Lockstep, Dexie, TinyBase, PGlite and raw IndexedDB in one
// Chromium run, from a production build of bench/compare/ served with COOP/COEP,
// plus the bundle of each system's minimal app. Prints one matrix with each
// ratio and returns Lockstep's rows (beside the best other system and the raw
// baseline) for the main table. Size: `--rows=N` (default 100000) or
// LOCKSTEP_BENCH_ROWS; runs: `--runs=N` (default 2).
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build, preview } from 'vite';
import { measureBundles } from './bench-bundle.mjs';

const OUT = 'node_modules/.bench-compare';
const HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
/** The systems in table order; `raw` is the baseline. */
const SYSTEMS = ['lockstep', 'dexie', 'tinybase', 'pglite', 'raw'];
/** Writes per run for the single-write and live-query workloads. */
const WRITES = 200;
/** Cold opens per system, each in a fresh page. */
const COLD_OPENS = 5;
/** Live queries, one per owner (bench/browser/rows.ts). */
const OWNERS = 100;
const LABEL = { lockstep: 'Lockstep', dexie: 'Dexie', tinybase: 'TinyBase', pglite: 'PGlite', raw: 'raw IndexedDB' };

/** `--rows=N` and `--runs=N` out of `args`, and the rest (the section filters). */
export function compareOptions(args) {
  const option = (name, fallback) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  return {
    size: option('rows', process.env.LOCKSTEP_BENCH_ROWS ?? 100_000),
    runs: option('runs', 2),
    filters: args.filter((a) => !a.startsWith('--')),
  };
}

/** Builds the comparison pages for production and serves them; resolves with the origin and a `close()`. */
async function serveBuild() {
  await build({
    configFile: resolve('vite.config.ts'),
    // PGlite's direct eval draws a warning per build; errors still print.
    logLevel: 'error',
    build: {
      outDir: resolve(OUT),
      emptyOutDir: true,
      target: 'es2022',
      rolldownOptions: { input: resolve('bench/compare/compare.html') },
    },
    worker: { format: 'es' },
  });
  const server = await preview({
    configFile: resolve('vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: resolve(OUT) },
    preview: { host: '127.0.0.1', port: 0, strictPort: true, headers: HEADERS },
  });
  const origin = server.resolvedUrls.local[0].replace(/\/$/, '');
  return { origin, close: () => new Promise((done) => server.httpServer.close(done)).then(() => rm(OUT, { recursive: true, force: true })) };
}

/**
 * Runs the comparison in `context` (a persistent Chromium context); `call(page, fn, ...args)`
 * runs `bench[fn]` in a page and `openPage(url, name)` opens one. Resolves with rows for the main table.
 */
export async function runCompare({ context, openPage, call, harness, size, runs }) {
  const { median } = harness;
  const { origin, close } = await serveBuild();
  const url = `${origin}/bench/compare/compare.html`;
  const inPage = async (fn, ...args) => {
    const page = await openPage(context, url, `compare ${args[0]}`);
    try {
      return await call(page, fn, ...args);
    } finally {
      await page.close();
    }
  };
  /**
   * One session on `system` in one page, step by step; a step that runs out of
   * time ends the session there, and its figures and the rest are missing.
   */
  const session = async (system, name) => {
    const page = await openPage(context, url, `compare ${system}`);
    const taken = {};
    const step = async (key, fn, ...args) => {
      if (taken.stopped) return;
      const value = await call(page, fn, ...args);
      if (value === undefined) {
        taken.stopped = `${fn}() did not finish within the step budget`;
        console.error(`  compare: ${system}: ${taken.stopped}`);
      } else if (key) taken[key] = value;
    };
    try {
      await step(undefined, 'open', system, `${name}-w`);
      await step('writes', 'singles', 2 * size, WRITES);
      await step(undefined, 'close');
      await step(undefined, 'open', system, name);
      await step('bulk', 'bulk', size);
      await step('reads', 'reads', size);
      await step('queries', 'queries');
      await step('live', 'live', size, WRITES);
      await step('total', 'close');
      return taken;
    } finally {
      await page.close();
    }
  };
  try {
    const tag = Date.now().toString(36);
    const sessions = Object.fromEntries(SYSTEMS.map((s) => [s, []]));
    for (let r = 0; r < runs; r++) {
      // Systems take turns, in a rotated order each run, so a change of load hits all alike.
      for (const [i] of SYSTEMS.entries()) {
        const system = SYSTEMS[(i + r) % SYSTEMS.length];
        console.error(`  compare: ${system}, run ${r + 1} of ${runs}`);
        sessions[system].push(await session(system, `cmp-${system}-${tag}-${r}`));
      }
    }
    // Cold opens of each system's last database, in fresh pages, in turns with the packed read-back.
    const opens = Object.fromEntries(SYSTEMS.map((s) => [s, []]));
    const packedName = `cmp-packed-${tag}`;
    const packedWrite = await inPage('packedWrite', packedName, size);
    const packedReads = [];
    const loaded = SYSTEMS.filter((s) => sessions[s].at(-1)?.total !== undefined);
    for (let i = 0; i < COLD_OPENS; i++) {
      for (const system of loaded) opens[system].push(await inPage('coldOpen', system, `cmp-${system}-${tag}-${runs - 1}`));
      packedReads.push(await inPage('packedRead', packedName));
    }
    const echoes = (await inPage('echo', 400)) ?? [];
    const keynoteRun = { accounts: 100_000, transfers: Math.min(20_000, Math.max(2_000, size / 5)), inFlight: 1024 };
    const keynotes = [];
    for (let r = 0; r < runs; r++) {
      const each = {};
      for (const system of ['lockstep', 'dexie']) each[system] = await inPage('keynote', system, `cmp-keynote-${system}-${tag}-${r}`, keynoteRun);
      keynotes.push(each);
    }
    console.error('  compare: bundles');
    const bundles = await measureBundles();

    // Medians of what finished; NaN (printed —) where nothing did.
    const med = (values) => {
      const done = values.filter((v) => v !== undefined && Number.isFinite(v));
      return done.length === 0 ? NaN : median(done);
    };
    const all = (fn) => Object.fromEntries(SYSTEMS.map((s) => [s, fn(sessions[s], s)]));
    const rate = (count, ms) => (count / ms) * 1000;
    const queryRows = sessions.lockstep.find((x) => x.queries)?.queries.rows ?? NaN;
    const workloads = [
      { name: 'durable single write, awaited: p50', unit: 'ms', lower: true, values: all((l) => med(l.flatMap((x) => x.writes ?? []))) },
      { name: 'durable single writes/s, one at a time', unit: 'writes/s', values: all((l) => 1000 / mean(l.flatMap((x) => x.writes ?? []))) },
      { name: `bulk load ${size / 1000}k rows (one bulk call)`, unit: 'rows/s', values: { ...all((l) => rate(size, med(l.map((x) => x.bulk)))), raw: rate(size, packedWrite) }, rawName: 'packed IndexedDB write' },
      { name: 'point reads/s', unit: 'reads/s', values: all((l) => med(l.map((x) => x.reads))) },
      { name: `indexed query (~${queryRows} rows)/s`, unit: 'queries/s', values: all((l) => med(l.map((x) => x.queries?.perSecond))) },
      {
        name: `write → live-query callback, ${OWNERS} live queries: p50`,
        unit: 'ms',
        lower: true,
        values: { ...all((l) => med(l.flatMap((x) => x.live ?? []))), raw: med(echoes) },
        rawName: 'postMessage round trip',
      },
      {
        name: `cold open ${size / 1000}k rows → first answer`,
        unit: 'ms',
        lower: true,
        values: { ...all((_, s) => med(opens[s].map((o) => o?.ms))), raw: med(packedReads.map((o) => o?.ms)) },
        rawName: 'packed IndexedDB read-back (all rows)',
      },
      {
        name: 'bundle of a minimal app, JS gzip (initial)',
        unit: 'kB',
        lower: true,
        values: { lockstep: bundles.lockstep.page.initial + bundles.lockstep.worker.initial, dexie: bundles.dexie.page.initial, tinybase: bundles.tinybase.page.initial, pglite: bundles.pglite.page.initial, raw: NaN },
      },
      {
        name: `keynote transfers/s, 100k accounts, ${keynoteRun.inFlight} in flight`,
        unit: 'transfers/s',
        values: { ...all(() => NaN), lockstep: rate(keynoteRun.transfers, med(keynotes.map((k) => k?.lockstep))), dexie: rate(keynoteRun.transfers, med(keynotes.map((k) => k?.dexie))) },
      },
    ];
    const notes = [
      ...SYSTEMS.flatMap((s) => sessions[s].filter((x) => x.stopped).map((x) => `${LABEL[s]}: ${x.stopped}; its later steps are missing`)),
      ...loaded.flatMap((s) => opens[s].filter((o) => o && o.rows !== sessions[s].at(-1).total).map((o) => `${LABEL[s]} cold open counted ${o.rows}, not ${sessions[s].at(-1).total}`)),
    ];
    printMatrix(workloads, { size, runs, notes, bundles });

    // Lockstep beside the best other system and beside the raw baseline, for the main table.
    const rows = [];
    for (const w of workloads) {
      const others = SYSTEMS.filter((s) => s !== 'lockstep' && s !== 'raw' && Number.isFinite(w.values[s]));
      const best = others.sort((a, b) => (w.lower ? w.values[a] - w.values[b] : w.values[b] - w.values[a]))[0];
      if (best) rows.push({ name: `${w.name}: Lockstep`, value: w.values.lockstep, unit: w.unit, baselineName: `best other: ${LABEL[best]}`, baselineValue: w.values[best], note: w.lower ? 'lower is better' : '' });
      if (Number.isFinite(w.values.raw)) rows.push({ name: `${w.name}: Lockstep`, value: w.values.lockstep, unit: w.unit, baselineName: w.rawName ?? 'raw IndexedDB', baselineValue: w.values.raw, note: w.lower ? 'lower is better' : '' });
    }
    return rows;
  } finally {
    await close();
  }
}

const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;

function cell(value) {
  if (!Number.isFinite(value)) return '—';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (value >= 100) return value.toFixed(0);
  return value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

/** Prints workloads × systems, then Lockstep's standing against the best other and the raw baseline. */
function printMatrix(workloads, { size, runs, notes, bundles }) {
  const header = ['workload', 'unit', ...SYSTEMS.map((s) => LABEL[s]), 'Lockstep vs best other', 'Lockstep vs raw'];
  const lines = [header];
  for (const w of workloads) {
    const others = SYSTEMS.filter((s) => s !== 'lockstep' && s !== 'raw' && Number.isFinite(w.values[s]));
    const best = others.sort((a, b) => (w.lower ? w.values[a] - w.values[b] : w.values[b] - w.values[a]))[0];
    const standing = (other) => {
      if (!other || !Number.isFinite(w.values[other])) return '—';
      const ratio = w.lower ? w.values[other] / w.values.lockstep : w.values.lockstep / w.values[other];
      return ratio >= 1 ? `${ratio.toFixed(2)}× ahead${other === 'raw' ? '' : ` of ${LABEL[other]}`}` : `${(1 / ratio).toFixed(2)}× behind${other === 'raw' ? '' : ` ${LABEL[other]}`}`;
    };
    lines.push([w.name, w.unit, ...SYSTEMS.map((s) => cell(w.values[s])), standing(best), standing('raw')]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  console.log(`\nOther browser databases, same workloads, one Chromium run (production build, on-disk profile, COOP/COEP; ${size} rows; medians of ${runs} runs, cold open of ${COLD_OPENS}):\n`);
  for (const [i, line] of lines.entries()) {
    console.log(line.map((c, j) => c.padEnd(widths[j])).join(' | '));
    if (i === 0) console.log(widths.map((n) => '-'.repeat(n)).join('-|-'));
  }
  const lz = bundles.lockstep;
  console.log(`\nBundles (gzip kB): Lockstep page ${cell(lz.page.initial)} + worker ${cell(lz.worker.initial)} (lazy: page ${cell(lz.page.lazy)}, worker ${cell(lz.worker.lazy)}); PGlite also loads ${cell(bundles.pglite.page.assets)} kB of WebAssembly and data.`);
  for (const line of notes) console.log(`NOTE: ${line}`);
}
