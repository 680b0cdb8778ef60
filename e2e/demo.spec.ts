import { expect, test, type Browser, type Page } from '@playwright/test';
import { openDemoPeer } from './demo-peer';

// The gallery and the todo demo (the other demos have a spec each). Peers in a room join through
// the relay the Vite server runs at /lockstep-signal.

const items = (page: Page) => page.locator('#list li > span:not(.who)');

test('the gallery links every demo, in a fresh room or alone, and each page opens', async ({ page }) => {
  await page.goto('/demo/');
  const cards = page.locator('.card');
  await expect(cards).toHaveCount(5);
  expect(await cards.evaluateAll((all) => all.map((c) => (c as HTMLElement).dataset['demo']))).toEqual(['whiteboard', 'game', 'chat', 'todo', 'inventory']);
  for (const href of await page.locator('.card a.room').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).getAttribute('href')))) {
    expect(href).toMatch(/^\.\/(whiteboard|game|chat|todo|inventory)\.html\?room=[a-z]+-[0-9a-z]{6}$/);
  }
  await page.locator('.card[data-demo=chat] a', { hasText: 'alone' }).click();
  await expect(page.locator('#peer-status')).toHaveAttribute('data-state', 'alone');
  await page.locator('.demo-bar a', { hasText: 'All demos' }).click();
  await expect(page.locator('.card')).toHaveCount(5);
});

test('the todo list adds, toggles, survives a reload, refuses an empty todo and deletes', async ({ page }, info) => {
  await page.goto('/demo/todo.html');
  await expect(page.locator('#status')).toContainText('todo(s)');
  await page.fill('#text', 'Buy groceries');
  await page.click('#add button');
  await expect(items(page)).toHaveText(['Buy groceries']);
  await page.fill('#text', 'Walk the dog');
  await page.press('#text', 'Enter');
  await expect(items(page)).toHaveText(['Buy groceries', 'Walk the dog']);
  await page.locator('#list li').first().locator('input').check();
  await expect(page.locator('#list li').first()).toHaveClass(/done/);

  await page.reload();
  await expect(items(page)).toHaveText(['Buy groceries', 'Walk the dog']);
  await expect(page.locator('#list li').first()).toHaveClass(/done/);

  await page.fill('#text', '   ');
  await page.click('#add button');
  await expect(page.locator('#error')).toHaveText('A todo needs some text');
  await page.screenshot({ path: info.outputPath('todo.png') });

  await page.locator('#list li').first().locator('button').click();
  await expect(items(page)).toHaveText(['Walk the dog']);
});

test('two tabs of the todo demo show the same live list, and the second goes on alone when the first closes', async ({ context }) => {
  const first = await context.newPage();
  await first.goto('/demo/todo.html');
  await expect(first.locator('#status')).toContainText('todo(s)');
  const second = await context.newPage();
  await second.goto('/demo/todo.html');
  await expect(second.locator('#status')).toContainText('todo(s)');
  const before = await items(first).allTextContents();
  await first.fill('#text', 'Made in the first tab');
  await first.press('#text', 'Enter');
  await expect(items(second)).toHaveText([...before, 'Made in the first tab']);
  await second.fill('#text', 'Made in the second tab');
  await second.press('#text', 'Enter');
  await expect(items(first)).toHaveText([...before, 'Made in the first tab', 'Made in the second tab']);
  await first.close();
  await second.locator('#list li').last().locator('input').check();
  await expect(second.locator('#list li').last()).toHaveClass(/done/);
});

/** A new browser (context) on the todo demo in `room`, connected. */
const peer = (browser: Browser, room: string): Promise<Page> => openDemoPeer(browser, 'todo', room);

test('a todo made with the network off syncs to the other browser when it is back, once', async ({ browser }, info) => {
  test.setTimeout(120_000);
  const room = `todo-${Date.now().toString(36)}`;
  const a = await peer(browser, room);
  const b = await peer(browser, room);
  await a.fill('#text', 'Made while online');
  await a.press('#text', 'Enter');
  await expect(items(b)).toHaveText(['Made while online']);
  await b.fill('#text', "b's chore");
  await b.press('#text', 'Enter');
  await expect(items(a)).toHaveText(['Made while online', "b's chore"]);

  // b goes offline with the page's button (conn.goOffline(), as the page's offline event does: in the test's
  // loopback-only network namespace navigator.onLine is false from the start, so emulating the network going
  // off fires no event here).
  await b.click('#network');
  await expect(b.locator('#peer-status')).toHaveAttribute('data-state', 'reconnecting');
  await b.fill('#text', 'Made offline');
  await b.press('#text', 'Enter');
  await expect(b.locator('#list li.pending')).toContainText('Made offline');
  await expect(b.locator('#status')).toContainText('1 change(s) waiting to sync');
  // Ticked offline: the row stays as it was, greyed, until the authority has the change (click, not check():
  // the box shows the database's state, which changes only then).
  const chore = (page: Page) => page.locator('#list li', { hasText: "b's chore" });
  await chore(b).locator('input').click();
  await expect(chore(b)).toHaveClass(/pending/);
  await expect(b.locator('#status')).toContainText('2 change(s) waiting to sync');
  await a.fill('#text', 'Made meanwhile');
  await a.press('#text', 'Enter');
  await expect(items(a)).toHaveText(['Made while online', "b's chore", 'Made meanwhile']);
  await expect(chore(a)).not.toHaveClass(/done/);
  await b.screenshot({ path: info.outputPath('todo-offline.png') });

  // Back online: both changes made offline reach a, each once, and b catches up with a's.
  await b.click('#network');
  await expect(b.locator('#peer-status')).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
  // The authority stamps a call when it orders it: what b made offline comes after what a made meanwhile.
  const all = ['Made while online', "b's chore", 'Made meanwhile', 'Made offline'];
  await expect(items(a)).toHaveText(all, { timeout: 30_000 });
  await expect(items(b)).toHaveText(all, { timeout: 30_000 });
  await expect(b.locator('#list li.pending')).toHaveCount(0);
  for (const page of [a, b]) await expect(chore(page)).toHaveClass(/done/);
  await expect(b.locator('#error')).toHaveText('');
  await b.screenshot({ path: info.outputPath('todo-synced.png') });
});
