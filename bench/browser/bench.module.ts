// The module the browser benchmarks run: one table of small rows with a primary
// key and one index, a one-row insert, and a bulk fill that makes its rows from ids.
import { schema, t, table } from 'lockstep';
import { itemRow } from './rows';

const item = table(
  { name: 'item', public: true },
  {
    id: t.u32().primaryKey(),
    owner: t.u32().index('btree'),
    label: t.string(),
    amount: t.f64(),
  },
);

const db = schema({ item });
export default db;

/** Inserts one row: the unit of the latency and throughput benchmarks. */
export const add_item = db.reducer({ id: t.u32(), owner: t.u32(), label: t.string(), amount: t.f64() }, (ctx, row) => {
  ctx.db.item.insert(row);
});

/** Inserts rows `from` .. `from + count - 1` in one transaction: bulk loading without shipping the rows. */
export const fill = db.reducer({ from: t.u32(), count: t.u32() }, (ctx, { from, count }) => {
  for (let id = from; id < from + count; id++) ctx.db.item.insert(itemRow(id));
});

/** Inserts the rows it is given in one transaction: bulk loading with the rows shipped, as the other databases get them. */
export const load = db.reducer({ rows: t.array(t.object('ItemRow', { id: t.u32(), owner: t.u32(), label: t.string(), amount: t.f64() })) }, (ctx, { rows }) => {
  for (const row of rows) ctx.db.item.insert(row);
});
