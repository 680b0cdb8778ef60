/**
 * Lockstep as a contender: the worker runs bench/browser/bench.module.ts; the page
 * subscribes to what it reads, so point reads and indexed queries hit the client
 * cache, as an app's do. Writes are reducer calls with the default durability
 * (`confirmed`: resolved once durable in IndexedDB).
 */
import { connect } from 'lockstep';
import type * as bench from '../browser/bench.module';
import type { ItemRow } from '../browser/rows';
import type { Contender } from './contender';

const startWorker = (): Worker => new Worker(new URL('./lockstep-worker.ts', import.meta.url), { type: 'module' });

/** Opens Lockstep database `name` in a new worker. */
export async function openLockstep(name: string): Promise<Contender> {
  const conn = await connect<typeof bench>({ database: name, worker: startWorker });
  let whole: Promise<void> | undefined;
  // The whole table in the page's cache, once, before the first read.
  const cached = (): Promise<void> => (whole ??= conn.subscribe('SELECT * FROM item').applied);
  return {
    write: (row) => conn.reducers.add_item(row).then(() => undefined),
    bulk: (rows) => conn.reducers.load({ rows: rows as ItemRow[] }).then(() => undefined),
    get: async (id) => (await cached(), conn.db.item.id.find(id) ?? undefined),
    byOwner: async (owner) => (await cached(), [...conn.db.item.owner.filter(owner)]),
    async live(owners, changed) {
      conn.db.item.onInsert((_ctx, row) => changed(row.owner));
      await Promise.all(owners.map((owner) => conn.subscribe(`SELECT * FROM item WHERE owner = ${owner}`).applied));
    },
    count: async () => Number((await conn.sql('SELECT COUNT(*) AS n FROM item')).rows[0]?.['n']),
    close: () => conn.close(),
  };
}
