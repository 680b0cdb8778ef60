import { expect, test, type Browser, type Page } from '@playwright/test';
import { openDemoPeer } from './demo-peer';

// The cursor game demo (demo/game.html) played by two browsers (separate contexts: separate
// storage and identities) in one room, through the relay the dev server serves. The first to
// join creates the room and is its authority; its worker runs the 100 ms game loop.

const BOARD = { width: 800, height: 480 };
type Rgb = readonly [number, number, number];
interface Spot {
  readonly x: number;
  readonly y: number;
}

/** A new browser with the game open in `room`, once connected and its player exists. */
async function openPlayer(browser: Browser, room: string): Promise<Page> {
  const page = await openDemoPeer(browser, 'game', room);
  await expect(page.locator('#me')).toContainText('You are', { timeout: 30_000 });
  return page;
}

/** The colour of the board at a board position, as the page's canvas shows it. */
function pixel(page: Page, at: Spot): Promise<Rgb> {
  return page.evaluate(({ x, y, width }) => {
    const canvas = document.querySelector<HTMLCanvasElement>('#board')!;
    const scale = canvas.width / width;
    const [r, g, b] = canvas.getContext('2d')!.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data;
    return [r!, g!, b!] as const;
  }, { ...at, width: BOARD.width });
}

/** This player's colour, from the swatch beside "You are …". */
async function ownColor(page: Page): Promise<Rgb> {
  const css = await page.locator('#me .swatch').evaluate((el) => getComputedStyle(el).backgroundColor);
  const parts = css.match(/\d+/g)?.map(Number);
  if (parts === undefined || parts.length < 3) throw new Error(`Cannot read a colour from "${css}"`);
  return [parts[0]!, parts[1]!, parts[2]!];
}

const near = (a: Rgb, b: Rgb): boolean => a.every((v, i) => Math.abs(v - b[i]!) <= 3);

/** Moves the mouse to a board position over the page's canvas. */
async function moveTo(page: Page, at: Spot): Promise<void> {
  const box = (await page.locator('#board').boundingBox())!;
  await page.mouse.move(box.x + (at.x * box.width) / BOARD.width, box.y + (at.y * box.height) / BOARD.height);
}

/** Where the replicated table says the player with this name is (read from the page's `window.conn`). */
function positionOf(page: Page, name: string): Promise<Spot> {
  return page.evaluate((n) => {
    const conn = (window as unknown as { conn: { db: { player: Iterable<{ name: string; x: number; y: number }> } } }).conn;
    const p = [...conn.db.player].find((row) => row.name === n);
    if (p === undefined) throw new Error(`No player named ${n}`);
    return { x: p.x, y: p.y };
  }, name);
}

const nameOf = async (page: Page): Promise<string> => (await page.locator('#me').textContent())!.match(/You are (.+?)(?: ·|$)/)![1]!;
const pointsOf = async (page: Page): Promise<number> => Number((await page.locator('#me').textContent())!.match(/· (\d+) points?/)?.[1] ?? 0);
const distance = (a: Spot, b: Spot): number => Math.hypot(a.x - b.x, a.y - b.y);

test('two browsers play the cursor game: each sees the other move, collecting a coin scores, the scoreboard shows both', async ({ browser }, info) => {
  test.setTimeout(120_000);
  const room = `game-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const a = await openPlayer(browser, room);
  const b = await openPlayer(browser, room);
  const [nameA, nameB] = [await nameOf(a), await nameOf(b)];
  expect(nameA).not.toBe(nameB);
  const colorA = await ownColor(a);

  // Nobody moves: the log grows by the game loop alone, one run per 100 ms for the whole room
  // (the authority runs it, B replays it), so B's log grows about 10 entries a second.
  const seqOf = (page: Page): Promise<number> => page.evaluate(async () => (await (window as unknown as { conn: { inspect(): Promise<{ seq: number }> } }).conn.inspect()).seq);
  const [seq0, t0] = [await seqOf(b), Date.now()];
  await expect.poll(() => seqOf(b), { message: 'B replays the game loop' }).toBeGreaterThanOrEqual(seq0 + 20);
  const [seq1, t1] = [await seqOf(b), Date.now()];
  const runs = seq1 - seq0;
  const expected = (t1 - t0) / 100;
  expect(runs, `${runs} game loop runs reached B in ${t1 - t0} ms`).toBeGreaterThan(expected * 0.5);
  expect(runs, `${runs} game loop runs reached B in ${t1 - t0} ms`).toBeLessThan(expected * 1.5 + 5);

  // Two spots for A's circle, both well away from B's circle (B never moves its mouse).
  const whereB = await positionOf(a, nameB);
  const spots = [{ x: 200, y: 140 }, { x: 600, y: 340 }, { x: 600, y: 140 }, { x: 200, y: 340 }].filter((s) => distance(s, whereB) > 80);
  const [first, second] = spots as [Spot, Spot];

  await moveTo(a, first);
  await expect.poll(() => pixel(b, first).then((seen) => near(seen, colorA)), { message: `A's colour at ${JSON.stringify(first)} on B's board` }).toBe(true);
  await moveTo(a, second);
  await expect.poll(() => pixel(b, second).then((seen) => near(seen, colorA)), { message: `A's colour at ${JSON.stringify(second)} on B's board` }).toBe(true);
  expect(near(await pixel(b, first), colorA), 'A left its first spot on B\'s board').toBe(false);
  expect(await positionOf(b, nameA)).toEqual(second);

  // The loop spawns coins; A walks onto one that B is not touching and scores, on both screens.
  let coin: Spot | undefined;
  await expect
    .poll(async () => {
      const coins = await a.evaluate(() => [...(window as unknown as { conn: { db: { coin: Iterable<{ x: number; y: number }> } } }).conn.db.coin].map((c) => ({ x: c.x, y: c.y })));
      coin = coins.find((c) => distance(c, whereB) > 60 && distance(c, second) > 60);
      return coin !== undefined;
    }, { message: 'a coin spawned by the game loop', timeout: 30_000 })
    .toBe(true);
  const before = await pointsOf(a);
  await moveTo(a, coin!);
  await expect.poll(() => pointsOf(a), { message: `${nameA}'s points after touching the coin at ${JSON.stringify(coin)}` }).toBeGreaterThan(before);
  const rowA = b.locator('#scoreboard li', { hasText: nameA });
  await expect.poll(async () => Number(await rowA.locator('.points').textContent())).toBeGreaterThan(before);
  // The coin is gone from both boards once collected.
  for (const page of [a, b]) expect(await page.evaluate(({ x, y }) => [...(window as unknown as { conn: { db: { coin: Iterable<{ x: number; y: number }> } } }).conn.db.coin].some((c) => c.x === x && c.y === y), coin!)).toBe(false);

  for (const page of [a, b]) {
    await expect(page.locator('#scoreboard li')).toHaveCount(2);
    await expect(page.locator('#scoreboard')).toContainText(nameA);
    await expect(page.locator('#scoreboard')).toContainText(nameB);
    await expect(page.locator('#counts')).toContainText('2 online');
  }
  await expect(a.locator('[role=alert]')).toHaveText('');
  await a.screenshot({ path: info.outputPath('game.png') });
  await b.screenshot({ path: info.outputPath('game-peer.png') });

  // B leaves: once the authority gives up waiting for it (15 s away), clientDisconnected takes
  // B offline; A's board stops drawing B and the scoreboard keeps B's score, marked offline.
  const colorB = await ownColor(b);
  expect(near(await pixel(a, whereB), colorB), 'B drawn on A\'s board before it leaves').toBe(true);
  await b.context().close();
  await expect(a.locator('#counts')).toContainText('1 online', { timeout: 45_000 });
  expect(near(await pixel(a, whereB), colorB), 'B hidden on A\'s board once offline').toBe(false);
  await expect(a.locator('#scoreboard li', { hasText: nameB })).toContainText(`${nameB} (offline)`);
});
