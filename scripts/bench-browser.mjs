#!/usr/bin/env node
// The browser part of `npm run bench`: the pages in bench/browser/, served by Vite
// (the frozen e2e config: COOP/COEP headers, no HMR) on a free 127.0.0.1 port and
// driven in headless Chromium with an on-disk profile in a fresh temp dir
// (ENVIRONMENT.md). Each figure sits beside a baseline measured in the same
// browser run. Alone: `node scripts/bench-browser.mjs [filter…]`.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { createServer, runnerImport } from 'vite';

/** The browser sections; a filter selects those whose name contains it, as for bench/*.bench.ts. */
export const BROWSER_SECTIONS = ['browser/latency', 'browser/throughput', 'browser/cold-open'];

/** The sections that `filters` (the arguments of `npm run bench --`) select; all of them without filters. */
export function selectBrowserSections(filters) {
  return BROWSER_SECTIONS.filter((section) => filters.length === 0 || filters.some((f) => section.includes(f)));
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// ENVIRONMENT.md's flags; never --disable-features=… (it replaces Playwright's own list).
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** A step that takes longer than this is reported as not finishing, not waited for. */
const BUDGET_MS = 120_000;

/**
 * Runs `sections` (names from {@link BROWSER_SECTIONS}) in one browser; resolves
 * with their rows (group `browser`) and the browser's version.
 */
export async function runBrowserBenchmarks(sections) {
  const harness = await runnerImport(resolve('bench/harness.ts'), { configFile: resolve('vite.config.ts') }).then((r) => r.module);
  // e2e/vite.config.ts imports ../vite.config without an extension; see playwright.config.ts.
  process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING = 'true';
  const server = await createServer({
    configFile: resolve('e2e/vite.config.ts'),
    // Its own dependency cache, apart from a concurrent e2e run's; pages scanned up front so no reload interrupts a run.
    cacheDir: 'node_modules/.vite-bench',
    optimizeDeps: { entries: ['bench/browser/*.html'] },
    server: { host: '127.0.0.1', port: 0, strictPort: true },
    logLevel: 'warn',
  });
  await server.listen();
  const origin = server.resolvedUrls.local[0].replace(/\/$/, '');
  const profile = await mkdtemp(join(tmpdir(), 'lockstep-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    headless: true,
    ...(existsSync(CHROMIUM) ? { executablePath: CHROMIUM } : {}),
    args: ARGS,
  });
  const open = (name) => openPage(context, `${origin}/bench/browser/${name}.html`, name);
  try {
    const first = context.pages()[0] ?? (await context.newPage());
    const version = await first.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? navigator.userAgent);
    const rows = [];
    for (const section of sections) {
      console.error(`running ${section}…`);
      rows.push(...(await SECTIONS[section](open, harness)).map((row) => ({ group: 'browser', ...row })));
    }
    return { rows, version: `Chromium ${version}` };
  } finally {
    await context.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

const SECTIONS = {
  /** 1. Call → own onInsert, one call at a time; and the durable awaited call beside one IndexedDB commit. */
  async 'browser/latency'(open, { median, quantile }) {
    const [rounds, perRound, warmup] = [10, 200, 200];
    const page = await open('latency');
    const s = await page.evaluate(([r, p, w]) => bench.measureLatency(r, p, w), [rounds, perRound, warmup]);
    await page.close();
    const us = (samples, q) => 1000 * (q === 0.5 ? median(samples) : quantile(samples, q));
    const timer = s.isolated ? '' : '; NOT cross-origin isolated: 100 µs timer steps';
    const rows = [];
    for (const [durability, samples] of [['confirmed', s.confirmedCallback], ['fast', s.fastCallback]]) {
      for (const q of [0.5, 0.95, 0.99]) {
        const p = `p${Math.round(q * 100)}`;
        rows.push({
          name: `call → own onInsert, ${durability}, ${p}`,
          value: us(samples, q),
          unit: 'µs',
          baselineName: `postMessage echo round trip, ${p}`,
          baselineValue: us(s.echo, q),
          note: `${samples.length} calls, one at a time${timer}`,
        });
      }
    }
    rows.push({
      name: 'durable call awaited (confirmed), p50',
      value: us(s.confirmedResolved, 0.5),
      unit: 'µs',
      baselineName: 'raw IndexedDB 1-put transaction, p50',
      baselineValue: us(s.idbPut, 0.5),
      note: `p95 ${us(s.confirmedResolved, 0.95).toFixed(0)} vs ${us(s.idbPut, 0.95).toFixed(0)} µs; ${s.idbPut.length} each`,
    });
    return rows;
  },

  /** 2. Durable calls with many in flight, beside the same records written with raw IndexedDB and with Dexie. */
  async 'browser/throughput'(open, { median }) {
    const [count, rounds, warmup] = [20_000, 3, 2_000];
    const page = await open('throughput');
    const s = await page.evaluate(([c, r, w]) => bench.measureThroughput(c, r, w), [count, rounds, warmup]);
    await page.close();
    const rate = (samples) => (count / median(samples)) * 1000;
    const name = `durable calls/s, ${count / 1000}k in flight (confirmed)`;
    const note = `median of ${rounds}; baseline in records/s`;
    return [
      { name, value: rate(s.lockstep), unit: 'calls/s', baselineName: 'raw IndexedDB, 1000 puts per tx', baselineValue: rate(s.idbBatched), note },
      { name, value: rate(s.lockstep), unit: 'calls/s', baselineName: 'Dexie bulkPut', baselineValue: rate(s.dexie), note },
    ];
  },

  /**
   * 3. Cold open to the first answer. One page fills the databases (10k rows per
   * call) and the packed baselines; then each open runs in a fresh page. The
   * browser is not restarted, and the OS caches the files just written.
   */
  async 'browser/cold-open'(open, { median }) {
    const run = Date.now().toString(36);
    const names = (rows) => ({ lockstep: `cold-${rows}-${run}`, packed: `cold-packed-${rows}-${run}` });
    const rows = [];
    const filled = [];
    const fill = await open('cold-open');
    await fill.evaluate((d) => bench.prepopulate(d, 0), names(0).lockstep);
    for (const size of [100_000, 1_000_000]) {
      const { lockstep, packed } = names(size);
      const ms = await withBudget(fill.evaluate(([d, n]) => bench.prepopulate(d, n), [lockstep, size]));
      const label = `${size / 1000}k rows`;
      if (ms === undefined) {
        rows.push(notFinished(`bulk load ${label} (10k rows per call)`, 'rows/s'));
        break; // the page's worker is still busy; larger sizes would only be slower
      }
      const packedMs = await fill.evaluate(([d, n]) => bench.prepopulatePacked(d, n), [packed, size]);
      rows.push({ name: `bulk load ${label} (10k rows per call)`, value: (size / ms) * 1000, unit: 'rows/s', baselineName: 'packed IndexedDB write', baselineValue: (size / packedMs) * 1000, note: 'the prepopulation, once' });
      filled.push(size);
    }
    await fill.close();

    const inFreshPage = async (fn) => {
      const page = await open('cold-open');
      try {
        return await withBudget(fn(page));
      } finally {
        await page.close();
      }
    };
    const empty = [];
    for (let i = 0; i < 5; i++) empty.push(await inFreshPage((p) => p.evaluate((d) => bench.openAndCount(d), names(0).lockstep)));
    for (const size of filled) {
      const { lockstep, packed } = names(size);
      const opens = [];
      const reads = [];
      const reps = size <= 100_000 ? 5 : 1;
      for (let i = 0; i < reps; i++) {
        reads.push(await inFreshPage((p) => p.evaluate((d) => bench.openAndReadPacked(d), packed)));
        const opened = await inFreshPage((p) => p.evaluate((d) => bench.openAndCount(d), lockstep));
        if (opened === undefined) break;
        opens.push(opened);
      }
      const name = `cold open → first answer, ${size / 1000}k rows`;
      if (opens.length === 0) {
        rows.push(notFinished(name, 'ms'));
        continue;
      }
      const wrong = opens.find((o) => o.rows !== size);
      rows.push({
        name,
        value: median(opens.map((o) => o.answered)),
        unit: 'ms',
        baselineName: `packed IndexedDB read-back, ${size / 1000}k rows`,
        baselineValue: median(reads.map((r) => r.ms)),
        note: [
          `connect ${median(opens.map((o) => o.connected)).toFixed(0)} ms + COUNT(*)`,
          `empty database ${median(empty.map((o) => o.answered)).toFixed(0)} ms`,
          `median of ${opens.length}`,
          ...(wrong ? [`COUNT(*) answered ${wrong.rows}, not ${size}`] : []),
        ].join('; '),
      });
    }
    return rows;
  },
};

/** A new page at `url`, its errors forwarded to stderr, once its script has set `window.bench`. */
async function openPage(context, url, name) {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.error(`[${name}] ${message.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => 'bench' in window);
  return page;
}

/** Resolves with `promise`'s value, or with undefined once {@link BUDGET_MS} has passed (the step goes on until its page closes). */
async function withBudget(promise) {
  let timer;
  const expired = new Promise((resolve) => (timer = setTimeout(resolve, BUDGET_MS, undefined)));
  promise.catch(() => {}); // rejects when its page is closed after the budget ran out
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The row of a step that did not finish within the budget: a finding, not a figure. */
function notFinished(name, unit) {
  return { name, value: NaN, unit, baselineName: '—', baselineValue: NaN, note: `did not finish within ${BUDGET_MS / 1000} s` };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { printTable } = await runnerImport(resolve('bench/harness.ts'), { configFile: resolve('vite.config.ts') }).then((r) => r.module);
  const { rows, version } = await runBrowserBenchmarks(selectBrowserSections(process.argv.slice(2)));
  console.log(`\nLockstep browser benchmarks — ${version}, ${new Date().toISOString()}\n`);
  printTable(rows);
}
