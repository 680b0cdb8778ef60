// Inventory, pick-up and gold transfer. The acting player is derived from ctx.sender.
import { schema, SenderError, t, table, type ContextOf } from '../../index';

const player = table({ name: 'player', public: true }, {
  player_id: t.u32().primaryKey(),
  owner: t.identity().unique(),
  name: t.string(),
  gold: t.u32().default(0),
});

const item = table({ name: 'item', public: true }, {
  item_id: t.u32().primaryKey(),
  name: t.string(),
  owner_id: t.u32().optional().index('btree'),
  location_x: t.f32(),
  location_y: t.f32(),
});

const db = schema({ player, item });
export default db;

function me(ctx: ContextOf<typeof db>) {
  const row = ctx.db.player.owner.find(ctx.sender);
  if (row === null) throw new SenderError('Unauthorized: create a player first.');
  return row;
}

export const create_player = db.reducer({ player_id: t.u32(), name: t.string(), gold: t.u32() }, (ctx, { player_id, name, gold }) => {
  if (!name) throw new SenderError('Name cannot be empty');
  if (ctx.db.player.player_id.find(player_id) !== null) throw new SenderError('Player with this ID already exists');
  ctx.db.player.insert({ player_id, owner: ctx.sender, name, gold });
});

export const create_item = db.reducer({ item_id: t.u32(), name: t.string(), x: t.f32(), y: t.f32() }, (ctx, { item_id, name, x, y }) => {
  if (ctx.db.item.item_id.find(item_id) !== null) throw new SenderError('Item with this ID already exists');
  ctx.db.item.insert({ item_id, name, owner_id: undefined, location_x: x, location_y: y });
});

export const pick_up_item = db.reducer({ item_id: t.u32() }, (ctx, { item_id }) => {
  const player = me(ctx);
  const found = ctx.db.item.item_id.find(item_id);
  if (found === null) throw new SenderError(`Item with ID ${item_id} not found.`);
  if (found.owner_id !== undefined) throw new SenderError(`Item with ID ${item_id} is already owned by another player.`);
  ctx.db.item.item_id.update({ ...found, owner_id: player.player_id });
});

export const transfer_gold = db.reducer({ receiver_id: t.u32(), amount: t.u32() }, (ctx, { receiver_id, amount }) => {
  const from = me(ctx);
  const to = ctx.db.player.player_id.find(receiver_id);
  if (to === null) throw new SenderError(`Player with ID ${receiver_id} not found.`);
  if (from.gold < amount) throw new SenderError('Insufficient gold');
  ctx.db.player.player_id.update({ ...from, gold: from.gold - amount });
  // Re-read: the receiver may be the sender.
  const target = ctx.db.player.player_id.find(receiver_id)!;
  ctx.db.player.player_id.update({ ...target, gold: target.gold + amount });
});
