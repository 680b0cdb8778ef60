import { expect, test, type Browser, type Page } from '@playwright/test';
import { startSignalRelay, type RunningSignalRelay } from '../lib/signal/index';
import { freshName, harness, type Harness } from './harness';

// A room that cannot connect says why: in conn.status.room.reason, and once in the console.
declare const rt: Harness;

let relay: RunningSignalRelay;
test.beforeAll(async () => {
  relay = await startSignalRelay({ port: 0, host: '127.0.0.1' });
});
test.afterAll(async () => {
  await relay.close();
});

/** A new browser (context) on the harness page, collecting its console warnings. */
async function browserPage(browser: Browser, grant: boolean): Promise<{ page: Page; warnings: string[] }> {
  const context = await browser.newContext();
  // Without camera / microphone permission Chromium gathers no ICE candidates on loopback (docs/testing.md).
  if (grant) await context.grantPermissions(['camera', 'microphone']);
  const page = await context.newPage();
  const warnings: string[] = [];
  page.on('console', (message) => void (message.type() === 'warning' && message.text().startsWith('Lockstep: room') && warnings.push(message.text())));
  await harness(page);
  return { page, warnings };
}

test('a replica whose browser gathers no ICE candidates says so in conn.status.room and warns once', async ({ browser }) => {
  test.setTimeout(90_000);
  const room = freshName('no-ice');
  const authority = await browserPage(browser, true);
  await authority.page.evaluate(([d, name, url]) => rt.open(d, 'confirmed', 'tabs', { name, relay: url }), [freshName('a'), room, relay.url] as const);
  const replica = await browserPage(browser, false);
  await replica.page.evaluate(([d, name, url]) => rt.open(d, 'confirmed', 'tabs', { name, relay: url }), [freshName('b'), room, relay.url] as const);
  // The connect timeout (20 s) ends the attempt if ICE does not fail sooner.
  await expect.poll(() => replica.page.evaluate(() => rt.status().room?.reason), { timeout: 60_000 }).toBe('no-candidates');
  const status = await replica.page.evaluate(() => rt.status().room);
  expect(status?.state).toBe('offline');
  expect(status?.reasonMessage).toMatch(/gathered no ICE candidates.*camera and microphone/);
  expect(replica.warnings).toHaveLength(1);
  expect(replica.warnings[0]).toMatch(new RegExp(`^Lockstep: room "${room}" is not connected \\(no-candidates\\)`));
  expect(authority.warnings).toEqual([]);
});

test('a browser that cannot reach the signaling relay warns, naming the relay', async ({ browser }) => {
  const { page, warnings } = await browserPage(browser, true);
  // Nothing listens on port 9: every join fails. A new browser's connect() waits for its first join.
  await page.evaluate(([d, name]) => void rt.open(d, 'confirmed', 'tabs', { name, relay: 'ws://127.0.0.1:9/lockstep-signal' }), [freshName('c'), freshName('no-relay')] as const);
  await expect.poll(() => warnings.length, { timeout: 30_000 }).toBeGreaterThan(0);
  expect(warnings[0]).toMatch(/\(relay-unreachable\): the connection to the signaling relay at ws:\/\/127\.0\.0\.1:9\/lockstep-signal closed .*Check that the signaling relay runs/);
});
