#!/usr/bin/env node
// The browser part of `npm run bench`: the pages in bench/browser/, served by Vite
// (the frozen e2e config: COOP/COEP headers, no HMR) on a free 127.0.0.1 port and
// driven in headless Chromium with an on-disk profile in a fresh temp dir
// (docs/testing.md). Each figure sits beside a baseline measured in the same
// browser run. Alone: `node scripts/bench-browser.mjs [filter…]`.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { createServer, runnerImport } from 'vite';
import { compareOptions, runCompare } from './bench-compare.mjs';

/** The browser sections; a filter selects those whose name contains it, as for bench/*.bench.ts. */
export const BROWSER_SECTIONS = ['browser/compare', 'browser/latency', 'browser/comlink', 'browser/throughput', 'browser/cold-open', 'browser/tabs', 'browser/peers'];

/** The sections that `filters` (the arguments of `npm run bench --`) select; all of them without filters. */
export function selectBrowserSections(filters) {
  return BROWSER_SECTIONS.filter((section) => filters.length === 0 || filters.some((f) => section.includes(f)));
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// docs/testing.md's flags; never --disable-features=… (it replaces Playwright's own list).
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
    // The user agent's version is frozen at x.0.0.0; the DevTools protocol has the real one.
    const cdp = await context.newCDPSession(context.pages()[0] ?? (await context.newPage()));
    const { product } = await cdp.send('Browser.getVersion');
    const rows = [];
    for (const section of sections) {
      console.error(`running ${section}…`);
      rows.push(...(await SECTIONS[section](open, harness, origin, context)).map((row) => ({ group: 'browser', ...row })));
    }
    return { rows, version: `Chromium ${product.split('/')[1] ?? product}` };
  } finally {
    await context.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

const SECTIONS = {
  /** 0. The other browser databases on the same workloads, from a production build (scripts/bench-compare.mjs). */
  async 'browser/compare'(_open, harness, _origin, context) {
    const { size, runs } = compareOptions(process.argv.slice(2));
    return runCompare({ context, openPage, call, harness, size, runs });
  },

  /** 1. Call → own onInsert, one call at a time; and the durable awaited call beside one IndexedDB commit. */
  async 'browser/latency'(open, { median, quantile }) {
    const [rounds, perRound, warmup] = [10, 200, 200];
    const s = finished(await inPage(open, 'latency', 'measureLatency', rounds, perRound, warmup), 'browser/latency');
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

  /** 1b. What comlink would add to a `fast` call: its round trip beside a bare postMessage's, against a fast call's latency. */
  async 'browser/comlink'(open, { median }) {
    const [rounds, perRound, warmup] = [10, 200, 200];
    const s = finished(await inPage(open, 'latency', 'measureComlink', rounds, perRound, warmup), 'browser/comlink');
    const us = (samples) => 1000 * median(samples);
    const timer = s.isolated ? '' : '; NOT cross-origin isolated: 100 µs timer steps';
    // On the plain port a call is one message each way: the call, and the transaction that answers it.
    // Through comlink it is a comlink round trip, and the transaction still comes on the stream: one more message.
    const extra = us(s.comlink) - us(s.echo) + us(s.echo) / 2;
    return [
      { name: 'comlink method round trip, p50', value: us(s.comlink), unit: 'µs', baselineName: 'postMessage echo round trip, p50', baselineValue: us(s.echo), note: `call-sized message; ${s.comlink.length} each${timer}` },
      {
        name: 'fast call → own onInsert via comlink (estimate), p50',
        value: us(s.fastCallback) + extra,
        unit: 'µs',
        baselineName: 'fast call → own onInsert, plain port, p50',
        baselineValue: us(s.fastCallback),
        note: `+ comlink's overhead and its reply message: ${extra.toFixed(0)} µs = ${((100 * extra) / us(s.fastCallback)).toFixed(1)} % of a fast call`,
      },
    ];
  },

  /** 2. Durable calls with many in flight, beside the same records written with raw IndexedDB and with Dexie. */
  async 'browser/throughput'(open, { median }) {
    const [count, rounds, warmup] = [20_000, 3, 2_000];
    const s = finished(await inPage(open, 'throughput', 'measureThroughput', count, rounds, warmup), 'browser/throughput');
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
    await call(fill, 'prepopulate', names(0).lockstep, 0);
    for (const size of [100_000, 1_000_000]) {
      const { lockstep, packed } = names(size);
      const name = `bulk load ${size / 1000}k rows (10k rows per call)`;
      const ms = await call(fill, 'prepopulate', lockstep, size);
      if (ms === undefined) {
        rows.push(notFinished(name, 'rows/s'));
        break; // its worker is still busy, and a larger size would only take longer
      }
      const packedMs = finished(await call(fill, 'prepopulatePacked', packed, size), 'the packed baseline');
      rows.push({ name, value: (size / ms) * 1000, unit: 'rows/s', baselineName: 'packed IndexedDB write', baselineValue: (size / packedMs) * 1000, note: 'the prepopulation, once' });
      filled.push(size);
    }
    await fill.close();

    const fresh = (fn, ...args) => inPage(open, 'cold-open', fn, ...args);
    const boots = [];
    const empties = [];
    for (let i = 0; i < 5; i++) {
      boots.push(finished(await fresh('bootWorker'), 'worker boot'));
      empties.push(finished(await fresh('openAndCount', names(0).lockstep), 'empty open').answered);
    }
    const empty = median(empties);
    rows.push({
      name: 'cold open → first answer, empty database',
      value: empty,
      unit: 'ms',
      baselineName: 'worker boot, same modules, no database',
      baselineValue: median(boots),
      note: 'median of 5; from the Vite dev server, so the worker loads its modules one by one, unbundled',
    });
    for (const size of filled) {
      const { lockstep, packed } = names(size);
      const name = `cold open → first answer, ${size / 1000}k rows`;
      const [opens, reads] = [[], []];
      for (let i = 0; i < (size <= 100_000 ? 5 : 3); i++) {
        reads.push(await fresh('openAndReadPacked', packed));
        const opened = await fresh('openAndCount', lockstep);
        if (opened === undefined) break;
        opens.push(opened);
      }
      if (opens.length === 0) {
        rows.push(notFinished(name, 'ms'));
        continue;
      }
      const wrong = opens.find((o) => o.rows !== size);
      const answered = median(opens.map((o) => o.answered));
      rows.push({
        name,
        value: answered,
        unit: 'ms',
        baselineName: `packed IndexedDB read-back, ${size / 1000}k rows`,
        baselineValue: median(reads.map((r) => r.ms)),
        note: [
          `median of ${opens.length}`,
          `${(answered - empty).toFixed(0)} ms beyond an empty open (${(size / (answered - empty)).toFixed(0)}k rows/s)`,
          `COUNT(*) ${(answered - median(opens.map((o) => o.connected))).toFixed(1)} ms`,
          ...(wrong ? [`COUNT(*) answered ${wrong.rows}, not ${size}`] : []),
        ].join('; '),
      });
    }
    return rows;
  },

  /**
   * 4. Cross-tab: a call in one tab → `onInsert` in another, one call at a time,
   * with three tabs on one database (the first to connect leads). (a) The leader
   * calls; (b) a replica calls (forwarded to the leader, then replicated back).
   * A third tab observes in both. Baselines between the same pages: a bare
   * BroadcastChannel message one way (timed across the two pages' clocks like the
   * calls) and a round trip (one clock). Kinds take turns within each round.
   */
  async 'browser/tabs'(open, { median, quantile }) {
    const [rounds, perRound, warmup] = [5, 200, 200];
    const database = `tabs-${Date.now().toString(36)}`;
    const pages = [];
    const join = async (role) => {
      const page = await open('tabs');
      pages.push(page);
      return { page, joined: finished(await call(page, 'join', database, role), `a ${role} tab joining`) };
    };
    try {
      // One after the other, so the first holds the leader lock before the others ask.
      const leader = await join('leader');
      const caller = await join('replica');
      const observer = await join('replica');
      await call(observer.page, 'observe');
      const kinds = {
        leaderCall: [leader.page, 'callTurn'],
        replicaCall: [caller.page, 'callTurn'],
        leaderOneWay: [leader.page, 'probeTurn'],
        replicaOneWay: [caller.page, 'probeTurn'],
        roundTrip: [caller.page, 'echoTurn'],
      };
      const samples = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, []]));
      let next = 0;
      const turn = async (count, record) => {
        for (const [kind, [page, fn]] of Object.entries(kinds)) {
          const taken = finished(await call(page, fn, next, count), `browser/tabs ${kind}`);
          next += count;
          if (record) samples[kind].push(...taken);
        }
      };
      await turn(warmup, false);
      for (let r = 0; r < rounds; r++) await turn(perRound, true);

      const us = (list, q) => 1000 * (q === 0.5 ? median(list) : quantile(list, q));
      const all = [leader, caller, observer].map((t) => t.joined);
      const caveats = [
        ...(all.every((j) => j.isolated) ? [] : ['NOT cross-origin isolated: 100 µs timer steps']),
        ...(all.every((j) => j.visible) ? [] : ['a page was hidden (may be throttled)']),
      ];
      const rows = [];
      for (const q of [0.5, 0.95, 0.99]) {
        const p = `p${Math.round(q * 100)}`;
        rows.push({
          name: `call in leader tab → onInsert in replica tab, ${p}`,
          value: us(samples.leaderCall, q),
          unit: 'µs',
          baselineName: `BroadcastChannel one way, same pages, ${p}`,
          baselineValue: us(samples.leaderOneWay, q),
          note: [
            `${samples.leaderCall.length} calls, one at a time, confirmed; 3 tabs; the leader broadcasts entries once durable, so each includes an IndexedDB commit`,
            `round trip ${p} ${us(samples.roundTrip, q).toFixed(0)} µs`,
            ...(q === 0.5 ? [`clock check: one way ${us(samples.replicaOneWay, q).toFixed(0)} µs vs half a round trip ${(us(samples.roundTrip, q) / 2).toFixed(0)} µs`] : []),
            ...caveats,
          ].join('; '),
        });
      }
      for (const q of [0.5, 0.95, 0.99]) {
        const p = `p${Math.round(q * 100)}`;
        rows.push({
          name: `call in replica tab → onInsert in another replica, ${p}`,
          value: us(samples.replicaCall, q),
          unit: 'µs',
          // Its path crosses between tabs twice: to the leader, and back with the entry.
          baselineName: `BroadcastChannel round trip, same pages, ${p}`,
          baselineValue: us(samples.roundTrip, q),
          note: [`${samples.replicaCall.length} calls, one at a time, confirmed`, `one way ${p} ${us(samples.replicaOneWay, q).toFixed(0)} µs`, ...caveats].join('; '),
        });
      }
      return rows;
    } finally {
      // Replicas first, so no tab takes over the lead while the others close.
      for (const page of pages.reverse()) await page.close();
    }
  },

  /**
   * 5. Peers: browsers in a room over WebRTC, each in its own context (its own
   * storage), through a relay on 127.0.0.1. (a) A call in one replica → `onInsert`
   * in another, one at a time, beside a bare data-channel round trip between the
   * same two browsers. (b) Sustained calls/s from 1 and from 3 replicas, beside the
   * authority's own calls. (c) A new browser catching up to a 100k-row state,
   * beside its own cold open of that state from IndexedDB afterwards.
   */
  async 'browser/peers'(_open, { median, quantile }, origin) {
    const room = await openRoom(origin);
    const name = `peers-${Date.now().toString(36)}`;
    const step = async (page, fn, ...args) => finished(await call(page, fn, ...args), `browser/peers ${fn}`);
    try {
      const join = async (role) => {
        const page = await room.open();
        await step(page, 'join', room.relay, name, 'db', role);
        return page;
      };
      const a = await join('authority');
      const [b, c, d] = [await join('replica'), await join('replica'), await join('replica')];
      const us = (list, q) => 1000 * (q === 0.5 ? median(list) : quantile(list, q));
      const rows = [];

      // (a) Latency, replica → replica, and the bare data channel between the same two browsers.
      const [rounds, perRound, warmup] = [5, 200, 100];
      await step(c, 'observe');
      await step(c, 'echo', room.relay, `${name}-echo`);
      let next = 0;
      const latency = [];
      const echoes = [];
      for (let r = -1; r < rounds; r++) {
        const count = r < 0 ? warmup : perRound;
        await step(b, 'callTurn', next, count);
        const taken = await step(c, 'seenFor', next, count);
        next += count;
        const trips = await step(b, 'echoTurn', room.relay, `${name}-echo`, count);
        if (r >= 0) latency.push(...taken), echoes.push(...trips);
      }
      for (const q of [0.5, 0.95, 0.99]) {
        const p = `p${Math.round(q * 100)}`;
        rows.push({
          name: `call in replica browser → onInsert in another, ${p}`,
          value: us(latency, q),
          unit: 'µs',
          baselineName: `data channel round trip, same browsers, ${p}`,
          baselineValue: us(echoes, q),
          note: `${latency.length} calls, one at a time, confirmed; 4 browsers in the room; to the authority and back: a signature and its check each way, the authority's durable commit`,
        });
      }

      // (b) Sustained calls/s: 3,000 pings with 32 in flight, from one replica, from three, and from the authority itself.
      const total = 3000;
      const runs = { one: [], three: [], authority: [] };
      for (let r = 0; r < 3; r++) {
        runs.authority.push(await step(a, 'burst', next, total, 32));
        next += total;
        runs.one.push(await step(b, 'burst', next, total, 32));
        next += total;
        const each = total / 3;
        const three = await Promise.all([b, c, d].map((page, i) => step(page, 'burst', next + i * each, each, 32)));
        runs.three.push(Math.max(...three));
        next += total;
      }
      const rate = (samples) => (total / median(samples)) * 1000;
      for (const [label, samples] of [['1 replica calling', runs.one], ['3 replicas calling', runs.three]]) {
        rows.push({
          name: `sustained calls/s, ${label}`,
          value: rate(samples),
          unit: 'calls/s',
          baselineName: 'the authority calling alone, same room',
          baselineValue: rate(runs.authority),
          note: `${total} calls, 32 in flight per caller, confirmed; median of 3; every call signed, verified, ordered, then replayed by 3 replicas`,
        });
      }

      // (c) Catch-up: the authority fills 100k rows; a new browser joins and catches up.
      const size = 100_000;
      const filled = await step(a, 'fill', size);
      if (filled.rows !== size) throw new Error(`browser/peers: the authority holds ${filled.rows} rows after filling ${size}`);
      const target = filled.seq;
      for (const page of [b, c, d]) await step(page, 'reached', target);
      const late = await room.open();
      const caught = await step(late, 'catchUp', room.relay, name, 'db', target);
      const local = await step(late, 'reopen', room.relay, name, 'db');
      rows.push({
        name: `catch-up of a new browser to a ${size / 1000}k-row state`,
        value: caught.ms,
        unit: 'ms',
        baselineName: 'the same browser opening that state from its IndexedDB',
        baselineValue: local.ms,
        note: [`${caught.rows} rows, ${caught.fetched} entries fetched after the snapshot; from connect() to caught up, incl. WebRTC connect (~60–90 ms)`, ...(local.rows === size ? [] : [`reopen counted ${local.rows} rows`])].join('; '),
      });
      return rows;
    } finally {
      await room.close();
    }
  },
};

/**
 * The browsers of a room, for the peers section: one more headless Chromium with
 * a context (separate storage) per browser, allowed WebRTC on loopback
 * (docs/testing.md), and the signaling relay on 127.0.0.1.
 */
async function openRoom(origin) {
  const { startSignalRelay } = await runnerImport(resolve('lib/signal/index.ts'), { configFile: resolve('vite.config.ts') }).then((r) => r.module);
  const relay = await startSignalRelay({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ headless: true, ...(existsSync(CHROMIUM) ? { executablePath: CHROMIUM } : {}), args: [...ARGS, '--allow-loopback-in-peer-connection'] });
  let n = 0;
  return {
    relay: relay.url,
    async open() {
      const context = await browser.newContext();
      // Without it Chromium gathers no ICE candidates on loopback.
      await context.grantPermissions(['camera', 'microphone']);
      return openPage(context, `${origin}/bench/browser/peers.html`, `peer ${++n}`);
    },
    async close() {
      await browser.close();
      await relay.close();
    },
  };
}

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

/** Runs `bench[fn](...args)` in a new page `name`, then closes it; undefined when it took longer than {@link BUDGET_MS}. */
async function inPage(open, name, fn, ...args) {
  const page = await open(name);
  try {
    return await call(page, fn, ...args);
  } finally {
    await page.close();
  }
}

/**
 * Runs `bench[fn](...args)` in `page`: its value, or undefined once {@link BUDGET_MS}
 * has passed (the step goes on until its page closes).
 */
async function call(page, fn, ...args) {
  const promise = page.evaluate(([f, a]) => bench[f](...a), [fn, args]);
  promise.catch(() => {}); // rejects when its page is closed after the budget ran out
  let timer;
  const expired = new Promise((resolve) => (timer = setTimeout(resolve, BUDGET_MS, undefined)));
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** `value`, or an error naming the step that did not finish within the budget. */
function finished(value, step) {
  if (value === undefined) throw new Error(`${step} did not finish within ${BUDGET_MS / 1000} s`);
  return value;
}

/** The row of a step that did not finish within the budget: a finding, not a figure. */
function notFinished(name, unit) {
  return { name, value: NaN, unit, baselineName: '—', baselineValue: NaN, note: `did not finish within ${BUDGET_MS / 1000} s` };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { printTable } = await runnerImport(resolve('bench/harness.ts'), { configFile: resolve('vite.config.ts') }).then((r) => r.module);
  const { rows, version } = await runBrowserBenchmarks(selectBrowserSections(compareOptions(process.argv.slice(2)).filters));
  console.log(`\nLockstep browser benchmarks — ${version}, ${new Date().toISOString()}\n`);
  printTable(rows);
}
