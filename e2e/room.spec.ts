import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { startSignalRelay, type RunningSignalRelay } from '../lib/signal/index';
import type { Received } from './pages/room';
import { pageReady } from './harness';

/** Separate browser contexts are separate browsers as far as WebRTC is concerned. */
interface Peer {
  readonly id: string;
  readonly page: Page;
  readonly context: BrowserContext;
}

const MiB = 1024 * 1024;
let relay: RunningSignalRelay;
let roomCounter = 0;

test.beforeAll(async () => {
  relay = await startSignalRelay({ port: 0, host: '127.0.0.1' });
});

test.afterAll(async () => {
  await relay.close();
});

const freshRoom = (label: string): string => `${label}-${process.pid}-${Date.now()}-${roomCounter++}`;

/** Opens the room page in a new context and joins `room` as `id`. */
async function joinAs(browser: Browser, room: string, id: string): Promise<Peer> {
  const context = await browser.newContext();
  // Without it Chromium gathers no ICE candidates on loopback (docs/testing.md).
  await context.grantPermissions(['camera', 'microphone']);
  const page = await context.newPage();
  await page.goto('/e2e/pages/room.html');
  await pageReady(page);
  await page.evaluate(([url, r, peer]) => window.roomPage.join(url, r, peer), [relay.url, room, id] as const);
  return { id, page, context };
}

/** Waits until every peer sees exactly the others as connected. */
async function expectMesh(peers: readonly Peer[]): Promise<void> {
  for (const peer of peers) {
    const others = peers.filter((p) => p !== peer).map((p) => p.id).sort();
    await expect.poll(() => peer.page.evaluate(() => window.roomPage.peers()), { timeout: 20_000, message: `${peer.id} sees the others` }).toEqual(others);
  }
}

/** Waits until `peer` has received at least `count` messages; returns them. */
async function receivedBy(peer: Peer, count: number): Promise<Received[]> {
  await expect.poll(async () => (await peer.page.evaluate(() => window.roomPage.received())).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(count);
  return peer.page.evaluate(() => window.roomPage.received());
}

async function closeAll(peers: readonly Peer[]): Promise<void> {
  await Promise.all(peers.map((p) => p.context.close()));
}

test('connects three browsers to each other and delivers a string and a 1 MiB binary intact', async ({ browser }) => {
  const room = freshRoom('mesh');
  const a = await joinAs(browser, room, 'a');
  const b = await joinAs(browser, room, 'b');
  const c = await joinAs(browser, room, 'c');
  const peers = [a, b, c];
  try {
    await expectMesh(peers);

    await a.page.evaluate(() => window.roomPage.sendText(null, 'hello from a ✓'));
    const hash = await a.page.evaluate((size) => window.roomPage.sendBytes(null, size, 7), MiB);
    const direct = await b.page.evaluate((size) => window.roomPage.sendBytes('c', size, 8), MiB + 123);

    for (const peer of [b, c]) {
      // Ordered per sender only: at c, b's message may come between a's two.
      const got = await receivedBy(peer, peer === c ? 3 : 2);
      expect(got.filter((m) => m.from === 'a')).toEqual([
        expect.objectContaining({ from: 'a', kind: 'string', text: 'hello from a ✓' }),
        { from: 'a', kind: 'binary', length: MiB, sha256: hash, plainUint8Array: true },
      ]);
    }
    const atC = await receivedBy(c, 3);
    expect(atC.find((m) => m.from === 'b')).toEqual({ from: 'b', kind: 'binary', length: MiB + 123, sha256: direct, plainUint8Array: true });
    // Nothing sent to a; a sent nothing to itself.
    expect(await a.page.evaluate(() => window.roomPage.received())).toEqual([]);
    for (const peer of peers) expect(await peer.page.evaluate(() => window.roomPage.errors())).toEqual([]);
  } finally {
    await closeAll(peers);
  }
});

test('refuses to send to a peer that is not connected with a ClosedError naming it', async ({ browser }) => {
  const a = await joinAs(browser, freshRoom('alone'), 'a');
  try {
    expect(await a.page.evaluate(() => window.roomPage.sendError('nobody'))).toEqual({
      name: 'ClosedError',
      code: 'CLOSED',
      message: expect.stringContaining('cannot send to peer "nobody": it is not connected'),
    });
  } finally {
    await closeAll([a]);
  }
});

test('reports a peer that closes its page as disconnected, and connects peers that join later to everyone', async ({ browser }) => {
  const room = freshRoom('churn');
  const a = await joinAs(browser, room, 'a');
  const b = await joinAs(browser, room, 'b');
  const c = await joinAs(browser, room, 'c');
  const d: Peer[] = [];
  try {
    await expectMesh([a, b, c]);
    await c.page.close();

    for (const peer of [a, b]) {
      await expect
        .poll(() => peer.page.evaluate(() => window.roomPage.events().filter((e) => e.type === 'disconnected').map((e) => e.peer)), { timeout: 20_000 })
        .toEqual(['c']);
      expect(await peer.page.evaluate(() => window.roomPage.peers())).toEqual([a, b].filter((p) => p !== peer).map((p) => p.id));
    }

    d.push(await joinAs(browser, room, 'd'));
    await expectMesh([a, b, d[0]!]);
    // The same id again, from a fresh browser: a new incarnation connects like any newcomer.
    d.push(await joinAs(browser, room, 'c'));
    await expectMesh([a, b, ...d]);

    await d[0]!.page.evaluate(() => window.roomPage.sendText(null, 'hi from d'));
    for (const peer of [a, b, d[1]!]) {
      expect(await receivedBy(peer, 1)).toEqual([expect.objectContaining({ from: 'd', text: 'hi from d' })]);
    }
  } finally {
    await closeAll([a, b, c, ...d]);
  }
});

test('relays messages both ways between the room and a worker through a MessagePort', async ({ browser }) => {
  const room = freshRoom('worker');
  const a = await joinAs(browser, room, 'a');
  const b = await joinAs(browser, room, 'b');
  try {
    await expectMesh([a, b]);
    await a.page.evaluate(() => window.roomPage.startEchoWorker());

    // The worker heard of b from the bridge (already connected) and greets it through a's room.
    const hello = await receivedBy(b, 1);
    expect(hello).toEqual([expect.objectContaining({ from: 'a', kind: 'string', text: 'worker-hello ["b"]' })]);

    await b.page.evaluate(() => window.roomPage.sendText('a', 'ping'));
    const hash = await b.page.evaluate((size) => window.roomPage.sendBytes('a', size, 3), MiB);
    const echoes = (await receivedBy(b, 3)).slice(1);
    expect(echoes).toEqual([
      expect.objectContaining({ from: 'a', kind: 'string', text: 'echo:ping' }),
      { from: 'a', kind: 'binary', length: MiB, sha256: hash, plainUint8Array: true },
    ]);
    // a's page saw the same two messages pass through on their way to the worker.
    expect((await receivedBy(a, 2)).map((m) => [m.from, m.length, m.sha256 === hash || m.text === 'ping'])).toEqual([
      ['b', 4, true],
      ['b', MiB, true],
    ]);
  } finally {
    await closeAll([a, b]);
  }
});

test('reconnects when a connection breaks while both peers stay in the room', async ({ browser }) => {
  const room = freshRoom('reconnect');
  const a = await joinAs(browser, room, 'a');
  const b = await joinAs(browser, room, 'b');
  try {
    await expectMesh([a, b]);
    // b joined later, so b offers; break it from a's side, which only waits for b's new offer.
    expect(await a.page.evaluate(() => window.roomPage.breakChannels())).toBe(1);
    for (const [peer, other] of [[a, 'b'], [b, 'a']] as const) {
      await expect
        .poll(() => peer.page.evaluate(() => window.roomPage.events().map((e) => `${e.type} ${e.peer}`)), { timeout: 20_000 })
        .toEqual([`connected ${other}`, `disconnected ${other}`, `connected ${other}`]);
    }
    await a.page.evaluate(() => window.roomPage.sendText('b', 'still here'));
    expect(await receivedBy(b, 1)).toEqual([expect.objectContaining({ from: 'a', text: 'still here' })]);
  } finally {
    await closeAll([a, b]);
  }
});
