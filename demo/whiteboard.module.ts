// The shared whiteboard: strokes committed on pointer-up, everyone's live cursor,
// and a board owner who alone may wipe the board. Every identity is ctx.sender.
import { schema, SenderError, t, table, type ReducerCtx } from 'lockstep';

/** The board's width in board units; the canvas scales the board to fit the page. */
export const BOARD_WIDTH = 960;
/** The board's height in board units. */
export const BOARD_HEIGHT = 600;
/** The most points (x, y pairs) one stroke may hold; the page starts a new stroke past it. */
export const MAX_POINTS = 1000;
/** The thinnest pen, in board units. */
export const MIN_WIDTH = 1;
/** The thickest pen, in board units. */
export const MAX_WIDTH = 40;
/** Cursor colours, one picked per connection with ctx.random(). */
export const CURSOR_COLORS = ['#e63946', '#2a9d8f', '#457b9d', '#f4a261', '#8e44ad', '#2b9348', '#d62f8c', '#1d3557'] as const;

/** The one row that says who owns the board: the first identity that connected to it. */
const board = table({ name: 'board', public: true }, {
  id: t.u8().primaryKey(),
  owner: t.identity(),
  created: t.timestamp(),
});

/** A committed stroke: `points` is flat, `[x0, y0, x1, y1, …]`, in board units. */
const stroke = table({ name: 'stroke', public: true }, {
  id: t.u64().primaryKey().autoInc(),
  author: t.identity().index('btree'),
  color: t.string(),
  width: t.u8(),
  points: t.array(t.f32()),
  created: t.timestamp(),
});

/** Where each open connection's pointer is; the row lives as long as the connection. */
const cursor = table({ name: 'cursor', public: true }, {
  connection: t.connectionId().primaryKey(),
  identity: t.identity(),
  color: t.string(),
  x: t.f32(),
  y: t.f32(),
  visible: t.bool(),
});

const db = schema({ board, stroke, cursor });
export default db;

/** The board row's key: there is only ever one. */
const BOARD_ID = 0;

/** Makes the first identity to connect the board's owner, and gives the connection a hidden cursor of a random colour. */
export const connected = db.clientConnected((ctx) => {
  if (ctx.db.board.id.find(BOARD_ID) === null) ctx.db.board.insert({ id: BOARD_ID, owner: ctx.sender, created: ctx.timestamp });
  if (ctx.connectionId === null || ctx.db.cursor.connection.find(ctx.connectionId) !== null) return;
  const color = CURSOR_COLORS[ctx.random.integerInRange(0, CURSOR_COLORS.length - 1)]!;
  ctx.db.cursor.insert({ connection: ctx.connectionId, identity: ctx.sender, color, x: 0, y: 0, visible: false });
});

/** Removes the connection's cursor. */
export const disconnected = db.clientDisconnected((ctx) => {
  if (ctx.connectionId !== null) ctx.db.cursor.connection.delete(ctx.connectionId);
});

/** Adds a stroke by the caller; a malformed one is refused with a SenderError saying what is wrong (see {@link checkStroke}). */
export const add_stroke = db.reducer({ color: t.string(), width: t.u8(), points: t.array(t.f32()) }, (ctx, { color, width, points }) => {
  checkStroke(color, width, points);
  ctx.db.stroke.insert({ id: 0n, author: ctx.sender, color: color.toLowerCase(), width, points, created: ctx.timestamp });
});

/** Removes every stroke of the caller, for everyone; the others' strokes stay. */
export const clear_my_strokes = db.reducer((ctx) => {
  ctx.db.stroke.author.delete(ctx.sender);
});

/** Removes every stroke on the board: the board's owner only. */
export const clear_board = db.reducer((ctx) => {
  const row = ctx.db.board.id.find(BOARD_ID);
  if (row === null) throw new SenderError('The board has no owner yet, so nobody may clear it');
  if (!row.owner.isEqual(ctx.sender)) {
    throw new SenderError(`Only the board's owner (${short(row.owner)}) can clear the board; "Clear my strokes" removes your own`);
  }
  for (const s of ctx.db.stroke) ctx.db.stroke.delete(s);
});

/** Moves the calling connection's cursor to a point on the board and shows it. */
export const move_cursor = db.reducer({ x: t.f32(), y: t.f32() }, (ctx, { x, y }) => {
  checkPoint(x, y, 'The cursor');
  const row = myCursor(ctx);
  ctx.db.cursor.connection.update({ ...row, x, y, visible: true });
});

/** Hides the calling connection's cursor (its pointer left the board). */
export const hide_cursor = db.reducer((ctx) => {
  const row = myCursor(ctx);
  if (row.visible) ctx.db.cursor.connection.update({ ...row, visible: false });
});

/**
 * Throws a SenderError naming what is wrong with a stroke: colour, width, or
 * points (none, an odd count, too many, or one off the board).
 */
export function checkStroke(color: string, width: number, points: readonly number[]): void {
  if (!/^#[0-9a-f]{6}$/i.test(color)) throw new SenderError(`Color ${JSON.stringify(color)} is not a #rrggbb hex color`);
  if (!Number.isInteger(width) || width < MIN_WIDTH || width > MAX_WIDTH) throw new SenderError(`Width ${width} is out of range: use ${MIN_WIDTH} to ${MAX_WIDTH}`);
  if (points.length === 0) throw new SenderError('A stroke needs at least one point');
  if (points.length % 2 !== 0) throw new SenderError(`A stroke's points are x, y pairs, but it has ${points.length} coordinates (an odd count)`);
  if (points.length / 2 > MAX_POINTS) throw new SenderError(`A stroke has at most ${MAX_POINTS} points; this one has ${points.length / 2}`);
  for (let i = 0; i < points.length; i += 2) checkPoint(points[i]!, points[i + 1]!, `Point ${i / 2}`);
}

function checkPoint(x: number, y: number, what: string): void {
  if (!(x >= 0 && x <= BOARD_WIDTH && y >= 0 && y <= BOARD_HEIGHT)) {
    throw new SenderError(`${what} (x=${x}, y=${y}) is outside the ${BOARD_WIDTH}×${BOARD_HEIGHT} board`);
  }
}

function myCursor(ctx: ReducerCtx<typeof db.schemaType>) {
  if (ctx.connectionId === null) throw new SenderError('Only a connection has a cursor');
  const row = ctx.db.cursor.connection.find(ctx.connectionId);
  if (row === null) throw new SenderError(`Connection ${ctx.connectionId} has no cursor: it is not connected to the board`);
  return row;
}

/** The first digits of an identity, as the page shows it. */
export const short = (identity: { toHexString(): string }): string => `${identity.toHexString().slice(0, 8)}…`;
