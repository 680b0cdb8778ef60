// The module of the cross-tab benchmark: one table whose rows carry the time
// their call was made, so the tab that sees the insert can tell how long it took.
import { schema, t, table } from 'lockstep';

const pings = table(
  { name: 'ping', public: true },
  {
    id: t.u32().primaryKey(),
    /** `performance.timeOrigin + performance.now()` in the calling page, in ms. */
    sentAt: t.f64(),
  },
);

const db = schema({ ping: pings });
export default db;

/** Inserts one ping: the unit of the cross-tab latency benchmark. */
export const ping = db.reducer({ id: t.u32(), sentAt: t.f64() }, (ctx, row) => {
  ctx.db.ping.insert(row);
});
