/**
 * Raw IndexedDB as the baseline contender: object store `item` keyed by `id` with
 * an index on `owner`, one transaction per single write, 1000 puts per transaction
 * in bulk; no live queries. The packed layout (bench/browser/idb-baseline.ts) is
 * the other baseline, for bulk load and read-back.
 */
import { putBatched, putOne, request } from '../browser/idb-baseline';
import type { ItemRow } from '../browser/rows';
import type { Contender } from './contender';

/** Opens raw IndexedDB database `name`. */
export async function openRaw(name: string): Promise<Contender> {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => void open.result.createObjectStore('item', { keyPath: 'id' }).createIndex('owner', 'owner');
  const db = await request(open);
  const store = (): IDBObjectStore => db.transaction('item').objectStore('item');
  return {
    write: (row) => putOne(db, row),
    bulk: (rows) => putBatched(db, rows),
    get: (id) => request(store().get(id) as IDBRequest<ItemRow | undefined>),
    byOwner: (owner) => request(store().index('owner').getAll(owner) as IDBRequest<ItemRow[]>),
    count: () => request(store().count()),
    close: async () => db.close(),
  };
}
