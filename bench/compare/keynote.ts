/**
 * The keynote transfers, many in flight: through Lockstep (the module in its
 * worker, `confirmed`) and, as the other database, Dexie (one read-write
 * transaction per transfer doing the same reads, checks and writes).
 */
import Dexie from 'dexie';
import { connect } from 'lockstep';
import type * as keynote from './keynote.module';

/** The accounts and transfers of one run. */
export interface KeynoteRun {
  readonly accounts: number;
  readonly transfers: number;
  readonly inFlight: number;
}

/** The `i`-th transfer's accounts: spread over all of them, never the same twice in a row. */
const pair = (i: number, n: number): [number, number] => [(i * 7919) % n, (i * 7919 + 1 + (i % 97)) % n];

/** Runs `next(i)` for i in 0 .. count-1 with at most `inFlight` pending; resolves with the milliseconds taken. */
async function windowed(count: number, inFlight: number, next: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  let i = 0;
  const lane = async (): Promise<void> => {
    while (i < count) await next(i++);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return performance.now() - start;
}

/** Lockstep: seeds `accounts`, then times the transfers; resolves with the milliseconds. */
export async function lockstepTransfers(name: string, run: KeynoteRun): Promise<number> {
  const conn = await connect<typeof keynote>({ database: name, worker: () => new Worker(new URL('./keynote-worker.ts', import.meta.url), { type: 'module' }) });
  await conn.reducers.seed({ n: run.accounts, balance: 1_000_000n });
  const ms = await windowed(run.transfers, run.inFlight, (i) => {
    const [from, to] = pair(i, run.accounts);
    return conn.reducers.transfer({ from, to, amount: 1n });
  });
  await conn.close();
  return ms;
}

/** Dexie: the same accounts and transfers; resolves with the milliseconds. */
export async function dexieTransfers(name: string, run: KeynoteRun): Promise<number> {
  const db = new Dexie(name);
  db.version(1).stores({ accounts: 'id' });
  const accounts = db.table<{ id: number; balance: number }, number>('accounts');
  await accounts.bulkPut(Array.from({ length: run.accounts }, (_, id) => ({ id, balance: 1_000_000 })));
  const ms = await windowed(run.transfers, run.inFlight, (i) => {
    const [from, to] = pair(i, run.accounts);
    return db.transaction('rw', accounts, async () => {
      const [a, b] = await Promise.all([accounts.get(from), accounts.get(to)]);
      if (a === undefined || b === undefined) throw new Error('account not found');
      if (a.balance < 1) throw new Error('insufficient funds');
      await accounts.bulkPut([{ id: from, balance: a.balance - 1 }, { id: to, balance: b.balance + 1 }]);
    });
  });
  db.close();
  return ms;
}
