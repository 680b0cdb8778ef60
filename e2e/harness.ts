import { expect, type Page } from '@playwright/test';

declare const rt: Harness;

/** A call's outcome as the harness reports it. */
export type Outcome = { ok: true } | { ok: false; name: string; code: string; message: string };

/** A tab's status, as `conn.status` gives it. */
export interface Status {
  role: 'leader' | 'replica' | 'closed';
  epoch: number;
  leader: string | undefined;
  lag: number;
  seq: number;
  room?: { name: string; role: 'authority' | 'replica' | undefined; state: string; authority: string | undefined; peers: number; target: number; waiting: number; fetched: number; error: string | undefined; reason?: string; reasonMessage?: string };
}

/** What `inspect()` answers. */
export interface Inspected {
  role: 'authority' | 'replica';
  status: Status;
  seq: number;
  stateHash: string;
  replayStateHash?: string;
  replayEntries?: number;
  rows: Record<string, number>;
  pendingCalls: number;
}

/** The harness the runtime page puts on `window` (see e2e/pages/runtime.ts). */
export interface Harness {
  open(database: string, durability?: 'confirmed' | 'fast', variant?: string, room?: { name: string; relay: string }): Promise<{ identity: string; connectionId?: string; status?: Status }>;
  openError(database: string, variant: string): Promise<Outcome>;
  call(reducer: string, args?: Record<string, unknown>): Promise<Outcome>;
  /** A failing call's error class and its detail fields (those set), or `{ ok: true }`. */
  details(reducer: string, args?: Record<string, unknown>): Promise<Record<string, string>>;
  subscribe(queries: string[]): Promise<Outcome>;
  rows(table: string): Record<string, unknown>[];
  count(table: string): number;
  events(): Record<string, unknown>[];
  burst(from: number, count: number, batch: number, killAfter?: number, window?: number): Promise<number>;
  resolved(): number[];
  offline(): void;
  joins(): number;
  online(): void;
  /** Burst calls that failed, as "id: name: message". */
  failures(): string[];
  status(): Status;
  statuses(): Status[];
  divergences(): unknown[];
  logs(): string[];
  terminate(): void;
  inspect(replay?: boolean): Promise<Inspected>;
  close(): Promise<void>;
}

/**
 * Waits until a test page says `ready`. The first visit to a page makes the Vite dev server
 * transform its modules, which takes seconds on a loaded 2-core machine: this waits for
 * readiness, it does not time anything.
 */
export async function pageReady(page: Page): Promise<void> {
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 30_000 });
}

/** Opens the harness page and waits until it is ready. */
export async function harness(page: Page): Promise<void> {
  await page.goto('/e2e/pages/runtime.html');
  await pageReady(page);
}

let counter = 0;
/** A database name no other test uses. */
export const freshName = (label: string): string => `${label}-${Date.now()}-${counter++}`;

/** Waits until every page has applied the same entries with the same state hash and has no call pending; returns their view. */
export async function converge(pages: readonly Page[], timeout = 60_000): Promise<Inspected> {
  let views: Inspected[] = [];
  await expect
    .poll(
      async () => {
        views = await Promise.all(pages.map((p) => p.evaluate(() => rt.inspect())));
        const [first] = views;
        return views.every((v) => v.seq === first!.seq && v.stateHash === first!.stateHash && v.pendingCalls === 0);
      },
      { timeout, intervals: [50, 100, 250, 500] },
    )
    .toBe(true);
  return views[0]!;
}
