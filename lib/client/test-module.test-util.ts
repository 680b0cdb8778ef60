// A small module for the client's tests: a table with a primary key, a unique
// column and an index; a table without a primary key and a two-column index;
// a private table; callable, lifecycle reducers.
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';

const player = table({ name: 'player', public: true }, {
  id: t.u32().primaryKey(),
  owner: t.identity().unique(),
  name: t.string(),
  gold: t.u32().index('btree'),
});

const score = table({ name: 'score', public: true, indexes: [{ accessor: 'by_player_level', algorithm: 'btree', columns: ['player', 'level'] }] }, {
  player: t.u32(),
  level: t.u32(),
  points: t.i64(),
});

const secret = table({ name: 'secret' }, { id: t.u32().primaryKey() });

const db = schema({ player, score, secret });
export default db;

export const add_player = db.reducer({ id: t.u32(), name: t.string(), gold: t.u32() }, (ctx, { id, name, gold }) => {
  ctx.db.player.insert({ id, owner: ctx.sender, name, gold });
});

export const set_gold = db.reducer({ id: t.u32(), gold: t.u32() }, (ctx, { id, gold }) => {
  const row = ctx.db.player.id.find(id);
  if (row !== null) ctx.db.player.id.update({ ...row, gold });
});

export const add_score = db.reducer({ player: t.u32(), level: t.u32(), points: t.i64() }, (ctx, args) => {
  ctx.db.score.insert(args);
});

export const reset = db.reducer(() => {});

export const setup = db.init(() => {});
