// The module of the room tests: markers that show a call applied twice, the inventory race, who is online.
import { SenderError } from '../errors';
import { loadModule } from '../schema/module';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';

const marker = table({ name: 'marker', public: true }, { id: t.u64().primaryKey().autoInc(), call: t.string().index('btree') });
const item = table({ name: 'item', public: true }, { id: t.u32().primaryKey(), owner: t.option(t.identity()) });
const online = table({ name: 'online', public: true }, { connection: t.connectionId().primaryKey() });
const db = schema({ marker, item, online });
const reducers = {
  // Run once, by the browser that creates the room: its followers take it from the log.
  setup: db.init((ctx) => void ctx.db.item.insert({ id: 1000, owner: undefined })),
  connected: db.clientConnected((ctx) => void ctx.db.online.insert({ connection: ctx.connectionId! })),
  disconnected: db.clientDisconnected((ctx) => void ctx.db.online.connection.delete(ctx.connectionId!)),
  mark: db.reducer({ call: t.string() }, (ctx, { call }) => void ctx.db.marker.insert({ id: 0n, call })),
  add_item: db.reducer({ id: t.u32() }, (ctx, { id }) => void ctx.db.item.insert({ id, owner: undefined })),
  pick_up: db.reducer({ id: t.u32() }, (ctx, { id }) => {
    const row = ctx.db.item.id.find(id);
    if (row === null) throw new SenderError(`No item ${id}`);
    if (row.owner !== undefined) throw new SenderError(`Item ${id} is already owned`);
    ctx.db.item.id.update({ ...row, owner: ctx.sender });
  }),
};
export const roomModule = loadModule({ default: db, ...reducers });
// Version 2 adds a column: its peers are refused by version 1's and say which side is newer.
const item2 = table({ name: 'item', public: true }, { id: t.u32().primaryKey(), owner: t.option(t.identity()), color: t.string().default('grey') });
const db2 = schema({ marker, item: item2, online });
export const roomModuleV2 = loadModule({ default: db2, mark: db2.reducer({ call: t.string() }, (ctx, { call }) => void ctx.db.marker.insert({ id: 0n, call })) });

