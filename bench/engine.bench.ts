/**
 * Engine benchmarks in Node: reducer calls, point lookups, range scans and the
 * fund-transfer workload, each beside a plain-JS baseline from the same process.
 */
import { Engine, type CallRequest } from '../lib/engine/engine';
import { install, uninstall } from '../lib/engine/guards';
import { Range } from '../lib/schema/range';
import { loadModule } from '../lib/schema/module';
import { schema } from '../lib/schema/schema';
import { table } from '../lib/schema/table';
import { t } from '../lib/schema/type-builders';
import type { Identity } from '../lib/schema/type-desc';
import * as compat from '../lib/testing/examples/compat.module';
import { perSecond, timeMs, type BenchRow } from './harness';

const SENDER = '00'.repeat(32) as Identity;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function itemModule() {
  const item = table({ name: 'item' }, {
    id: t.u64().primaryKey().autoInc(),
    owner: t.u32().index('btree'),
    name: t.string(),
    qty: t.u32(),
  });
  const db = schema({ item });
  return loadModule({
    default: db,
    add: db.reducer({ owner: t.u32(), name: t.string(), qty: t.u32() }, (ctx, row) => {
      ctx.db.item.insert({ id: 0n, ...row });
    }),
  });
}

/** Runs calls the way a host does: guards installed once per batch. */
function runBatch(engine: Engine, requests: readonly CallRequest[]): void {
  install(quiet);
  try {
    for (const request of requests) engine.call(request);
  } finally {
    uninstall();
  }
}

const request = (reducer: string, args: unknown): CallRequest => ({ reducer, args, sender: SENDER, connectionId: null, timestamp: 1n, seed: 1n });

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const group = 'engine';

  // One-row insert reducer into a table with a primary key and one B-tree index.
  const N = 100_000;
  const calls = Array.from({ length: N }, (_, i) => request('add', { owner: i % 1000, name: 'sword', qty: 3 }));
  const insertMs = timeMs(() => runBatch(new Engine(itemModule()), calls), 5);
  const mapMs = timeMs(() => {
    const map = new Map<number, object>();
    for (let i = 0; i < N; i++) map.set(i, { id: i, owner: i % 1000, name: 'sword', qty: 3 });
  }, 5);
  rows.push({ group, name: `insert reducer calls (${N / 1000}k into empty table, PK + index)`, value: perSecond(N, insertMs), unit: 'calls/s', baselineName: 'Map.set of the row', baselineValue: perSecond(N, mapMs) });

  // A 1M-row table for reads.
  const big = new Engine(itemModule());
  const M = 1_000_000;
  for (let from = 0; from < M; from += 100_000) runBatch(big, Array.from({ length: 100_000 }, (_, i) => request('add', { owner: (from + i) % 1000, name: 'sword', qty: 3 })));
  const items = big.db.item as { id: { find(v: bigint): unknown }; owner: { filter(r: unknown): Iterable<unknown> } };
  const ids = Array.from({ length: 100_000 }, (_, i) => BigInt(1 + ((i * 7919) % M)));
  const findMs = timeMs(() => {
    for (const id of ids) items.id.find(id);
  });
  const map = new Map<bigint, object>();
  for (let i = 1; i <= M; i++) map.set(BigInt(i), { i });
  const getMs = timeMs(() => {
    for (const id of ids) map.get(id);
  });
  rows.push({ group, name: 'point lookups by primary key (1M rows)', value: perSecond(ids.length, findMs), unit: 'lookups/s', baselineName: 'Map.get (bigint keys)', baselineValue: perSecond(ids.length, getMs) });

  // Range scan: 10 owners of 1000 = 10k rows out of 1M, through the B-tree index.
  let scanned = 0;
  const rangeMs = timeMs(() => {
    scanned = 0;
    for (const _ of items.owner.filter(Range.between(500, 509))) scanned++;
  });
  const array = Array.from({ length: scanned }, (_, i) => ({ i }));
  const arrayMs = timeMs(() => {
    let n = 0;
    for (const _ of array) n++;
    return n;
  });
  rows.push({ group, name: `range scan over a 1M-row index (${scanned} rows)`, value: perSecond(scanned, rangeMs), unit: 'rows/s', baselineName: 'array iteration', baselineValue: perSecond(scanned, arrayMs) });

  // The fund-transfer workload (a SpacetimeDB-style module, import changed only): 100k accounts.
  const bank = new Engine(loadModule(compat));
  runBatch(bank, [request('seed', { n: 100_000, initialBalance: 1_000_000n })]);
  const T = 100_000;
  const transfers = Array.from({ length: T }, (_, i) => request('transfer_with_audit', { from: (i * 7) % 100_000, to: (i * 13 + 1) % 100_000, amount: 1n, fraudLimit: 1000n }));
  const transferMs = timeMs(() => runBatch(bank, transfers), 3);
  const balances = new Map<number, bigint>();
  for (let i = 0; i < 100_000; i++) balances.set(i, 1_000_000n);
  const plainMs = timeMs(() => {
    for (const { args } of transfers) {
      const { from, to, amount } = args as { from: number; to: number; amount: bigint };
      balances.set(from, balances.get(from)! - amount);
      balances.set(to, balances.get(to)! + amount);
    }
  }, 3);
  rows.push({ group, name: 'fund transfers with audit row (100k accounts)', value: perSecond(T, transferMs), unit: 'transfers/s', baselineName: 'two Map updates', baselineValue: perSecond(T, plainMs) });
  return rows;
}
