// The cursor game's page: draws the replicated board on a canvas and sends this
// player's mouse position, at most one move in flight and at most one per frame.
import type { LockstepError } from 'lockstep';
import { $, openDemo, run } from './common';
import { BOARD, COIN_RADIUS, PLAYER_RADIUS } from './game.module';
import type * as game from './game.module';

interface Point {
  readonly x: number;
  readonly y: number;
}

const canvas = $<HTMLCanvasElement>('board');
const error = $<HTMLDivElement>('error');
const meLine = $<HTMLElement>('me');
const counts = $<HTMLElement>('counts');
const scoreboard = $<HTMLOListElement>('scoreboard');
const paint = canvas.getContext('2d')!;

const conn = await openDemo<typeof game>({
  database: 'demo-game',
  worker: () => new Worker(new URL('./game.worker.ts', import.meta.url), { type: 'module' }),
});

// Sharp on high-density screens: the backing store has one pixel per device pixel.
const scale = window.devicePixelRatio || 1;
canvas.width = BOARD.width * scale;
canvas.height = BOARD.height * scale;

/** Where this player's mouse is: drawn at once, before the move reaches the log. */
let pointer: Point | undefined;
/** The latest position not sent yet; positions in between are dropped. */
let pending: Point | undefined;
let inFlight = false;
let dirty = true;

canvas.addEventListener('pointermove', (event) => {
  const rect = canvas.getBoundingClientRect();
  const clamp = (v: number, max: number): number => Math.min(max, Math.max(0, Math.round(v)));
  pointer = {
    x: clamp(((event.clientX - rect.left) * BOARD.width) / rect.width, BOARD.width),
    y: clamp(((event.clientY - rect.top) * BOARD.height) / rect.height, BOARD.height),
  };
  pending = pointer;
  dirty = true;
});

const changed = (): void => {
  dirty = true;
};
for (const table of [conn.db.player, conn.db.coin]) {
  table.onInsert(changed);
  table.onUpdate(changed);
  table.onDelete(changed);
}
for (const table of [conn.db.player, conn.db.score]) {
  table.onInsert(renderScores);
  table.onUpdate(renderScores);
  table.onDelete(renderScores);
}

await conn.subscribe(['SELECT * FROM player', 'SELECT * FROM coin', 'SELECT * FROM score ORDER BY points DESC LIMIT 5']).applied;
renderScores();
requestAnimationFrame(frame);

/** Once a frame: send the latest mouse position if no move is in flight, and redraw if anything changed. */
function frame(): void {
  if (pending !== undefined && !inFlight && conn.db.player.identity.find(conn.identity) !== null) {
    const { x, y } = pending;
    pending = undefined;
    inFlight = true;
    conn.reducers
      .move_player({ x, y })
      .then(() => (error.textContent = ''), (e: unknown) => (error.textContent = (e as LockstepError).message))
      .finally(() => (inFlight = false));
  }
  if (dirty) {
    dirty = false;
    draw();
  }
  requestAnimationFrame(frame);
}

function draw(): void {
  paint.setTransform(scale, 0, 0, scale, 0, 0);
  paint.fillStyle = '#fbfbfd';
  paint.fillRect(0, 0, BOARD.width, BOARD.height);
  paint.strokeStyle = '#eceef3';
  paint.lineWidth = 1;
  paint.beginPath();
  for (let x = 40; x < BOARD.width; x += 40) paint.rect(x, 0, 0, BOARD.height);
  for (let y = 40; y < BOARD.height; y += 40) paint.rect(0, y, BOARD.width, 0);
  paint.stroke();

  for (const c of conn.db.coin) {
    circle(c, COIN_RADIUS, '#f4b400');
    paint.strokeStyle = '#b07f00';
    paint.lineWidth = 1.5;
    paint.stroke();
  }
  // Others first, this player last, so one's own circle is never hidden.
  const players = [...conn.db.player].filter((p) => p.online);
  players.sort((a, b) => Number(a.identity.isEqual(conn.identity)) - Number(b.identity.isEqual(conn.identity)));
  for (const p of players) {
    const mine = p.identity.isEqual(conn.identity);
    const at = mine && pointer !== undefined ? pointer : p;
    circle(at, PLAYER_RADIUS, p.color);
    paint.strokeStyle = mine ? '#222' : '#fff';
    paint.lineWidth = 2;
    paint.stroke();
    paint.fillStyle = '#333';
    paint.font = '12px system-ui, sans-serif';
    paint.textAlign = 'center';
    // The name sits above the circle, kept inside the board (below it at the top edge).
    const label = mine ? `${p.name} (you)` : p.name;
    const half = paint.measureText(label).width / 2;
    const above = at.y - PLAYER_RADIUS - 5;
    paint.fillText(label, Math.min(BOARD.width - half - 2, Math.max(half + 2, at.x)), above < 12 ? at.y + PLAYER_RADIUS + 14 : above);
  }
  const coins = conn.db.coin.count();
  counts.textContent = `${players.length} online · ${coins} coin${coins === 1 ? '' : 's'} on the board`;
}

/** Fills a circle and leaves it as the current path (for an outline). */
function circle(at: Point, radius: number, color: string): void {
  paint.beginPath();
  paint.arc(at.x, at.y, radius, 0, Math.PI * 2);
  paint.fillStyle = color;
  paint.fill();
}

function swatch(color: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'swatch';
  span.style.background = color;
  return span;
}

/** The top 5 by points: the subscription keeps only them in `conn.db.score`; the cache iterates by key, so sort here. */
function renderScores(): void {
  const top = [...conn.db.score].sort((a, b) => b.points - a.points || (a.identity < b.identity ? -1 : 1));
  scoreboard.replaceChildren(
    ...top.map((s, rank) => {
      const p = conn.db.player.identity.find(s.identity);
      const li = document.createElement('li');
      if (p !== null && !p.online) li.className = 'offline';
      const label = (p?.name ?? `${s.identity.toHexString().slice(0, 8)}…`) + (s.identity.isEqual(conn.identity) ? ' (you)' : p !== null && !p.online ? ' (offline)' : '');
      li.append(
        Object.assign(document.createElement('span'), { className: 'rank', textContent: `${rank + 1}.` }),
        swatch(p?.color ?? '#ccc'),
        Object.assign(document.createElement('span'), { className: 'name', textContent: label }),
        Object.assign(document.createElement('span'), { className: 'points', textContent: String(s.points) }),
      );
      return li;
    }),
  );
  const me = conn.db.player.identity.find(conn.identity);
  if (me === null) return;
  const mine = conn.db.score.identity.find(conn.identity);
  meLine.replaceChildren(swatch(me.color), `You are ${me.name}`, mine === null ? '' : ` · ${mine.points} point${mine.points === 1 ? '' : 's'}`);
}
