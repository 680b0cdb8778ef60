import { expect, test, type Browser, type Page } from '@playwright/test';
import { openDemoPeer } from './demo-peer';

// The chat demo (demo/chat.html) in two browsers (separate contexts: separate storage and
// identities) joined in one room through the relay the dev server serves. The first to join
// creates the room and is its authority.

/** A new browser with the chat open in `room`, once connected. */
const openPeer = (browser: Browser, room: string): Promise<Page> => openDemoPeer(browser, 'chat', room, { viewport: { width: 1100, height: 760 } });

const identityOf = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { conn: { identity: { toHexString(): string } } }).conn.identity.toHexString());

/** Types into a form field and presses Enter. */
async function submit(page: Page, field: '#name' | '#text', value: string): Promise<void> {
  await page.fill(field, value);
  await page.press(field, 'Enter');
}

const colorOf = (page: Page, selector: string): Promise<string> => page.locator(selector).evaluate((el) => getComputedStyle(el).color);

test('two browsers chat with names, the same color per person on both, and online status', async ({ browser }, info) => {
  test.setTimeout(180_000);
  const room = `chat-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const a = await openPeer(browser, room);
  const b = await openPeer(browser, room);
  const [aliceId, bobId] = await Promise.all([identityOf(a), identityOf(b)]);
  expect(bobId).not.toBe(aliceId);
  const user = (id: string): string => `#users li[data-identity="${id}"]`;

  // Both people are listed, online, on both pages, before anyone picks a name.
  for (const page of [a, b]) {
    await expect(page.locator(user(aliceId))).toHaveAttribute('data-online', 'true', { timeout: 30_000 });
    await expect(page.locator(user(bobId))).toHaveAttribute('data-online', 'true', { timeout: 30_000 });
  }
  await expect(b.locator(`${user(aliceId)} .name`)).toHaveText(`guest ${aliceId.slice(0, 6)}`);

  // Names: refused when empty or too long, with the reason; set when fine, and seen by the other.
  await submit(a, '#name', '   ');
  await expect(a.locator('#error')).toHaveText('A name must not be empty');
  await submit(a, '#name', 'A'.repeat(25));
  await expect(a.locator('#error')).toHaveText(`The name "${'A'.repeat(25)}" is too long (25 characters); use at most 24`);
  await submit(a, '#name', 'Alice');
  await expect(a.locator('#error')).toHaveText('');
  await expect(a.locator('#name')).toHaveValue('');
  await submit(b, '#name', 'alice');
  await expect(b.locator('#error')).toHaveText('The name "alice" is taken; pick another');
  await submit(b, '#name', 'Bob');
  for (const page of [a, b]) {
    await expect(page.locator(`${user(aliceId)} .name`)).toHaveText('Alice', { timeout: 30_000 });
    await expect(page.locator(`${user(bobId)} .name`)).toHaveText('Bob', { timeout: 30_000 });
  }
  await expect(a.locator(`${user(aliceId)} .you`)).toHaveText('(you)');
  await expect(b.locator(`${user(aliceId)} .you`)).toHaveCount(0);

  // An empty message is refused; a real one appears in B with the same text, and Alice's name in the same color.
  await submit(a, '#text', '  ');
  await expect(a.locator('#error')).toHaveText('A message must not be empty');
  await submit(a, '#text', 'Hello from Alice');
  const fromAlice = `#messages li[data-identity="${aliceId}"]`;
  await expect(b.locator(`${fromAlice} .text`)).toHaveText(['Hello from Alice'], { timeout: 30_000 });
  await expect(b.locator(`${fromAlice} .author`)).toHaveText(['Alice']);
  await expect(a.locator(`${fromAlice} .text`)).toHaveText(['Hello from Alice']);
  const aliceColor = await colorOf(a, `${fromAlice} .author`);
  expect(aliceColor).toMatch(/^rgb\(\d+, \d+, \d+\)$/);
  expect(aliceColor).not.toBe(await colorOf(a, '#messages .text')); // a color of its own, not the text's
  expect(await colorOf(b, `${fromAlice} .author`)).toBe(aliceColor);
  expect(await colorOf(b, `${user(aliceId)} .name`)).toBe(aliceColor);

  // Bob answers; both see both messages in one order, and Bob's color is the same on both pages.
  await submit(b, '#text', 'Hi Alice, Bob here');
  for (const page of [a, b]) {
    await expect(page.locator('#messages .text')).toHaveText(['Hello from Alice', 'Hi Alice, Bob here'], { timeout: 30_000 });
    await expect(page.locator('#messages .author')).toHaveText(['Alice', 'Bob']);
  }
  const bobColor = await colorOf(b, `#messages li[data-identity="${bobId}"] .author`);
  expect(await colorOf(a, `#messages li[data-identity="${bobId}"] .author`)).toBe(bobColor);
  expect(bobColor).not.toBe(aliceColor); // the palette has colors to spare for two people

  await a.screenshot({ path: info.outputPath('chat.png') });
  await b.screenshot({ path: info.outputPath('chat-peer.png') });

  // Bob closes his browser: Alice sees him go offline, and still sees his message.
  await b.context().close();
  await expect(a.locator(user(bobId))).toHaveAttribute('data-online', 'false', { timeout: 30_000 });
  await expect(a.locator(user(aliceId))).toHaveAttribute('data-online', 'true');
  await expect(a.locator('#messages .author')).toHaveText(['Alice', 'Bob']);
  await a.screenshot({ path: info.outputPath('chat-bob-left.png') });
});
