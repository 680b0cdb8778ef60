import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { converge, freshName, harness, type Harness } from './harness';

// Many tabs of one database in one browser profile: one leader tab orders every call and writes
// IndexedDB, the others replay its log. Pages run e2e/pages/tabs.module.ts through the runtime harness.
declare const rt: Harness;

const QUERIES = ['SELECT * FROM marker', 'SELECT * FROM pair', 'SELECT * FROM item', 'SELECT * FROM online'];

/** Opens a page on the database and subscribes to every table. */
async function openTab(context: BrowserContext, name: string): Promise<{ page: Page; connectionId: string }> {
  const page = await context.newPage();
  await harness(page);
  const opened = await page.evaluate((n) => rt.open(n, 'confirmed', 'tabs'), name);
  expect(await page.evaluate((q) => rt.subscribe(q), QUERIES)).toEqual({ ok: true });
  return { page, connectionId: opened.connectionId! };
}

/** Every marker's call id with how many markers it has, checking each marker has its pair (no half-applied call). */
async function markersOf(page: Page): Promise<Map<number, number>> {
  const [markers, pairs] = await page.evaluate(() => [rt.rows('marker'), rt.rows('pair')]);
  const counts = new Map<number, number>();
  for (const m of markers) counts.set(m.call as number, (counts.get(m.call as number) ?? 0) + 1);
  const pairCounts = new Map<number, number>();
  for (const p of pairs) pairCounts.set(p.call as number, (pairCounts.get(p.call as number) ?? 0) + 1);
  expect(pairCounts).toEqual(counts);
  return counts;
}

async function roles(pages: readonly Page[]): Promise<string[]> {
  return Promise.all(pages.map((p) => p.evaluate(() => rt.status().role)));
}

test('concurrent calls from three tabs end with one state hash in every tab, equal to a fresh replay of the log', async ({ context }) => {
  test.setTimeout(120_000);
  const name = freshName('tabs-concurrent');
  const pages: Page[] = [];
  for (let i = 0; i < 3; i++) pages.push((await openTab(context, name)).page);
  expect(await roles(pages)).toEqual(['leader', 'replica', 'replica']);

  await Promise.all(pages.map((page, i) => page.evaluate((from) => rt.burst(from, 1000, 0, undefined, 32), i * 1000)));
  expect((await Promise.all(pages.map((p) => p.evaluate(() => rt.failures())))).flat()).toEqual([]);
  const resolved = (await Promise.all(pages.map((p) => p.evaluate(() => rt.resolved())))).flat();
  expect(new Set(resolved).size).toBe(3000);

  const view = await converge(pages);
  for (const page of pages) {
    const counts = await markersOf(page);
    expect(counts.size).toBe(3000);
    expect([...counts].filter(([, n]) => n > 1), 'calls applied twice').toEqual([]);
  }
  // Each tab re-runs the whole durable log from scratch through its own engine.
  for (const page of pages) {
    const replayed = await page.evaluate(() => rt.inspect(true));
    expect(replayed.replayStateHash).toBe(view.stateHash);
    expect(replayed.replayEntries).toBe(view.seq);
  }
  expect(view.rows.online).toBe(3);
});

test('the inventory race across two tabs: exactly one pick-up wins, the other is refused, every tab shows the same owner', async ({ context }) => {
  const name = freshName('tabs-race');
  const tabs = [await openTab(context, name), await openTab(context, name), await openTab(context, name)];
  const pages = tabs.map((t) => t.page);
  expect(await pages[0]!.evaluate(() => rt.call('add_item', { id: 1, name: 'sword' }))).toEqual({ ok: true });
  await converge(pages);
  // Both replicas forward their pick-up to the leader at the same moment.
  const outcomes = await Promise.all([pages[1]!.evaluate(() => rt.call('pick_up', { id: 1 })), pages[2]!.evaluate(() => rt.call('pick_up', { id: 1 }))]);
  const winners = outcomes.flatMap((o, i) => (o.ok ? [i + 1] : []));
  expect(winners).toHaveLength(1);
  const loser = outcomes.find((o) => !o.ok);
  expect(loser).toMatchObject({ ok: false, name: 'SenderError' });
  expect(loser!.ok === false && loser!.message).toMatch(/^Item 1 is already owned by [0-9a-f]{32}$/);
  const owner = tabs[winners[0]!]!.connectionId;
  await converge(pages);
  for (const page of pages) expect(await page.evaluate(() => rt.rows('item'))).toEqual([{ id: 1, name: 'sword', owner }]);
});

test('closing the leader tab mid-burst (10 times) loses no resolved call and applies none twice; the others take over and go on', async ({ context }) => {
  test.setTimeout(300_000);
  const name = freshName('tabs-handover');
  const resolved = new Set<number>();
  await context.exposeBinding('reportResolved', (_source, id: number) => void resolved.add(id));
  let pages: Page[] = [];
  for (let i = 0; i < 3; i++) pages.push((await openTab(context, name)).page);
  let next = 0;
  let epoch = (await pages[0]!.evaluate(() => rt.status())).epoch;
  // Rounds in which the other tabs still had calls in flight when the leader went: those calls were resubmitted to the next leader.
  let midFlight = 0;
  for (let round = 0; round < 10; round++) {
    const statuses = await Promise.all(pages.map((p) => p.evaluate(() => rt.status())));
    const leader = pages[statuses.findIndex((s) => s.role === 'leader')]!;
    expect(statuses.filter((s) => s.role === 'leader')).toHaveLength(1);
    const seen = resolved.size;
    const running = new Set<Page>(pages);
    const bursts = pages.map((page) => {
      const from = next;
      next += 1000;
      return page
        .evaluate(({ from: f, batch }) => rt.burst(f, 1000, batch, undefined, 16), { from, batch: round })
        .then(() => void running.delete(page), () => 'closed');
    });
    // The kill point: a random number of this round's calls (from any tab) have resolved.
    const killAfter = 1 + Math.floor(Math.random() * 600);
    await expect.poll(() => resolved.size - seen, { intervals: [1], timeout: 60_000 }).toBeGreaterThanOrEqual(killAfter);
    await leader.close();
    pages = pages.filter((p) => p !== leader);
    if (pages.some((p) => running.has(p))) midFlight++;
    await Promise.all(bursts);
    // The other tabs' calls were all answered with success: the ones in flight were resubmitted, none refused.
    expect((await Promise.all(pages.map((p) => p.evaluate(() => rt.failures())))).flat()).toEqual([]);

    // One of the others leads now, at a higher epoch, and every call any tab saw resolve is there exactly once.
    await expect.poll(async () => (await roles(pages)).sort().join(), { timeout: 30_000 }).toBe('leader,replica');
    // The closed tab said nothing, yet its connection's clientDisconnected ran: the new leader saw its lock go.
    await expect.poll(() => pages[0]!.evaluate(() => rt.count('online')), { timeout: 30_000 }).toBe(pages.length);
    const view = await converge(pages);
    expect(view.status.epoch).toBeGreaterThan(epoch);
    epoch = view.status.epoch;
    for (const page of pages) {
      const counts = await markersOf(page);
      expect([...resolved].filter((id) => counts.get(id) !== 1), 'resolved calls not applied exactly once').toEqual([]);
      expect([...counts].filter(([, n]) => n > 1), 'calls applied twice').toEqual([]);
    }
    const replayed = await pages[0]!.evaluate(() => rt.inspect(true));
    expect(replayed.replayStateHash).toBe(view.stateHash);
    pages.push((await openTab(context, name)).page);
  }
  test.info().annotations.push({ type: 'handovers with calls of the other tabs in flight', description: `${midFlight} of 10` });
  expect(midFlight).toBeGreaterThanOrEqual(3);
  // The tabs still accept calls after ten handovers.
  expect(await pages.at(-1)!.evaluate(() => rt.call('add_item', { id: 9, name: 'after' }))).toEqual({ ok: true });
  await converge(pages);
});

test('a tab opened after 10,000 entries catches up from storage and the leader, and matches', async ({ context }) => {
  test.setTimeout(180_000);
  const name = freshName('tabs-late');
  const first = (await openTab(context, name)).page;
  await first.evaluate(() => rt.burst(0, 10_000, 0, undefined, 64));
  expect(await first.evaluate(() => rt.resolved().length)).toBe(10_000);
  const late = (await openTab(context, name)).page;
  const view = await converge([first, late]);
  expect(view.seq).toBeGreaterThan(10_000);
  // conn.status is sent at most every 100 ms: wait for the one that follows the last entry.
  await expect.poll(() => late.evaluate(() => rt.status())).toMatchObject({ role: 'replica', lag: 0, seq: view.seq });
  const counts = await markersOf(late);
  expect(counts.size).toBe(10_000);
  // Both tabs keep working together: a call from the late tab reaches the first one.
  expect(await late.evaluate(() => rt.call('add_item', { id: 2, name: 'shield' }))).toEqual({ ok: true });
  await expect.poll(() => first.evaluate(() => rt.count('item'))).toBe(1);
});
