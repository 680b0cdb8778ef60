/**
 * Recovery benchmark in Node: loading a 100k-row snapshot (the cold open's CPU
 * work in the worker) beside decoding the same rows into an array, the least a
 * load can do. The table has a primary key and one non-unique index, like the
 * browser benchmarks' `item`.
 */
import { Reader, Writer } from '../lib/codec/buffer';
import { schema } from '../lib/schema/schema';
import { table as tableOf } from '../lib/schema/table';
import { t } from '../lib/schema/type-builders';
import { encodeSnapshot, loadSnapshot } from '../lib/log/snapshot';
import { Store } from '../lib/store/store';
import { Transaction } from '../lib/store/transaction';
import { GENESIS } from '../lib/log/entry';
import { itemRow } from './browser/rows';
import { perSecond, timeMs, type BenchRow } from './harness';

export async function run(): Promise<BenchRow[]> {
  const N = 100_000;
  // The browser benchmarks' `item` table (bench/browser/bench.module.ts).
  const item = tableOf({ name: 'item' }, { id: t.u32().primaryKey(), owner: t.u32().index('btree'), label: t.string(), amount: t.f64() });
  const tables = schema({ item }).tables;
  const source = new Store(tables);
  const table = source.table('item');
  const tx = new Transaction();
  for (let id = 0; id < N; id++) table.insertPrepared(table.prepare(itemRow(id), tx), tx);
  const chunks = encodeSnapshot(source, { seq: 1, epoch: 1, chain: GENESIS, ledger: new Map() });

  const loadMs = timeMs(() => loadSnapshot(new Store(tables), chunks), 5);
  // The floor: the same rows decoded from one buffer of their encodings into an array.
  const w = new Writer(64 * N);
  for (const row of table.scan()) table.codec.encode(w, row);
  const bytes = w.finish();
  const decodeMs = timeMs(() => {
    const r = new Reader(bytes);
    const out: unknown[] = [];
    for (let i = 0; i < N; i++) out.push(table.codec.decode(r));
    return out;
  }, 5);
  return [
    {
      group: 'recovery',
      name: `load a ${N / 1000}k-row snapshot (PK + 1 index)`,
      value: perSecond(N, loadMs),
      unit: 'rows/s',
      baselineName: 'decode the rows only',
      baselineValue: perSecond(N, decodeMs),
      note: `${chunks.length} chunks, ${(chunks.reduce((s, c) => s + c.length, 0) / 1e6).toFixed(1)} MB`,
    },
  ];
}
