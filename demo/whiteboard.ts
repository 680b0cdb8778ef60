// The whiteboard page: draws committed strokes on a canvas, previews the stroke
// being drawn, sends this pointer's position once per animation frame, and shows
// the other connections' cursors as labelled dots.
import { $, openDemo, run } from './common';
import { BOARD_HEIGHT, BOARD_WIDTH, MAX_POINTS, short } from './whiteboard.module';
import type * as whiteboard from './whiteboard.module';

/** What painting a stroke needs. */
interface Ink {
  readonly color: string;
  readonly width: number;
  readonly points: readonly number[];
}

const BACKGROUND = '#ffffff';
const SWATCHES = ['#e63946', '#f4a261', '#2a9d8f', '#457b9d', '#8e44ad', '#222222'];

const surface = $<HTMLDivElement>('surface');
const cursors = $<HTMLDivElement>('cursors');
const colorInput = $<HTMLInputElement>('color');
const widthInput = $<HTMLInputElement>('width');
const board = layer($<HTMLCanvasElement>('board'));
const preview = layer($<HTMLCanvasElement>('preview'));

const conn = await openDemo<typeof whiteboard>({
  database: 'demo-whiteboard',
  worker: () => new Worker(new URL('./whiteboard.worker.ts', import.meta.url), { type: 'module' }),
});

// ---- Committed strokes: painted one by one as they arrive, repainted whole when one leaves ----

let paintedUpTo = -1n;
let repaintQueued = false;

function repaint(): void {
  repaintQueued = false;
  board.fillStyle = BACKGROUND;
  board.fillRect(0, 0, BOARD_WIDTH, BOARD_HEIGHT);
  paintedUpTo = -1n;
  for (const row of conn.db.stroke.iter()) {
    paint(board, row);
    paintedUpTo = row.id;
  }
  renderInfo();
}

/** Coalesces the repaints of one transaction (a cleared board deletes many rows at once). */
function queueRepaint(): void {
  if (repaintQueued) return;
  repaintQueued = true;
  queueMicrotask(repaint);
}

conn.db.stroke.onInsert((_ctx, row) => {
  // A newer stroke goes on top; anything else (a refresh, rows out of order) repaints in id order.
  if (repaintQueued || row.id <= paintedUpTo) return queueRepaint();
  paint(board, row);
  paintedUpTo = row.id;
  renderInfo();
});
conn.db.stroke.onDelete(queueRepaint);

// ---- Drawing: the stroke under the pointer and the ones sent but not yet committed are previews ----

let drawing: number[] | undefined;
const sending = new Set<Ink>();

function repaintPreview(): void {
  preview.clearRect(0, 0, BOARD_WIDTH, BOARD_HEIGHT);
  for (const ink of sending) paint(preview, ink);
  if (drawing !== undefined) paint(preview, pen(drawing));
}

const pen = (points: readonly number[]): Ink => ({ color: colorInput.value, width: Number(widthInput.value), points });

/** Sends a finished stroke; it stays in the preview until it is on the board (or refused). */
function commit(points: number[]): void {
  const ink = pen(points);
  sending.add(ink);
  void run(conn.reducers.add_stroke({ color: ink.color, width: ink.width, points })).finally(() => {
    sending.delete(ink);
    repaintPreview();
  });
}

surface.addEventListener('pointerdown', (event) => {
  if (event.button !== 0) return;
  surface.setPointerCapture(event.pointerId);
  drawing = [...boardPoint(event)];
  repaintPreview();
});

surface.addEventListener('pointermove', (event) => {
  const [x, y] = boardPoint(event);
  moveCursor(x, y);
  if (drawing === undefined) return;
  const [lastX, lastY] = drawing.slice(-2) as [number, number];
  if (Math.hypot(x - lastX, y - lastY) < 1) return;
  drawing.push(x, y);
  if (drawing.length / 2 >= MAX_POINTS) {
    // A very long stroke goes as several, each starting where the last ended.
    commit(drawing);
    drawing = [x, y];
  }
  repaintPreview();
});

const finish = (): void => {
  if (drawing === undefined) return;
  const points = drawing;
  drawing = undefined;
  commit(points);
  repaintPreview();
};
surface.addEventListener('pointerup', finish);
surface.addEventListener('pointercancel', finish);
surface.addEventListener('pointerleave', () => hideCursor());

// ---- This pointer's cursor: at most one call in flight, sent once per animation frame ----

let cursorWanted: { x: number; y: number } | 'hidden' | undefined;
let cursorBusy = false;

function moveCursor(x: number, y: number): void {
  cursorWanted = { x, y };
  sendCursorSoon();
}

function hideCursor(): void {
  cursorWanted = 'hidden';
  sendCursorSoon();
}

function sendCursorSoon(): void {
  if (cursorBusy) return;
  cursorBusy = true;
  requestAnimationFrame(() => {
    const wanted = cursorWanted;
    cursorWanted = undefined;
    const call = wanted === undefined ? Promise.resolve() : wanted === 'hidden' ? conn.reducers.hide_cursor() : conn.reducers.move_cursor(wanted);
    call
      // A cursor that could not move is not worth an alert: the next move sends it again.
      .catch((e: unknown) => console.warn(`Whiteboard: the cursor did not move: ${(e as Error).message}`))
      .finally(() => {
        cursorBusy = false;
        if (cursorWanted !== undefined) sendCursorSoon();
      });
  });
}

// ---- The others' cursors, the board's owner, and the counts ----

function renderCursors(): void {
  const owner = conn.db.board.id.find(0)?.owner;
  const dots = [...conn.db.cursor.iter()]
    .filter((row) => !row.connection.isEqual(conn.connectionId) && row.visible)
    .map((row) => {
      const dot = document.createElement('div');
      dot.className = 'cursor';
      dot.dataset.identity = row.identity.toHexString();
      dot.style.setProperty('--color', row.color);
      dot.style.left = `${(row.x / BOARD_WIDTH) * 100}%`;
      dot.style.top = `${(row.y / BOARD_HEIGHT) * 100}%`;
      const label = document.createElement('span');
      label.textContent = `${row.identity.isEqual(conn.identity) ? 'you, in another tab' : short(row.identity)}${owner !== undefined && row.identity.isEqual(owner) ? ' (owner)' : ''}`;
      dot.append(label);
      return dot;
    });
  cursors.replaceChildren(...dots);
  renderInfo();
}

conn.db.cursor.onInsert(renderCursors);
conn.db.cursor.onUpdate(renderCursors);
conn.db.cursor.onDelete(renderCursors);
conn.db.board.onInsert(renderCursors);

function renderInfo(): void {
  const owner = conn.db.board.id.find(0)?.owner;
  const strokes = conn.db.stroke.count();
  const here = conn.db.cursor.count();
  $('info').textContent = [
    `${strokes} stroke${strokes === 1 ? '' : 's'}`,
    `${here} connection${here === 1 ? '' : 's'} on the board`,
    `board owner: ${owner === undefined ? 'nobody yet' : owner.isEqual(conn.identity) ? 'you' : short(owner)}`,
    `you are ${short(conn.identity)}`,
  ].join(' · ');
}

// ---- Toolbar ----

function pick(color: string): void {
  colorInput.value = color;
  for (const swatch of $('swatches').children) (swatch as HTMLElement).setAttribute('aria-pressed', String((swatch as HTMLElement).dataset.color === color));
}

$('swatches').append(
  ...SWATCHES.map((color) => {
    const swatch = document.createElement('button');
    swatch.type = 'button';
    swatch.className = 'swatch';
    swatch.dataset.color = color;
    swatch.title = color;
    swatch.setAttribute('aria-label', `Color ${color}`);
    swatch.style.setProperty('--color', color);
    swatch.addEventListener('click', () => pick(color));
    return swatch;
  }),
);
colorInput.addEventListener('input', () => pick(colorInput.value));
widthInput.addEventListener('input', () => void ($('width-value').textContent = widthInput.value));
$('clear-mine').addEventListener('click', () => void run(conn.reducers.clear_my_strokes()));
$('clear-board').addEventListener('click', () => void run(conn.reducers.clear_board()));
pick(colorInput.value);

await conn.subscribe(['SELECT * FROM board', 'SELECT * FROM stroke', 'SELECT * FROM cursor']).applied;
repaint();
renderCursors();

// ---- Helpers ----

/** A canvas's 2D context in board units, sharp on high-density screens. */
function layer(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const scale = Math.max(1, Math.round(window.devicePixelRatio || 1));
  canvas.width = BOARD_WIDTH * scale;
  canvas.height = BOARD_HEIGHT * scale;
  const g = canvas.getContext('2d')!;
  g.scale(scale, scale);
  g.lineCap = 'round';
  g.lineJoin = 'round';
  return g;
}

/** The pointer's position in board units, kept on the board and rounded to a tenth. */
function boardPoint(event: PointerEvent): [number, number] {
  const rect = surface.getBoundingClientRect();
  const clamp = (v: number, max: number): number => Math.round(Math.min(max, Math.max(0, v)) * 10) / 10;
  return [clamp(((event.clientX - rect.left) / rect.width) * BOARD_WIDTH, BOARD_WIDTH), clamp(((event.clientY - rect.top) / rect.height) * BOARD_HEIGHT, BOARD_HEIGHT)];
}

/** Paints one stroke: a dot for a single point, else a round-capped polyline. */
function paint(g: CanvasRenderingContext2D, ink: Ink): void {
  const { points } = ink;
  g.strokeStyle = g.fillStyle = ink.color;
  g.lineWidth = ink.width;
  g.beginPath();
  if (points.length === 2) {
    g.arc(points[0]!, points[1]!, ink.width / 2, 0, Math.PI * 2);
    g.fill();
    return;
  }
  g.moveTo(points[0]!, points[1]!);
  for (let i = 2; i < points.length; i += 2) g.lineTo(points[i]!, points[i + 1]!);
  g.stroke();
}
