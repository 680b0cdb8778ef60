// The cursor game: each player is a coloured circle that follows its mouse; a game loop
// scheduled every 100 ms spawns coins and awards them to whoever touches one.
// Every identity comes from ctx.sender, every random choice from ctx.random().
import { schema, ScheduleAt, SenderError, t, table, type ReducerCtx } from 'lockstep';

/** The board, in board units (the canvas draws one unit per CSS pixel). */
export const BOARD = { width: 800, height: 480 } as const;
/** A player's circle radius. */
export const PLAYER_RADIUS = 15;
/** A coin's radius. */
export const COIN_RADIUS = 8;
/** At most this many coins lie on the board at once. */
export const MAX_COINS = 5;
/** The game loop's period: 100 ms, in microseconds. */
export const TICK_MICROS = 100_000n;
/** The chance that a tick spawns a coin while the board has room for one (about two coins a second). */
const SPAWN_CHANCE = 0.2;

const player = table({ name: 'player', public: true }, {
  identity: t.identity().primaryKey(),
  name: t.string(),
  color: t.string(),
  x: t.f32(),
  y: t.f32(),
  online: t.bool(),
});
// One row per open connection, so a player with two tabs stays online until both close.
const session = table({ name: 'session' }, {
  connection: t.connectionId().primaryKey(),
  identity: t.identity().index('btree'),
});
// Scores live apart from positions so that a top-N subscription over them holds only the leaders.
const score = table({ name: 'score', public: true }, {
  identity: t.identity().primaryKey(),
  points: t.u32().index('btree'),
});
const coin = table({ name: 'coin', public: true }, {
  id: t.u64().primaryKey().autoInc(),
  x: t.f32(),
  y: t.f32(),
});
const tick = table({ name: 'tick_schedule' }, {
  scheduled_id: t.u64().primaryKey().autoInc(),
  scheduled_at: t.scheduleAt(),
});

const db = schema({ player, session, score, coin, tick });
export default db;

type Ctx = ReducerCtx<typeof db.schemaType>;

const ANIMALS = ['Otter', 'Falcon', 'Lynx', 'Heron', 'Badger', 'Panda', 'Koala', 'Gecko', 'Puffin', 'Orca', 'Bison', 'Raven'];

/** A player joins (with a colour and a place of their own the first time) and goes online; the first one starts the game loop. */
export const connected = db.clientConnected((ctx) => {
  if (ctx.connectionId !== null) ctx.db.session.insert({ connection: ctx.connectionId, identity: ctx.sender });
  const me = ctx.db.player.identity.find(ctx.sender);
  if (me === null) {
    ctx.db.player.insert({
      identity: ctx.sender,
      name: freshName(ctx),
      color: hslToHex(playerHue(ctx), 0.7, 0.5),
      x: ctx.random.integerInRange(PLAYER_RADIUS, BOARD.width - PLAYER_RADIUS),
      y: ctx.random.integerInRange(PLAYER_RADIUS, BOARD.height - PLAYER_RADIUS),
      online: true,
    });
    ctx.db.score.insert({ identity: ctx.sender, points: 0 });
  } else if (!me.online) {
    ctx.db.player.identity.update({ ...me, online: true });
  }
  if (Number(ctx.db.tick.count()) === 0) ctx.db.tick.insert({ scheduled_id: 0n, scheduled_at: ScheduleAt.interval(TICK_MICROS) });
});

/** A connection closes: its player goes offline once no other connection of theirs is open. */
export const disconnected = db.clientDisconnected((ctx) => {
  if (ctx.connectionId !== null) ctx.db.session.connection.delete(ctx.connectionId);
  const me = ctx.db.player.identity.find(ctx.sender);
  if (me !== null && me.online && [...ctx.db.session.identity.filter(ctx.sender)].length === 0) {
    ctx.db.player.identity.update({ ...me, online: false });
  }
});

/** Moves the caller's own circle to (x, y) on the board. */
export const move_player = db.reducer({ x: t.f32(), y: t.f32() }, (ctx, { x, y }) => {
  const me = ctx.db.player.identity.find(ctx.sender);
  if (me === null) throw new SenderError('Player not found: connect before moving');
  if (!Number.isFinite(x) || x < 0 || x > BOARD.width) throw new SenderError(`x must be between 0 and ${BOARD.width}, got ${x}`);
  if (!Number.isFinite(y) || y < 0 || y > BOARD.height) throw new SenderError(`y must be between 0 and ${BOARD.height}, got ${y}`);
  ctx.db.player.identity.update({ ...me, x, y });
});

/** The game loop (every 100 ms, run by the room's authority and replayed everywhere): spawn coins, award touched ones. */
export const game_tick = db.reducer({ onSchedule: tick }, { arg: tick.rowType }, (ctx) => {
  if (ctx.db.coin.count() < MAX_COINS && ctx.random() < SPAWN_CHANCE) {
    ctx.db.coin.insert({
      id: 0n,
      x: ctx.random.integerInRange(COIN_RADIUS, BOARD.width - COIN_RADIUS),
      y: ctx.random.integerInRange(COIN_RADIUS, BOARD.height - COIN_RADIUS),
    });
  }
  const reach = PLAYER_RADIUS + COIN_RADIUS;
  for (const p of ctx.db.player) {
    if (!p.online) continue;
    for (const c of ctx.db.coin) {
      if ((p.x - c.x) ** 2 + (p.y - c.y) ** 2 > reach ** 2) continue;
      ctx.db.coin.id.delete(c.id);
      const s = ctx.db.score.identity.find(p.identity);
      if (s === null) ctx.db.score.insert({ identity: p.identity, points: 1 });
      else ctx.db.score.identity.update({ ...s, points: s.points + 1 });
    }
  }
});

/** A name like "Otter 42" that no other player has (it gives up after 20 draws and takes a number past 99). */
function freshName(ctx: Ctx): string {
  const taken = new Set([...ctx.db.player].map((p) => p.name));
  for (let i = 0; i < 20; i++) {
    const name = `${ANIMALS[ctx.random.integerInRange(0, ANIMALS.length - 1)]} ${ctx.random.integerInRange(10, 99)}`;
    if (!taken.has(name)) return name;
  }
  return `Player ${Number(ctx.db.player.count()) + 100}`;
}

/** A random hue in degrees, skipping the coins' gold (35–65°) so a player never looks like a coin. */
function playerHue(ctx: Ctx): number {
  const hue = ctx.random.integerInRange(0, 329);
  return hue < 35 ? hue : hue + 30;
}

/** `#rrggbb` for a hue in degrees and saturation, lightness in [0, 1]: hex so the page can compare canvas pixels with it. */
function hslToHex(hue: number, saturation: number, lightness: number): string {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number): string => {
    const k = (n + hue / 30) % 12;
    const value = lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
