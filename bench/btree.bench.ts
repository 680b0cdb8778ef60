/**
 * Benchmarks of the B+tree under every table and index, each beside a
 * built-in baseline measured in the same process (Map for point operations,
 * a plain array for scans). Every figure is the median of several runs.
 *
 * Run it alone with `npm run bench -- btree`.
 */
import { BTree } from '../lib/store/btree';
import type { BenchRow } from './harness';

type Row = Omit<BenchRow, 'group'>;

const N = 1_000_000;
const RANGE = 10_000;
const RUNS = 7;
const byNumber = (a: number, b: number): number => a - b;

/** Runs every B+tree benchmark; each row's figures are medians of {@link RUNS} runs. */
export async function run(): Promise<Row[]> {
  const shuffled = shuffle(Array.from({ length: N }, (_, i) => i), 42);
  const ascending = Array.from({ length: N }, (_, i) => i);
  const full = new BTree<number, number>(byNumber);
  const map = new Map<number, number>();
  for (const key of shuffled) {
    full.set(key, key);
    map.set(key, key);
  }
  const array = Array.from(full.values());
  const starts = shuffle(Array.from({ length: 100 }, (_, i) => i * ((N - RANGE) / 100)), 7);
  const rows: Row[] = [];
  const row = (name: string, ops: number, tree: () => number, baselineName: string, baseline: () => number, note?: string): void => {
    const [treeSeconds, baselineSeconds] = medians(tree, baseline);
    const r: Row = { name, value: ops / treeSeconds, unit: 'ops/s', baselineName, baselineValue: ops / baselineSeconds };
    rows.push(note === undefined ? r : { ...r, note });
  };

  row(
    'BTree.set 1M random keys into an empty tree',
    N,
    () => time(() => fill(new BTree<number, number>(byNumber), shuffled)),
    'Map.set 1M random keys',
    () => time(() => fillMap(new Map(), shuffled)),
  );
  row(
    'BTree.set 1M ascending keys into an empty tree',
    N,
    () => time(() => fill(new BTree<number, number>(byNumber), ascending)),
    'Map.set 1M ascending keys',
    () => time(() => fillMap(new Map(), ascending)),
  );
  row(
    'BTree.get 1M random keys in a 1M tree',
    N,
    () =>
      time(() => {
        let sum = 0;
        for (const key of shuffled) sum ^= full.get(key) as number;
        return sum;
      }),
    'Map.get 1M random keys in a 1M map',
    () =>
      time(() => {
        let sum = 0;
        for (const key of shuffled) sum ^= map.get(key) as number;
        return sum;
      }),
  );
  row(
    'BTree.values() full scan of 1M',
    N,
    () =>
      time(() => {
        let sum = 0;
        for (const value of full.values()) sum ^= value;
        return sum;
      }),
    'for loop over a 1M array',
    () => time(() => sumArray(array)),
  );
  row(
    'BTree.forEachRange full scan of 1M',
    N,
    () =>
      time(() => {
        let sum = 0;
        full.forEachRange(undefined, undefined, (_key, value) => {
          sum ^= value;
        });
        return sum;
      }),
    'for loop over a 1M array',
    () => time(() => sumArray(array)),
  );
  row(
    'BTree.values(lo, hi) 10k-entry range in a 1M tree',
    RANGE * starts.length,
    () =>
      time(() => {
        let sum = 0;
        for (const start of starts) {
          for (const value of full.values({ key: start, inclusive: true }, { key: start + RANGE, inclusive: false })) sum ^= value;
        }
        return sum;
      }),
    'for loop over a 10k slice of a 1M array',
    () =>
      time(() => {
        let sum = 0;
        for (const start of starts) for (let i = start; i < start + RANGE; i++) sum ^= array[i] as number;
        return sum;
      }),
    `${starts.length} ranges per run, seek included`,
  );
  if (sink === -1) console.log('unreachable'); // keeps results observable so loops are not optimised away
  return rows;
}

/** Results of measured work, kept so the work cannot be optimised away. */
let sink = 0;

function sumArray(array: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < array.length; i++) sum ^= array[i] as number;
  return sum;
}

function fill(tree: BTree<number, number>, keys: readonly number[]): number {
  for (const key of keys) tree.set(key, key);
  return tree.size;
}

function fillMap(map: Map<number, number>, keys: readonly number[]): number {
  for (const key of keys) map.set(key, key);
  return map.size;
}

/** Seconds one call of `fn` takes; its result goes to {@link sink}. */
function time(fn: () => number): number {
  const start = performance.now();
  sink += fn();
  return (performance.now() - start) / 1000;
}

/**
 * Median seconds over {@link RUNS} runs of each measurement, after one warm-up
 * run each. Runs alternate so that load from other processes hits both alike.
 */
function medians(a: () => number, b: () => number): [number, number] {
  a();
  b();
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    as.push(a());
    bs.push(b());
  }
  return [median(as), median(bs)];
}

function median(samples: number[]): number {
  return samples.sort((x, y) => x - y)[samples.length >> 1] as number;
}

/** Fisher–Yates shuffle with a fixed seed, so every run sees the same order. */
function shuffle(items: number[], seed: number): number[] {
  let state = seed;
  for (let i = items.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j] as number, items[i] as number];
  }
  return items;
}
