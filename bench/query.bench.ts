/**
 * Query-layer benchmarks: the cost of a one-row transaction with 1,000 live
 * queries (target ≤ 50 µs, flat from 10k to 1M rows), and one-off indexed
 * queries at 1M rows beside the forced full scan of the same query.
 */
import { QueryEngine } from '../lib/query/query-engine';
import { schema } from '../lib/schema/schema';
import { table } from '../lib/schema/table';
import { t } from '../lib/schema/type-builders';
import { Store } from '../lib/store/store';

/** One line of the benchmark table. */
type BenchRow = { name: string; value: number; unit: string; baselineName: string; baselineValue: number; note?: string };

const bench = schema({
  entry: table({ name: 'entry', public: true }, { id: t.u32().primaryKey(), room: t.u32().index('btree'), score: t.u32().index('btree'), label: t.string() }),
});

const ROOMS = 1000;
const SCORES = 1_000_000;
const RUNS = 7;
const TX_PER_RUN = 2000;

/** Runs every query benchmark; sizes default to 10k, 100k and 1M rows. */
export async function run(sizes: readonly number[] = [10_000, 100_000, 1_000_000]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [calibration()];
  for (const size of sizes) {
    const store = load(size);
    const bare = transactionMicros(store, size, 'none');
    rows.push({
      name: `one-row tx, 1,000 live queries, ${label(size)} rows`,
      value: transactionMicros(store, size, 'uniform'),
      unit: 'µs/tx',
      baselineName: 'same tx, 0 live queries',
      baselineValue: bare,
      note: '700 × room = k, 300 × score > k, k uniform: each row wakes and is delivered to ~151 of them',
    });
    rows.push({
      name: `one-row tx, 1,000 live queries (few match), ${label(size)} rows`,
      value: transactionMicros(store, size, 'high'),
      unit: 'µs/tx',
      baselineName: 'same tx, 0 live queries',
      baselineValue: bare,
      note: '700 × room = k, 300 × score > k, k in the top 10%: each row wakes ~16 of them',
    });
    if (size === sizes[sizes.length - 1]) rows.push(...oneOff(store, size));
    await Promise.resolve();
  }
  return rows;
}

/** How fast this machine is right now: the reference machine's "1M Map.set in 71 ms" (docs/testing.md). */
function calibration(): BenchRow {
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    const map = new Map<number, number>();
    for (let i = 0; i < 1_000_000; i++) map.set(i, i);
    samples.push(performance.now() - start);
  }
  return { name: 'calibration: 1M Map.set', value: median(samples), unit: 'ms', baselineName: 'reference machine (docs/testing.md)', baselineValue: 71, note: 'ratio > 1 means this run was slower than the reference' };
}

function label(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
}

/** A deterministic spread of scores. */
function scoreOf(i: number): number {
  return (Math.imul(i + 1, 2654435761) >>> 0) % SCORES;
}

function load(size: number): Store {
  const store = new Store(bench.tables);
  const entry = store.table('entry');
  const tx = store.begin();
  for (let i = 0; i < size; i++) entry.insertPrepared(entry.prepare({ id: i, room: i % ROOMS, score: scoreOf(i), label: `e${i}` }, tx), tx);
  store.commit();
  return store;
}

/** Median µs of one committed one-row insert, its diff applied to the live queries (or to none). */
function transactionMicros(store: Store, size: number, thresholds: 'none' | 'uniform' | 'high'): number {
  const engine = new QueryEngine(store);
  // Only the unsubscribe functions: holding 300 initial results of `score > k` at 1M rows
  // (~150M row references) would make the GC, not the query layer, the thing measured.
  const subs: (() => void)[] = [];
  let delivered = 0;
  if (thresholds !== 'none') {
    const from = thresholds === 'uniform' ? 0 : SCORES * 0.9;
    for (let k = 0; k < 700; k++) subs.push(engine.subscribe(`SELECT * FROM entry WHERE room = ${k}`, {}, () => delivered++).unsubscribe);
    for (let k = 0; k < 300; k++) subs.push(engine.subscribe(`SELECT * FROM entry WHERE score > ${Math.floor(from + (k * (SCORES - from)) / 300)}`, {}, () => delivered++).unsubscribe);
  }
  const entry = store.table('entry');
  // Fresh ids per run, so every measured transaction inserts a new row.
  let next = size + { none: 0, uniform: 1, high: 2 }[thresholds] * 1_000_000_000;
  const samples: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const start = performance.now();
    for (let i = 0; i < TX_PER_RUN; i++) {
      const id = next++;
      const tx = store.begin();
      entry.insertPrepared(entry.prepare({ id, room: (id * 7919) % ROOMS, score: scoreOf(id), label: 'new' }, tx), tx);
      store.commit();
      engine.applyDiff(tx.diff());
    }
    if (r > 0) samples.push(((performance.now() - start) * 1000) / TX_PER_RUN);
  }
  for (const unsubscribe of subs) unsubscribe();
  if (thresholds !== 'none' && delivered === 0) throw new Error('no change was delivered: the benchmark measures nothing');
  return median(samples);
}

function oneOff(store: Store, size: number): BenchRow[] {
  const engine = new QueryEngine(store);
  const lo = 500_000;
  const cases: [string, string, string][] = [
    ['point query (primary key =)', `SELECT * FROM entry WHERE id = ${Math.floor(size / 2)}`, '1 row'],
    ['range query on a B-tree column', `SELECT * FROM entry WHERE score >= ${lo} AND score < ${lo + Math.round((SCORES * 1000) / size)}`, ''],
    ['top-10 by an indexed column', 'SELECT * FROM entry ORDER BY score DESC LIMIT 10', ''],
  ];
  return cases.map(([name, sql, note]) => {
    const planned = micros(() => engine.query(sql).rows.length);
    const scanned = micros(() => engine.query(sql, {}, { forceScan: true }).rows.length, 3);
    const count = engine.query(sql).rows.length;
    const perSecond = Math.round(1e6 / planned);
    return {
      name: `${name}, ${label(size)} rows`,
      value: planned,
      unit: 'µs/query',
      baselineName: 'forced full scan',
      baselineValue: scanned,
      note: `${note || `${count} rows`}; ${perSecond.toLocaleString('en-US')} queries/s; plan: ${engine.explain(sql).split('\n')[0]}`,
    };
  });
}

/** Median µs per call of `fn` after a warm-up (JIT, and the GC debt of loading), each sample long enough to time. */
function micros(fn: () => number, runs = RUNS): number {
  const warm = performance.now();
  let calls = 0;
  while (performance.now() - warm < 200 || calls < 3) {
    fn();
    calls++;
  }
  const once = (performance.now() - warm) / calls;
  const reps = Math.max(1, Math.min(20_000, Math.ceil(20 / once)));
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) fn();
    samples.push(((performance.now() - start) * 1000) / reps);
  }
  return median(samples);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
