import { QueryEngine } from '../lib/query/query-engine';
import { schema } from '../lib/schema/schema';
import { table } from '../lib/schema/table';
import { t } from '../lib/schema/type-builders';
import { Store } from '../lib/store/store';
const bench = schema({ entry: table({ name: 'entry', public: true }, { id: t.u32().primaryKey(), room: t.u32().index('btree'), score: t.u32().index('btree'), label: t.string() }) });
export default function main() {
  const store = new Store(bench.tables);
  const entry = store.table('entry');
  const tx0 = store.begin();
  for (let i = 0; i < 1_000_000; i++) entry.insertPrepared(entry.prepare({ id: i, room: i % 1000, score: (Math.imul(i + 1, 2654435761) >>> 0) % 1_000_000, label: `e${i}` }, tx0), tx0);
  store.commit();
  const engine = new QueryEngine(store);
  for (let r = 0; r < 6; r++) {
    let t0 = performance.now();
    for (let i = 0; i < 20000; i++) engine.query('SELECT * FROM entry WHERE id = 500000');
    const a = (performance.now() - t0) * 1000 / 20000;
    t0 = performance.now();
    for (let i = 0; i < 200; i++) engine.query('SELECT * FROM entry WHERE score >= 500000 AND score < 501000');
    const b = (performance.now() - t0) * 1000 / 200;
    t0 = performance.now();
    for (let i = 0; i < 20000; i++) store.table('entry').primary.get(500000);
    const c = (performance.now() - t0) * 1000 / 20000;
    console.log(`point ${a.toFixed(2)} µs  range ${b.toFixed(1)} µs  raw get ${c.toFixed(2)} µs`);
  }
}
