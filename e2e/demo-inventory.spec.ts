import { expect, test, type Browser, type Page } from '@playwright/test';
import { openDemoPeer } from './demo-peer';

// The inventory race demo (demo/inventory.html) with two browsers (separate contexts: separate
// storage and identities) in one room. The first to join creates the room and is its authority.

/** A new browser with the demo open in `room`, once it is connected and its player exists. */
async function openPlayer(browser: Browser, room: string): Promise<Page> {
  const page = await openDemoPeer(browser, 'inventory', room);
  await expect(page.locator('#me')).toContainText('You are', { timeout: 30_000 });
  return page;
}

/** Two players in a fresh room: A (the authority) first, then B. */
async function twoPlayers(browser: Browser, label: string): Promise<{ a: Page; b: Page; nameA: string; nameB: string }> {
  const room = `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const a = await openPlayer(browser, room);
  const b = await openPlayer(browser, room);
  // Each sees both players before anything else happens.
  for (const page of [a, b]) await expect(page.locator('#players li')).toHaveCount(2);
  const [nameA, nameB] = [await nameOf(a), await nameOf(b)];
  expect(nameA).not.toBe(nameB);
  return { a, b, nameA, nameB };
}

const nameOf = async (page: Page): Promise<string> => (await page.locator('#me').textContent())!.match(/^You are (.+) · \d+ gold$/)![1]!;
const owner = (page: Page) => page.locator('#owner');
const error = (page: Page) => page.locator('[role=alert]');

test('two browsers click "Pick up" at once: exactly one gets the sword, both agree, the loser is told who has it', async ({ browser }, info) => {
  test.setTimeout(120_000);
  const { a, b, nameA, nameB } = await twoPlayers(browser, 'race');
  for (const page of [a, b]) await expect(owner(page)).toHaveText('Lies on the ground: grab it!');

  await Promise.all([a.click('#pick-up'), b.click('#pick-up')]);
  for (const page of [a, b]) await expect(owner(page)).toContainText('Owned by');
  const aWon = (await owner(a).textContent())!.endsWith('(you)');
  const [winner, loser, winnerName] = aWon ? [a, b, nameA] : [b, a, nameB];
  await expect(owner(winner)).toHaveText(`Owned by ${winnerName} (you)`);
  await expect(owner(loser)).toHaveText(`Owned by ${winnerName}`);
  await expect(error(loser)).toHaveText(`The sword is already owned by ${winnerName}`);
  await expect(error(winner)).toHaveText('');
  await winner.screenshot({ path: info.outputPath('inventory-winner.png') });
  await loser.screenshot({ path: info.outputPath('inventory.png') });

  // Anyone puts it back, and the race can be run again.
  await loser.click('#reset');
  for (const page of [a, b]) await expect(owner(page)).toHaveText('Lies on the ground: grab it!');
  await loser.click('#reset');
  await expect(error(loser)).toHaveText('The sword is already on the ground');
  await loser.click('#pick-up');
  await expect(owner(loser)).toHaveText(`Owned by ${aWon ? nameB : nameA} (you)`);
  await expect(owner(winner)).toHaveText(`Owned by ${aWon ? nameB : nameA}`);
  await expect(error(loser)).toHaveText('');
});

test('a gold transfer moves gold between two browsers, bad ones are refused with a clear error, and the total never changes', async ({ browser }, info) => {
  test.setTimeout(120_000);
  const { a, b, nameA, nameB } = await twoPlayers(browser, 'gold');
  const gold = (page: Page, name: string) => page.locator('#players li', { hasText: name }).locator('.gold');
  for (const page of [a, b]) {
    await expect(page.locator('#total')).toHaveText('Gold in the world: 200');
    await expect(gold(page, nameA)).toHaveText('100 gold');
    await expect(gold(page, nameB)).toHaveText('100 gold');
  }

  await expect(a.locator('#to option')).toHaveText([nameB]); // one's own name is not offered
  await a.selectOption('#to', { label: nameB });
  await a.fill('#amount', '30');
  await a.click('#transfer button');
  await expect(a.locator('#me')).toHaveText(`You are ${nameA} · 70 gold`);
  await expect(b.locator('#me')).toHaveText(`You are ${nameB} · 130 gold`);
  for (const page of [a, b]) {
    await expect(gold(page, nameA)).toHaveText('70 gold');
    await expect(gold(page, nameB)).toHaveText('130 gold');
    await expect(page.locator('#total')).toHaveText('Gold in the world: 200');
  }
  await expect(error(a)).toHaveText('');

  const refusals: [string, string][] = [
    ['1000', 'You have 70 gold: you cannot send 1000'],
    ['0', 'Send at least 1 gold, not 0'],
    ['-5', 'Send at least 1 gold, not -5'],
    ['2.5', 'Send a whole number of gold, not 2.5'],
    ['', 'Send a whole number of gold, not NaN'],
  ];
  for (const [amount, message] of refusals) {
    await a.fill('#amount', amount);
    await a.click('#transfer button');
    await expect(error(a), `sending "${amount}"`).toHaveText(message);
  }
  // B sends some back: the other direction works too.
  await b.selectOption('#to', { label: nameA });
  await b.fill('#amount', '5');
  await b.click('#transfer button');
  for (const page of [a, b]) {
    await expect(gold(page, nameA)).toHaveText('75 gold');
    await expect(gold(page, nameB)).toHaveText('125 gold');
  }
  // The page never offers oneself, but the reducer refuses it anyway (it trusts only ctx.sender).
  const self = await a.evaluate(async () => {
    const conn = (window as unknown as { conn: { identity: unknown; reducers: { transfer_gold(args: { to: unknown; amount: number }): Promise<void> } } }).conn;
    return conn.reducers.transfer_gold({ to: conn.identity, amount: 5 }).then(() => 'sent', (e: Error) => e.message);
  });
  expect(self).toBe('You cannot send gold to yourself');

  for (const page of [a, b]) await expect(page.locator('#total')).toHaveText('Gold in the world: 200');
  await expect(gold(b, nameA)).toHaveText('75 gold');
  await a.fill('#amount', '1000');
  await a.click('#transfer button');
  await expect(error(a)).toHaveText('You have 75 gold: you cannot send 1000');
  await a.screenshot({ path: info.outputPath('inventory-gold.png') });
});
