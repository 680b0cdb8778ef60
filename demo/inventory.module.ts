// The inventory race: one sword, many players; the first pick-up the authority orders wins and
// every later one is refused. Plus gold: 100 to each new player, moved only by transfers, so the
// world's total only grows when someone joins. The acting player is always ctx.sender.
import { schema, SenderError, t, table, type ReducerCtx } from 'lockstep';

/** The gold each player starts with. */
export const STARTING_GOLD = 100;
/** The one item of the race. */
export const SWORD_ID = 1;

const player = table({ name: 'player', public: true }, {
  identity: t.identity().primaryKey(),
  name: t.string(),
  gold: t.u32(),
});
const item = table({ name: 'item', public: true }, {
  id: t.u32().primaryKey(),
  name: t.string(),
  owner: t.option(t.identity()),
});

const db = schema({ player, item });
export default db;

type Ctx = ReducerCtx<typeof db.schemaType>;

const NAMES = ['Ada', 'Bjorn', 'Chiara', 'Dmitri', 'Elif', 'Farah', 'Goran', 'Hana', 'Ines', 'Jonas', 'Kenji', 'Lucia'];

/** A player who connects for the first time gets a name and 100 gold; the first one also lays the sword down. */
export const connected = db.clientConnected((ctx) => {
  if (ctx.db.player.identity.find(ctx.sender) === null) {
    ctx.db.player.insert({ identity: ctx.sender, name: freshName(ctx), gold: STARTING_GOLD });
  }
  if (ctx.db.item.id.find(SWORD_ID) === null) ctx.db.item.insert({ id: SWORD_ID, name: 'sword', owner: undefined });
});

/** Picks the item up for the caller: refused when someone (the caller included) already has it. */
export const pick_up = db.reducer({ id: t.u32() }, (ctx, { id }) => {
  const me = playerOf(ctx);
  const row = ctx.db.item.id.find(id);
  if (row === null) throw new SenderError(`Item ${id} not found`);
  if (row.owner?.isEqual(ctx.sender)) throw new SenderError(`You already have the ${row.name}`);
  if (row.owner !== undefined) throw new SenderError(`The ${row.name} is already owned by ${ctx.db.player.identity.find(row.owner)?.name ?? row.owner}`);
  ctx.db.item.id.update({ ...row, owner: me.identity });
});

/** Puts the item back on the ground so the race can be run again (anyone may). */
export const reset_item = db.reducer({ id: t.u32() }, (ctx, { id }) => {
  const row = ctx.db.item.id.find(id);
  if (row === null) throw new SenderError(`Item ${id} not found`);
  if (row.owner === undefined) throw new SenderError(`The ${row.name} is already on the ground`);
  ctx.db.item.id.update({ ...row, owner: undefined });
});

/**
 * Sends gold from the caller to another player, all or nothing. `amount` is a plain number so
 * that a fraction, a negative or NaN reaches this check and gets an answer naming it.
 */
export const transfer_gold = db.reducer({ to: t.identity(), amount: t.f64() }, (ctx, { to, amount }) => {
  const me = playerOf(ctx);
  if (!Number.isInteger(amount)) throw new SenderError(`Send a whole number of gold, not ${amount}`);
  if (amount <= 0) throw new SenderError(`Send at least 1 gold, not ${amount}`);
  if (to.isEqual(ctx.sender)) throw new SenderError('You cannot send gold to yourself');
  const them = ctx.db.player.identity.find(to);
  if (them === null) throw new SenderError(`No player with identity ${to}`);
  if (amount > me.gold) throw new SenderError(`You have ${me.gold} gold: you cannot send ${amount}`);
  ctx.db.player.identity.update({ ...me, gold: me.gold - amount });
  ctx.db.player.identity.update({ ...them, gold: them.gold + amount });
});

function playerOf(ctx: Ctx) {
  const me = ctx.db.player.identity.find(ctx.sender);
  if (me === null) throw new SenderError('Player not found: connect first');
  return me;
}

/** A name like "Hana" that no other player has (past 20 draws, "Player <n>"). */
function freshName(ctx: Ctx): string {
  const taken = new Set([...ctx.db.player].map((p) => p.name));
  for (let i = 0; i < 20; i++) {
    const name = NAMES[ctx.random.integerInRange(0, NAMES.length - 1)]!;
    if (!taken.has(name)) return name;
  }
  return `Player ${Number(ctx.db.player.count()) + 1}`;
}
