import { expect, test, type Browser, type Page } from '@playwright/test';
import { startSignalRelay, type RunningSignalRelay } from '../lib/signal/index';
import { converge, freshName, harness, pageReady, type Harness } from './harness';

// Browsers in a room: separate browser contexts (separate storage, separate Web Locks) joined through a
// signaling relay on 127.0.0.1; the first to join is the room's authority. Pages run e2e/pages/tabs.module.ts.
declare const rt: Harness;

const QUERIES = ['SELECT * FROM marker', 'SELECT * FROM pair', 'SELECT * FROM item', 'SELECT * FROM online'];
let relay: RunningSignalRelay;

test.beforeAll(async () => {
  relay = await startSignalRelay({ port: 0, host: '127.0.0.1' });
});

test.afterAll(async () => {
  await relay.close();
});

/** A new browser (context) with a page connected to `database` in `room`, subscribed to every table. */
async function openPeer(browser: Browser, database: string, room: string, variant = 'tabs'): Promise<{ page: Page; connectionId: string }> {
  const context = await browser.newContext();
  // Without it Chromium gathers no ICE candidates on loopback (docs/testing.md).
  await context.grantPermissions(['camera', 'microphone']);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page] ${error.message}`));
  await harness(page);
  const opened = await page.evaluate(([d, name, url, v]) => rt.open(d, 'confirmed', v, { name, relay: url }), [database, room, relay.url, variant] as const);
  expect(await page.evaluate((q) => rt.subscribe(q), QUERIES)).toEqual({ ok: true });
  return { page, connectionId: opened.connectionId! };
}

/** Waits until a page's browser is connected to the room in the given role. */
async function connected(page: Page, role: 'authority' | 'replica'): Promise<void> {
  await expect.poll(() => page.evaluate(() => rt.status().room), { timeout: 60_000 }).toMatchObject({ role, state: 'connected' });
}

test('concurrent calls from three browsers (3,000) converge to one state hash on every peer', async ({ browser }) => {
  test.setTimeout(180_000);
  const room = freshName('room-concurrent');
  const a = (await openPeer(browser, 'game', room)).page;
  await connected(a, 'authority');
  const b = (await openPeer(browser, 'game', room)).page;
  const c = (await openPeer(browser, 'game', room)).page;
  await connected(b, 'replica');
  await connected(c, 'replica');
  const pages = [a, b, c];
  const bursts = Promise.all(pages.map((page, i) => page.evaluate((from) => rt.burst(from, 1000, 0, undefined, 32), i * 1000)));
  const finished = await Promise.race([bursts.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 90_000))]);
  // When calls hang, say where each browser stands.
  if (!finished) expect(await Promise.all(pages.map((p) => p.evaluate(async () => ({ status: rt.status(), inspect: await rt.inspect(), resolved: rt.resolved().length }))))).toBe('all bursts answered');
  expect((await Promise.all(pages.map((p) => p.evaluate(() => rt.failures())))).flat()).toEqual([]);
  const resolved = (await Promise.all(pages.map((p) => p.evaluate(() => rt.resolved())))).flat();
  expect(new Set(resolved).size).toBe(3000);
  const view = await converge(pages);
  for (const page of pages) {
    const markers = await page.evaluate(() => rt.rows('marker'));
    expect(new Set(markers.map((m) => m.call)).size).toBe(3000);
    expect(markers).toHaveLength(3000);
  }
  // The replicas re-ran every entry and wrote the same log to their own storage: a fresh replay there gives the same hash.
  for (const page of [b, c]) expect((await page.evaluate(() => rt.inspect(true))).replayStateHash).toBe(view.stateHash);
  // Both replicas' connections ran clientConnected on the authority, with the authority's own.
  expect(view.rows.online).toBe(3);
});

test('the inventory race between two replicas: exactly one wins, everyone agrees', async ({ browser }) => {
  test.setTimeout(120_000);
  const room = freshName('room-race');
  const a = await openPeer(browser, 'game', room);
  await connected(a.page, 'authority');
  const b = await openPeer(browser, 'game', room);
  const c = await openPeer(browser, 'game', room);
  await connected(b.page, 'replica');
  await connected(c.page, 'replica');
  expect(await a.page.evaluate(() => rt.call('add_item', { id: 1, name: 'sword' }))).toEqual({ ok: true });
  await converge([a.page, b.page, c.page]);
  const outcomes = await Promise.all([b.page.evaluate(() => rt.call('pick_up', { id: 1 })), c.page.evaluate(() => rt.call('pick_up', { id: 1 }))]);
  expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
  const loser = outcomes.find((o) => !o.ok);
  expect(loser).toMatchObject({ ok: false, name: 'SenderError' });
  expect(loser!.ok === false && loser!.message).toMatch(/^Item 1 is already owned by [0-9a-f]{32}$/);
  const owner = (outcomes[0]!.ok ? b : c).connectionId;
  await converge([a.page, b.page, c.page]);
  for (const { page } of [a, b, c]) expect(await page.evaluate(() => rt.rows('item'))).toEqual([{ id: 1, name: 'sword', owner }]);
});

test('a browser joining after 20,000 entries catches up through snapshot and tail, and matches', async ({ browser }) => {
  test.setTimeout(240_000);
  const room = freshName('room-late');
  const a = (await openPeer(browser, 'game', room)).page;
  await connected(a, 'authority');
  await a.evaluate(() => rt.burst(0, 20_000, 0, undefined, 64));
  const late = (await openPeer(browser, 'game', room)).page;
  await connected(late, 'replica');
  const view = await converge([a, late], 120_000);
  expect(view.seq).toBeGreaterThan(20_000);
  expect(await late.evaluate(() => rt.count('marker'))).toBe(20_000);
  expect(await late.evaluate(() => rt.call('add_item', { id: 2, name: 'shield' }))).toEqual({ ok: true });
  await expect.poll(() => a.evaluate(() => rt.count('item'))).toBe(1);
});

test('a browser running another version of the module is refused, with an error that says which side is newer', async ({ browser }) => {
  test.setTimeout(120_000);
  const room = freshName('room-version');
  const a = (await openPeer(browser, 'game', room)).page;
  await connected(a, 'authority');
  const newer = (await openPeer(browser, 'game', room, 'tabs-v2')).page;
  await expect.poll(() => newer.evaluate(() => rt.status().room?.state), { timeout: 60_000 }).toBe('refused');
  const { error } = (await newer.evaluate(() => rt.status().room))!;
  expect(error).toMatch(/the room's authority is older; update it/);
  expect(error).toMatch(/This peer runs app version 2, the room's authority runs 1/);
  // The refused browser still works alone on its own data, and changed nothing in the room.
  expect(await newer.evaluate(() => rt.inspect())).toMatchObject({ seq: expect.any(Number) });
  expect((await a.evaluate(() => rt.inspect())).rows.online).toBe(1);
});

test('a replica that reloads fetches only the tail it missed', async ({ browser }) => {
  test.setTimeout(180_000);
  const room = freshName('room-reload');
  const a = (await openPeer(browser, 'game', room)).page;
  await connected(a, 'authority');
  const b = (await openPeer(browser, 'game', room)).page;
  await connected(b, 'replica');
  await a.evaluate(() => rt.burst(0, 2000, 0, undefined, 32));
  const before = await converge([a, b]);
  // conn.status is sent at most every 100 ms: wait for the one that follows the last entry.
  await expect.poll(() => b.evaluate(() => rt.status().room?.fetched)).toBeGreaterThanOrEqual(2000);

  // The replica's page reloads while the authority goes on.
  await b.reload();
  await a.evaluate(() => rt.burst(2000, 300, 0, undefined, 32));
  await harness(b);
  await b.evaluate(([name, url]) => rt.open('game', 'confirmed', 'tabs', { name, relay: url }), [room, relay.url] as const);
  await connected(b, 'replica');
  const after = await converge([a, b]);
  // It loaded its own log from IndexedDB and asked only for what came after it (plus its own clientConnected's echo).
  await expect.poll(() => b.evaluate(() => rt.status().seq)).toBe(after.seq);
  const fetched = (await b.evaluate(() => rt.status().room))!.fetched;
  expect(fetched).toBeGreaterThanOrEqual(after.seq - before.seq);
  expect(fetched).toBeLessThan(after.seq - before.seq + 10);
  expect(await b.evaluate(() => rt.inspect(true))).toMatchObject({ replayStateHash: after.stateHash });
});

test('the authority reloads mid-burst: no resolved call is lost, none applied twice, the replicas reconnect', async ({ browser }) => {
  test.setTimeout(240_000);
  const room = freshName('room-authority-reload');
  const resolved = new Set<number>();
  const peers = [];
  for (let i = 0; i < 3; i++) {
    const peer = await openPeer(browser, 'game', room);
    await peer.page.context().exposeBinding('reportResolved', (_source, id: number) => void resolved.add(id));
    peers.push(peer.page);
    await connected(peer.page, i === 0 ? 'authority' : 'replica');
  }
  const [a, b, c] = peers as [Page, Page, Page];
  const bursts = [b, c].map((page, i) => page.evaluate((from) => rt.burst(from, 600, 0, undefined, 16), 1000 + i * 1000));
  void a.evaluate(() => rt.burst(0, 600, 0, undefined, 16)).catch(() => 'reloaded');
  await expect.poll(() => resolved.size, { intervals: [5], timeout: 60_000 }).toBeGreaterThanOrEqual(200);
  await a.reload();
  await harness(a);
  await a.evaluate(([name, url]) => rt.open('game', 'confirmed', 'tabs', { name, relay: url }), [room, relay.url] as const);
  expect(await a.evaluate(() => rt.status().room?.role)).toBe('authority');
  await Promise.all(bursts);
  expect((await Promise.all([b, c].map((p) => p.evaluate(() => rt.failures())))).flat()).toEqual([]);
  await connected(b, 'replica');
  await connected(c, 'replica');
  expect(await a.evaluate((q) => rt.subscribe(q), QUERIES)).toEqual({ ok: true });
  await converge([a, b, c], 120_000);
  for (const page of [a, b, c]) {
    const markers = await page.evaluate(() => rt.rows('marker'));
    const counts = new Map<number, number>();
    for (const m of markers) counts.set(m.call as number, (counts.get(m.call as number) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1), 'calls applied twice').toEqual([]);
    expect([...resolved].filter((id) => counts.get(id) !== 1), 'resolved calls missing').toEqual([]);
  }
});

test('a replica cut off from the room keeps working, and its calls made offline are applied exactly once when it is back', async ({ browser }) => {
  test.setTimeout(180_000);
  const room = freshName('room-offline');
  const a = (await openPeer(browser, 'game', room)).page;
  await connected(a, 'authority');
  const b = await openPeer(browser, 'game', room);
  const c = (await openPeer(browser, 'game', room)).page;
  await connected(b.page, 'replica');
  await connected(c, 'replica');
  await converge([a, b.page, c]);

  // Cut b off: it leaves the room (its data channels close), and the others see it go.
  await b.page.evaluate(() => rt.offline());
  await expect.poll(() => b.page.evaluate(() => rt.status().room?.state)).toBe('reconnecting');
  await expect.poll(() => a.evaluate(() => rt.status().room?.peers)).toBe(1);
  const offlineBurst = b.page.evaluate(() => rt.burst(5000, 200, 0, undefined, 200));
  // Meanwhile the rest of the room goes on, and b still answers reads from its own state.
  await c.evaluate(() => rt.burst(6000, 200, 0, undefined, 32));
  expect(await b.page.evaluate(() => rt.resolved())).toEqual([]);
  await expect.poll(() => b.page.evaluate(() => rt.status().room?.waiting)).toBe(200);
  const bMarkers = await b.page.evaluate(() => rt.count('marker'));
  expect(await a.evaluate(() => rt.rows('marker').filter((m) => (m.call as number) >= 5000 && (m.call as number) < 6000).length)).toBe(0);

  // The page's online event does not undo goOffline(), and its offline event holds the browser out even after
  // goOnline(). A join starts synchronously when the room is resumed, so counting joins right after shows none began.
  const joins = await b.page.evaluate(() => {
    const before = rt.joins();
    dispatchEvent(new Event('online'));
    dispatchEvent(new Event('offline'));
    rt.online();
    return { before, after: rt.joins() };
  });
  expect(joins.after).toBe(joins.before);
  expect(await b.page.evaluate(() => rt.status().room?.state)).toBe('reconnecting');
  expect(await a.evaluate(() => rt.status().room?.peers)).toBe(1);

  // Back online: the waiting calls go to the authority, each applied once, and b catches up.
  expect(await b.page.evaluate(() => (dispatchEvent(new Event('online')), rt.joins()))).toBe(joins.before + 1);
  expect(await offlineBurst).toBe(200);
  await connected(b.page, 'replica');
  expect(await b.page.evaluate(() => rt.failures())).toEqual([]);
  expect(new Set(await b.page.evaluate(() => rt.resolved())).size).toBe(200);
  const view = await converge([a, b.page, c]);
  expect(await b.page.evaluate(() => rt.count('marker'))).toBe(bMarkers + 400);
  for (const page of [a, b.page, c]) {
    const calls = (await page.evaluate(() => rt.rows('marker'))).map((m) => m.call as number);
    expect(calls).toHaveLength(400);
    expect(new Set(calls).size).toBe(400);
  }
  expect((await b.page.evaluate(() => rt.inspect(true))).replayStateHash).toBe(view.stateHash);
  // Back within the authority's grace: its connection never went offline (no clientDisconnected ran).
  expect(view.rows.online).toBe(3);
});

test('forged calls, a peer posing as the authority and entries it signed are refused, logged, and change nothing', async ({ browser }) => {
  test.setTimeout(120_000);
  const room = freshName('room-forged');
  const a = (await openPeer(browser, 'game', room)).page;
  await connected(a, 'authority');
  const b = (await openPeer(browser, 'game', room)).page;
  await connected(b, 'replica');
  const before = await converge([a, b]);

  // Mallory joins the room through the same relay, with a key of its own, and speaks the protocol by hand.
  const context = await browser.newContext();
  await context.grantPermissions(['camera', 'microphone']);
  const m = await context.newPage();
  await m.goto('/e2e/pages/mallory.html');
  await pageReady(m);
  await m.evaluate(([url, name]) => (window as unknown as { mallory: { join(u: string, n: string, c: number): Promise<string> } }).mallory.join(url, name, 2), [relay.url, room] as const);
  const forged = await m.evaluate(async (seq) => {
    type Mallory = Record<string, (...args: never[]) => unknown>;
    const mallory = (window as unknown as { mallory: Mallory }).mallory as unknown as {
      roles(): { authority: string; replica: string };
      identityOf(peer: string): string;
      helloAsReplica(to: string): Promise<void>;
      helloAsAuthority(to: string, as: string): Promise<void>;
      callAsOther(to: string, victim: string): Promise<void>;
      callForged(to: string): Promise<void>;
      batch(to: string, seq: number): Promise<void>;
    };
    const { authority, replica } = mallory.roles();
    // To the authority: an honest hello under its own key (taken), then a call numbered under the replica's
    // identity, and a call whose signature was altered.
    await mallory.helloAsReplica(authority);
    await mallory.callAsOther(authority, mallory.identityOf(replica));
    await mallory.callForged(authority);
    // To the replica: a hello as the authority (its identity is public, its key is not), then entries signed by mallory.
    await mallory.helloAsAuthority(replica, mallory.identityOf(authority));
    await mallory.batch(replica, seq);
    return { authority: mallory.identityOf(authority) };
  }, before.seq);
  expect(forged.authority).toBe((await a.evaluate(() => rt.status().room))!.authority);

  const logOf = (page: Page) => page.evaluate(() => rt.logs().join('\n'));
  await expect.poll(() => logOf(a)).toMatch(/names client "[0-9a-f]+\/mallory", which is not under its signer's identity/);
  await expect.poll(() => logOf(a)).toMatch(/SignatureError|Forged call: the signature does not match call 1 of client/);
  await expect.poll(() => logOf(b)).toMatch(/Forged hello|says hello as [0-9a-f]+…, but proves/);
  await expect.poll(() => logOf(b)).toMatch(/Peer mallory-[0-9a-f-]+ has not proven its identity: its entries message is refused/);
  // Nothing changed anywhere, and b still follows the real authority.
  for (const page of [a, b]) expect(await page.evaluate(() => rt.inspect())).toMatchObject({ seq: before.seq, stateHash: before.stateHash });
  expect(await b.evaluate(() => rt.status().room)).toMatchObject({ state: 'connected', authority: forged.authority });
  expect(await b.evaluate(() => rt.call('add_item', { id: 3, name: 'bow' }))).toEqual({ ok: true });
  await converge([a, b]);
  expect(await a.evaluate(() => rt.rows('item'))).toEqual([{ id: 3, name: 'bow' }]);
  await context.close();
});
