import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { openDemoPeer } from './demo-peer';

// The whiteboard demo (demo/whiteboard.html) in two browsers (separate contexts: separate storage
// and identities) joined in one room through the relay the dev server serves. The first to join
// creates the room, is its authority, and is the first to connect to the board: its owner.

const BOARD = { width: 960, height: 600 };
const WHITE = [255, 255, 255, 255];
type Rgba = readonly number[];
interface Spot {
  readonly x: number;
  readonly y: number;
}

/** A new browser with the whiteboard open in `room`, once connected; tall enough that the fixed status bar sits below the board in screenshots. */
const openPeer = (browser: Browser, room: string): Promise<Page> => openDemoPeer(browser, 'whiteboard', room, { viewport: { width: 1280, height: 860 } });

/** The committed board's colour at a board position, as the page's canvas shows it. */
function pixel(page: Page, at: Spot): Promise<Rgba> {
  return page.evaluate(({ x, y, width }) => {
    const canvas = document.querySelector<HTMLCanvasElement>('#board')!;
    const scale = canvas.width / width;
    return [...canvas.getContext('2d')!.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data];
  }, { ...at, width: BOARD.width });
}

const rgba = (hex: string): Rgba => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).concat(255);

/** The page position of a board position. */
async function toPage(page: Page, at: Spot): Promise<Spot> {
  const box = (await page.locator('#surface').boundingBox())!;
  return { x: box.x + (at.x * box.width) / BOARD.width, y: box.y + (at.y * box.height) / BOARD.height };
}

/** Draws a stroke through board positions with the mouse, in a colour from the palette and a width. */
async function draw(page: Page, color: string, width: number, path: readonly Spot[]): Promise<void> {
  await page.locator(`.swatch[data-color="${color}"]`).click();
  await page.locator('#width').fill(String(width));
  const [first, ...rest] = path;
  const start = await toPage(page, first!);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (const spot of rest) {
    const to = await toPage(page, spot);
    await page.mouse.move(to.x, to.y, { steps: 8 });
  }
  await page.mouse.up();
}

const identityOf = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { conn: { identity: { toHexString(): string } } }).conn.identity.toHexString());

test('two browsers share strokes, cursors and clearing on the whiteboard; only the owner clears the board', async ({ browser }, info) => {
  test.setTimeout(180_000);
  const room = `whiteboard-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const a = await openPeer(browser, room);
  const b = await openPeer(browser, room);
  const [aliceId, bobId] = await Promise.all([identityOf(a), identityOf(b)]);
  expect(bobId).not.toBe(aliceId);
  await expect(a.locator('#info')).toContainText('board owner: you');
  await expect(b.locator('#info')).toContainText(`board owner: ${aliceId.slice(0, 8)}…`);

  // A draws a teal line across the middle: B's canvas shows it on the path, and white beside it.
  const teal = '#2a9d8f';
  await draw(a, teal, 12, [{ x: 200, y: 300 }, { x: 500, y: 300 }]);
  const onLine = { x: 350, y: 300 };
  const beside = { x: 350, y: 360 };
  await expect.poll(() => pixel(b, onLine), { timeout: 30_000 }).toEqual(rgba(teal));
  expect(await pixel(b, beside)).toEqual(WHITE);
  expect(await pixel(a, onLine)).toEqual(rgba(teal));
  await expect(b.locator('#info')).toContainText('1 stroke ·');

  // B draws a purple stroke of its own, which A sees.
  const purple = '#8e44ad';
  await draw(b, purple, 10, [{ x: 600, y: 100 }, { x: 700, y: 200 }, { x: 800, y: 100 }]);
  const onPurple = { x: 700, y: 200 };
  await expect.poll(() => pixel(a, onPurple), { timeout: 30_000 }).toEqual(rgba(purple));

  // A's pointer, hovering, shows in B as a labelled dot where A points.
  const hover = { x: 300, y: 450 };
  const hoverOnA = await toPage(a, hover);
  await a.mouse.move(hoverOnA.x, hoverOnA.y, { steps: 4 });
  const aliceCursor = b.locator(`.cursor[data-identity="${aliceId}"]`);
  await expect(aliceCursor).toBeVisible({ timeout: 30_000 });
  await expect(aliceCursor).toHaveText(`${aliceId.slice(0, 8)}… (owner)`);
  const expected = await toPage(b, hover);
  await expect
    .poll(async () => {
      const box = (await aliceCursor.boundingBox())!;
      return Math.hypot(box.x + box.width / 2 - expected.x, box.y + box.height / 2 - expected.y);
    })
    .toBeLessThan(3);
  // And B's pointer, last seen where its stroke ended, shows in A without the owner mark.
  await expect(a.locator(`.cursor[data-identity="${bobId}"]`)).toHaveText(`${bobId.slice(0, 8)}…`);

  await b.screenshot({ path: info.outputPath('whiteboard.png') });

  // B is not the owner: "Clear board" is refused with an error that says who may, and nothing is cleared.
  await b.locator('#clear-board').click();
  await expect(b.locator('#error')).toHaveText(`Only the board's owner (${aliceId.slice(0, 8)}…) can clear the board; "Clear my strokes" removes your own`);
  expect(await pixel(b, onLine)).toEqual(rgba(teal));
  expect(await pixel(a, onPurple)).toEqual(rgba(purple));

  // A clears its own strokes: the teal line goes on both, B's purple stroke stays.
  await a.locator('#clear-mine').click();
  for (const page of [a, b]) {
    await expect.poll(() => pixel(page, onLine), { timeout: 30_000 }).toEqual(WHITE);
    expect(await pixel(page, onPurple)).toEqual(rgba(purple));
  }
  await expect(a.locator('#error')).toHaveText('');

  // The owner clears the board: B's stroke goes too, on both.
  await a.locator('#clear-board').click();
  for (const page of [a, b]) await expect.poll(() => pixel(page, onPurple), { timeout: 30_000 }).toEqual(WHITE);
  await expect(b.locator('#info')).toContainText('0 strokes ·');
});

test('a drawing on the whiteboard, for the README', async ({ browser }, info) => {
  test.setTimeout(180_000);
  const room = `whiteboard-art-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const a = await openPeer(browser, room);
  const b = await openPeer(browser, room);
  const wave = Array.from({ length: 25 }, (_, i) => ({ x: 120 + i * 30, y: 200 + Math.sin(i / 2.5) * 80 }));
  const circle = Array.from({ length: 33 }, (_, i) => ({ x: 300 + Math.cos((i / 32) * Math.PI * 2) * 90, y: 420 + Math.sin((i / 32) * Math.PI * 2) * 90 }));
  const zigzag = Array.from({ length: 9 }, (_, i) => ({ x: 560 + i * 40, y: i % 2 === 0 ? 470 : 370 }));
  await draw(a, '#e63946', 10, wave);
  await draw(b, '#457b9d', 14, circle);
  await draw(a, '#f4a261', 8, zigzag);
  await draw(b, '#2a9d8f', 20, [{ x: 820, y: 120 }]);
  // Everything both drew, on both boards.
  const spots: [Spot, string][] = [
    [wave[10]!, '#e63946'],
    [circle[8]!, '#457b9d'],
    [zigzag[4]!, '#f4a261'],
    [{ x: 820, y: 120 }, '#2a9d8f'],
  ];
  for (const page of [a, b]) for (const [spot, color] of spots) await expect.poll(() => pixel(page, spot), { timeout: 30_000 }).toEqual(rgba(color));
  const hover = await toPage(a, { x: 700, y: 70 });
  await a.mouse.move(hover.x, hover.y, { steps: 4 });
  await expect(b.locator('.cursor')).toBeVisible({ timeout: 30_000 });
  await expect(b.locator('#info')).toContainText('4 strokes · 2 connections on the board');
  await b.screenshot({ path: info.outputPath('whiteboard-drawing.png') });
  // The README's picture is refreshed on request only, so a test run leaves the checkout as it was.
  if (process.env['UPDATE_DOCS_SCREENSHOTS'] === '1') {
    const docs = fileURLToPath(new URL('../docs/', import.meta.url));
    mkdirSync(docs, { recursive: true });
    await b.screenshot({ path: `${docs}whiteboard.png` });
  }
});
