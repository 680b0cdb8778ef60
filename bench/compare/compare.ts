/**
 * The comparison page: the same workloads on Lockstep, Dexie, TinyBase, PGlite and
 * raw IndexedDB, one system per call, driven by scripts/bench-compare.mjs from a
 * production build. Each system's code is imported before its clock starts, as an
 * app's bundle is loaded before it opens its database.
 */
import { timePackedRead, timePackedWrite } from '../browser/idb-baseline';
import { itemRow, itemRows, OWNERS } from '../browser/rows';
import type { Contender, OpenContender } from './contender';
import { dexieTransfers, lockstepTransfers, type KeynoteRun } from './keynote';

/** The systems, by name, each loaded only when asked for. */
const SYSTEMS: Record<string, () => Promise<OpenContender>> = {
  lockstep: () => import('./lockstep').then((m) => m.openLockstep),
  dexie: () => import('./dexie').then((m) => m.openDexie),
  tinybase: () => import('./tinybase').then((m) => m.openTinyBase),
  pglite: () => import('./pglite').then((m) => m.openPGlite),
  raw: () => import('./raw').then((m) => m.openRaw),
};

/** The database the steps of a session work on, in this page. */
let db: Contender | undefined;
const opened = (): Contender => db ?? (() => { throw new Error('compare: no database open in this page; call open() first'); })();

/** Runs `fn` repeatedly for at least `minMs` or `max` times; resolves with the rate per second. */
async function rate(max: number, minMs: number, fn: (i: number) => unknown): Promise<number> {
  const start = performance.now();
  let i = 0;
  while (i < max && (i < 10 || performance.now() - start < minMs)) await fn(i++);
  return (i / (performance.now() - start)) * 1000;
}

/**
 * A session on one system is a sequence of steps, each its own call from the
 * driver (so one that runs out of time costs only itself and the rest): open,
 * then the workloads, then close. Each resolves with a value, so the driver
 * tells a step that finished from one that ran out of time.
 */
export async function open(system: string, name: string): Promise<string> {
  db = await (await SYSTEMS[system]!())(name);
  return name;
}

/** Samples a timed loop takes at most: `count`, or fewer once {@link SAMPLE_MS} have passed (at least 10). */
const SAMPLE_MS = 20_000;
const more = (i: number, count: number, since: number): boolean => i < count && (i < 10 || performance.now() - since < SAMPLE_MS);

/** Up to `count` durable single writes of rows from id `from` up, each awaited; each in milliseconds. */
export async function singles(from: number, count: number): Promise<number[]> {
  const times: number[] = [];
  const since = performance.now();
  for (let i = -10; more(i, count, since); i++) {
    const start = performance.now();
    await opened().write(itemRow(from + i + 10));
    if (i >= 0) times.push(performance.now() - start);
  }
  return times;
}

/** Loads rows 0 .. size-1 in one bulk call; milliseconds. */
export async function bulk(size: number): Promise<number> {
  const rows = itemRows(0, size);
  const start = performance.now();
  await opened().bulk(rows);
  return performance.now() - start;
}

/** Point reads of ids below `size`, for at least 0.5 s; reads per second. */
export async function reads(size: number): Promise<number> {
  await opened().get(0); // a system that reads from a cache fills it first, untimed
  return rate(20_000, 500, (i) => opened().get((i * 7919) % size));
}

/** Indexed queries, one owner each, for at least 1 s; queries per second and the rows the last returned. */
export async function queries(): Promise<{ readonly perSecond: number; readonly rows: number }> {
  let rows = 0;
  const perSecond = await rate(500, 1000, async (i) => (rows = (await opened().byOwner(i % OWNERS)).length));
  return { perSecond, rows };
}

/**
 * Opens {@link OWNERS} live queries (one per owner), then writes up to `count` rows
 * from id `from` up, each to one owner, timing each write → its live query's
 * callback; milliseconds each, empty for a system without live queries.
 */
export async function live(from: number, count: number): Promise<number[]> {
  const current = opened();
  if (current.live === undefined) return [];
  let waiting: { owner: number; resolve: (at: number) => void } | undefined;
  await current.live(Array.from({ length: OWNERS }, (_, owner) => owner), (owner) => {
    if (waiting?.owner === owner) waiting.resolve(performance.now());
  });
  const times: number[] = [];
  const since = performance.now();
  for (let i = -10; more(i, count, since); i++) {
    const row = { ...itemRow(from + i + 10), owner: (i + 10) % OWNERS };
    const seen = new Promise<number>((resolve) => (waiting = { owner: row.owner, resolve }));
    const start = performance.now();
    const [at] = await Promise.all([seen, current.write(row)]);
    if (i >= 0) times.push(at - start);
  }
  return times;
}

/** The open database's row count, then closes it. */
export async function close(): Promise<number> {
  const rows = await opened().count();
  await opened().close();
  db = undefined;
  return rows;
}

/** Opens database `name` of `system` and asks its first question, the row count; milliseconds from open. */
export async function coldOpen(system: string, name: string): Promise<{ readonly ms: number; readonly rows: number }> {
  const open = await SYSTEMS[system]!();
  const start = performance.now();
  const db = await open(name);
  const rows = await db.count();
  const ms = performance.now() - start;
  await db.close();
  return { ms, rows };
}

/** `count` postMessage round trips of a call-sized message through an echo worker; each in milliseconds. */
export async function echo(count: number): Promise<number[]> {
  const worker = new Worker(new URL('../browser/echo-worker.ts', import.meta.url), { type: 'module' });
  const times: number[] = [];
  for (let i = -10; i < count; i++) {
    const start = performance.now();
    await new Promise((resolve) => {
      worker.addEventListener('message', resolve, { once: true });
      worker.postMessage({ type: 'call', requestId: i, reducer: 'add_item', args: itemRow(i) });
    });
    if (i >= 0) times.push(performance.now() - start);
  }
  worker.terminate();
  return times;
}

/** The keynote transfers on `system` (Lockstep or Dexie), in database `name`; milliseconds. */
export function keynote(system: 'lockstep' | 'dexie', name: string, run: KeynoteRun): Promise<number> {
  return system === 'lockstep' ? lockstepTransfers(name, run) : dexieTransfers(name, run);
}

Object.assign(window, { bench: { open, singles, bulk, reads, queries, live, close, coldOpen, packedWrite: timePackedWrite, packedRead: timePackedRead, echo, keynote } });
