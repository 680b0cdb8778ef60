/** Dexie as a contender: table `item` keyed by `id` with an index on `owner`; live queries through `liveQuery`. */
import Dexie, { liveQuery } from 'dexie';
import type { ItemRow } from '../browser/rows';
import type { Contender } from './contender';

/** Opens Dexie database `name`. */
export async function openDexie(name: string): Promise<Contender> {
  const db = new Dexie(name);
  db.version(1).stores({ item: 'id, owner' });
  await db.open();
  const items = db.table<ItemRow, number>('item');
  const subscriptions: { unsubscribe(): void }[] = [];
  return {
    write: (row) => items.put(row).then(() => undefined),
    bulk: (rows) => items.bulkPut(rows as ItemRow[]).then(() => undefined),
    get: (id) => items.get(id),
    byOwner: (owner) => items.where('owner').equals(owner).toArray(),
    async live(owners, changed) {
      const first = owners.map(
        (owner) =>
          new Promise<void>((resolve) => {
            let initial = true;
            const query = liveQuery(() => items.where('owner').equals(owner).toArray());
            subscriptions.push(
              query.subscribe(() => {
                if (!initial) changed(owner);
                initial = false;
                resolve();
              }),
            );
          }),
      );
      await Promise.all(first);
    },
    count: () => items.count(),
    async close() {
      for (const s of subscriptions) s.unsubscribe();
      db.close();
    },
  };
}
