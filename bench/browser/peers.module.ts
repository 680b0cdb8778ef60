// The module of the peer benchmarks: pings that carry the time their call was
// made (latency, sustained calls), and the benchmark rows with a bulk fill (catch-up).
import { schema, t, table } from 'lockstep';
import { itemRow } from './rows';

const pings = table({ name: 'ping', public: true }, { id: t.u32().primaryKey(), sentAt: t.f64() });
const item = table({ name: 'item', public: true }, { id: t.u32().primaryKey(), owner: t.u32().index('btree'), label: t.string(), amount: t.f64() });

const db = schema({ ping: pings, item });
export default db;

/** Inserts one ping; `sentAt` is `performance.timeOrigin + performance.now()` in the calling page, in ms. */
export const ping = db.reducer({ id: t.u32(), sentAt: t.f64() }, (ctx, row) => {
  ctx.db.ping.insert(row);
});

/** Inserts rows `from` .. `from + count - 1` in one transaction. */
export const fill = db.reducer({ from: t.u32(), count: t.u32() }, (ctx, { from, count }) => {
  for (let id = from; id < from + count; id++) ctx.db.item.insert(itemRow(id));
});
