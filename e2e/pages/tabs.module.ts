// The module the multi-tab tests run: per-call markers that show a call applied twice,
// the inventory race, and who is online (clientConnected / clientDisconnected across tabs).
import { schema, SenderError, t, table } from 'lockstep';

// One marker and one pair per burst call, in one transaction. `call` is not unique, so a call applied twice shows as two markers.
const marker = table({ name: 'marker', public: true }, { id: t.u64().primaryKey().autoInc(), call: t.u32().index('btree'), batch: t.u32() });
const pair = table({ name: 'pair', public: true }, { id: t.u64().primaryKey().autoInc(), call: t.u32().index('btree') });
const item = table({ name: 'item', public: true }, { id: t.u32().primaryKey(), name: t.string(), owner: t.option(t.connectionId()) });
const online = table({ name: 'online', public: true }, { connection: t.connectionId().primaryKey() });

const db = schema({ marker, pair, item, online });
export default db;

export const connected = db.clientConnected((ctx) => {
  if (ctx.connectionId !== null) ctx.db.online.insert({ connection: ctx.connectionId });
});

export const disconnected = db.clientDisconnected((ctx) => {
  if (ctx.connectionId !== null) ctx.db.online.connection.delete(ctx.connectionId);
});

export const burst = db.reducer({ id: t.u32(), batch: t.u32() }, (ctx, { id, batch }) => {
  ctx.db.marker.insert({ id: 0n, call: id, batch });
  ctx.db.pair.insert({ id: 0n, call: id });
});

export const add_item = db.reducer({ id: t.u32(), name: t.string() }, (ctx, { id, name }) => {
  ctx.db.item.insert({ id, name, owner: undefined });
});

/** The inventory race: the first pick-up wins, every later one is refused. */
export const pick_up = db.reducer({ id: t.u32() }, (ctx, { id }) => {
  const row = ctx.db.item.id.find(id);
  if (row === null) throw new SenderError(`No item ${id}`);
  if (row.owner !== undefined) throw new SenderError(`Item ${id} is already owned by ${row.owner}`);
  ctx.db.item.id.update({ ...row, owner: ctx.connectionId ?? undefined });
});
