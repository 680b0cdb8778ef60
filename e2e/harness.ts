import { expect, type Page } from '@playwright/test';

/** A call's outcome as the harness reports it. */
export type Outcome = { ok: true } | { ok: false; name: string; code: string; message: string };

/** A tab's status, as `conn.status` gives it. */
export interface Status {
  role: 'leader' | 'replica' | 'closed';
  epoch: number;
  leader: string | undefined;
  lag: number;
  seq: number;
  room?: { name: string; role: 'authority' | 'replica' | undefined; state: string; authority: string | undefined; peers: number; target: number; waiting: number; error: string | undefined };
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
  subscribe(queries: string[]): Promise<Outcome>;
  rows(table: string): Record<string, unknown>[];
  count(table: string): number;
  events(): Record<string, unknown>[];
  burst(from: number, count: number, batch: number, killAfter?: number, window?: number): Promise<number>;
  resolved(): number[];
  status(): Status;
  statuses(): Status[];
  divergences(): unknown[];
  terminate(): void;
  inspect(replay?: boolean): Promise<Inspected>;
  close(): Promise<void>;
}

/** Opens the harness page and waits until it is ready. */
export async function harness(page: Page): Promise<void> {
  await page.goto('/e2e/pages/runtime.html');
  await expect(page.locator('#status')).toHaveText('ready');
}

let counter = 0;
/** A database name no other test uses. */
export const freshName = (label: string): string => `${label}-${Date.now()}-${counter++}`;
